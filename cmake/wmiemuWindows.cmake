# The Windows build's own pieces (included by the top-level CMakeLists.txt
# when WIN32): the DLLs wmiemu.exe, the tests and the provider DLLs run
# with, beside them in the build's bin/ (so wine or Windows finds them with
# no PATH set up) and installed to the prefix's bin/; and the Windows
# spellings of the SDK headers for providers built on a case-sensitive file
# system (MinGW-w64 on Linux ships windows.h, Windows sources say Windows.h).

# libuv (from tools/scripts/mingw-deps.sh or MSYS2) and the MinGW-w64
# runtime the -posix compilers link: winpthread, libgcc, libstdc++.
find_file(WMIEMU_LIBUV_DLL NAMES libuv.dll uv.dll libuv-1.dll PATH_SUFFIXES bin)
find_file(WMIEMU_CMOCKA_DLL NAMES cmocka.dll libcmocka.dll PATH_SUFFIXES bin)
set(WMIEMU_RUNTIME_DLLS "")
if(WMIEMU_LIBUV_DLL)
  list(APPEND WMIEMU_RUNTIME_DLLS ${WMIEMU_LIBUV_DLL})
endif()
foreach(dll libwinpthread-1.dll libgcc_s_seh-1.dll libstdc++-6.dll)
  execute_process(COMMAND ${CMAKE_C_COMPILER} -print-file-name=${dll}
                  OUTPUT_VARIABLE path OUTPUT_STRIP_TRAILING_WHITESPACE)
  # The compiler answers the bare name when it has no such file.
  if(IS_ABSOLUTE "${path}" AND EXISTS "${path}")
    get_filename_component(path "${path}" REALPATH)
    list(APPEND WMIEMU_RUNTIME_DLLS ${path})
  endif()
endforeach()
set(copies ${WMIEMU_RUNTIME_DLLS})
if(WMIEMU_CMOCKA_DLL AND WMIEMU_BUILD_TESTS)
  list(APPEND copies ${WMIEMU_CMOCKA_DLL})
endif()
file(MAKE_DIRECTORY ${CMAKE_RUNTIME_OUTPUT_DIRECTORY})
file(COPY ${copies} DESTINATION ${CMAKE_RUNTIME_OUTPUT_DIRECTORY})
# A provider DLL is loaded with LOAD_WITH_ALTERED_SEARCH_PATH, which looks
# for its own imports (a C++ provider's libstdc++) beside it and on PATH,
# not beside wmiemu.exe: the build's provider DLLs get them beside them.
file(COPY ${WMIEMU_RUNTIME_DLLS} DESTINATION ${PROJECT_BINARY_DIR}/provider)

# <Windows.h>, <WbemIdl.h>...: forwarding headers for the SDK's spellings
# of what MinGW-w64 serves in lower case, searched after the system's own
# headers (-idirafter): on a case-insensitive file system (Windows itself)
# an alias found first would include itself.
find_path(WMIEMU_MINGW_INCLUDE_DIR windows.h)
set(WMIEMU_CASE_ALIAS_DIR ${PROJECT_BINARY_DIR}/include-aliases)
if(WMIEMU_MINGW_INCLUDE_DIR)
  execute_process(COMMAND ${CMAKE_COMMAND} -DWMIEMU_ALIAS_DIRS=${WMIEMU_MINGW_INCLUDE_DIR}
                          -DWMIEMU_ALIAS_OUT=${WMIEMU_CASE_ALIAS_DIR} -DWMIEMU_ALIAS_SDK_ONLY=ON
                          -P ${PROJECT_SOURCE_DIR}/cmake/wmiemuCaseAliases.cmake
                  OUTPUT_QUIET)
  # Installed only (wmiemuConfig.cmake puts them on wmiemu::win32): the
  # providers of this tree spell headers as MinGW-w64 does.
endif()
