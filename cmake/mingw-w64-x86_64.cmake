# Cross-compiling wmiemu for 64-bit Windows with Debian's MinGW-w64
# (gcc-mingw-w64-x86-64, g++-mingw-w64-x86-64). Programs built this way run
# under wine, which CTest uses as the emulator for the Windows test suite.
#   cmake -S . -B build/win -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake
# libuv and CMocka for MinGW come from tools/scripts/mingw-deps.sh, which
# builds them from Debian's source packages into WMIEMU_MINGW_PREFIX.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(triple x86_64-w64-mingw32)
# The -posix variants: C++ threads and the C runtime's thread functions
# work in them (the -win32 variants leave std::thread out).
find_program(CMAKE_C_COMPILER NAMES ${triple}-gcc-posix ${triple}-gcc REQUIRED)
find_program(CMAKE_CXX_COMPILER NAMES ${triple}-g++-posix ${triple}-g++ REQUIRED)
find_program(CMAKE_RC_COMPILER NAMES ${triple}-windres)

if(NOT DEFINED WMIEMU_MINGW_PREFIX)
  if(DEFINED ENV{WMIEMU_MINGW_PREFIX})
    set(WMIEMU_MINGW_PREFIX $ENV{WMIEMU_MINGW_PREFIX})
  elseif(DEFINED ENV{XDG_CACHE_HOME})
    set(WMIEMU_MINGW_PREFIX $ENV{XDG_CACHE_HOME}/wmiemu/mingw-x86_64)
  else()
    set(WMIEMU_MINGW_PREFIX $ENV{HOME}/.cache/wmiemu/mingw-x86_64)
  endif()
endif()
set(WMIEMU_MINGW_PREFIX ${WMIEMU_MINGW_PREFIX} CACHE PATH "libuv and CMocka built for MinGW-w64")

set(CMAKE_FIND_ROOT_PATH /usr/${triple} ${WMIEMU_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(WMIEMU_WINE NAMES wine wine64)
if(WMIEMU_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${WMIEMU_WINE})
endif()

# pkg-config must read the Windows libraries' .pc files, never the host's.
set(ENV{PKG_CONFIG_LIBDIR} ${WMIEMU_MINGW_PREFIX}/lib/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")
