# The CMake functions a provider project uses, in wmiemu's own build and from
# the installed package alike (wmiemuConfig.cmake includes this file). They
# need the targets wmiemu::win32 (the Windows headers and flags),
# wmiemu::wmiemu (the library) and wmiemu::cli (the wmiemu command).

set(_wmiemu_cmake_dir ${CMAKE_CURRENT_LIST_DIR})

# wmiemu_add_provider(name source... [MOF file...] [LIBS lib...] [DEF file.def])
# (also NAME name SOURCES source... [MOF ...] [LIBS ...] [DEF ...])
#
# DEF names a module-definition file, as a DLL is linked with: the module
# then exports exactly the names of its EXPORTS section and nothing else
# (a linker version script made from it). "name=internal" exports internal
# under name; @ordinal, PRIVATE and DATA are accepted (ELF has no ordinals,
# so NONAME entries, exported by ordinal only, are not exported).
#
# Builds the provider module name.so (no "lib" prefix). The module links
# nothing of wmiemu's: its Win32/COM imports resolve, when a host loads it,
# against the program hosting it, so the process has one copy of the
# runtime. A module that imports a function nothing provides would fail only
# when loaded, one name at a time; so after the link, `wmiemu check-module`
# resolves every import against libwmiemu and the C/C++ runtime, as
# -Wl,--no-undefined against them would, and fails the build naming each
# missing function. The MOF files are checked (`wmiemu mof --check`) and
# recorded for wmiemu_add_provider_test.
function(wmiemu_add_provider)
  if(ARGV0 STREQUAL "NAME")
    cmake_parse_arguments(P "" "NAME;DEF" "SOURCES;MOF;LIBS" ${ARGN})
  else()
    cmake_parse_arguments(P "" "DEF" "MOF;LIBS" ${ARGN})
    list(POP_FRONT P_UNPARSED_ARGUMENTS P_NAME)
    set(P_SOURCES ${P_UNPARSED_ARGUMENTS})
    set(P_UNPARSED_ARGUMENTS "")
  endif()
  if(NOT P_NAME OR NOT P_SOURCES OR P_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "wmiemu_add_provider(name source... [MOF file...] [LIBS lib...] [DEF file.def])")
  endif()
  add_library(${P_NAME} MODULE ${P_SOURCES})
  target_link_libraries(${P_NAME} PRIVATE wmiemu::win32 ${P_LIBS})
  if(P_DEF AND WIN32)
    target_sources(${P_NAME} PRIVATE ${P_DEF})   # a DLL's own way to name its exports
  elseif(P_DEF)
    _wmiemu_def_exports(${P_NAME} ${P_DEF})
  endif()
  set_target_properties(${P_NAME} PROPERTIES PREFIX "")
  if(WMIEMU_PROVIDER_OUTPUT_DIRECTORY)
    set_target_properties(${P_NAME} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${WMIEMU_PROVIDER_OUTPUT_DIRECTORY})
  endif()

  set(mofs "")
  foreach(mof ${P_MOF})
    get_filename_component(mof ${mof} ABSOLUTE)
    list(APPEND mofs ${mof})
  endforeach()
  set_target_properties(${P_NAME} PROPERTIES WMIEMU_MOF "${mofs}")

  # The stamp is written only when the checks pass, so a failed check fails
  # every build until it is fixed.
  set(stamp ${CMAKE_CURRENT_BINARY_DIR}/${P_NAME}.wmiemu-checked)
  set(mof_check "")
  # Cross-built (Windows modules from Linux), the command runs under the
  # emulator the toolchain names (wine).
  set(cli wmiemu::cli)
  if(CMAKE_CROSSCOMPILING AND CMAKE_CROSSCOMPILING_EMULATOR)
    set(cli ${CMAKE_CROSSCOMPILING_EMULATOR} $<TARGET_FILE:wmiemu::cli>)
  endif()
  # WMIEMU_PROVIDER_CHECK OFF leaves the checks out: a cross build that
  # would start wine for each module (tools/scripts/test-windows.sh).
  if(DEFINED WMIEMU_PROVIDER_CHECK AND NOT WMIEMU_PROVIDER_CHECK)
    return()
  endif()
  if(mofs)
    set(mof_check COMMAND ${cli} mof --check ${mofs})
  endif()
  add_custom_command(OUTPUT ${stamp}
    COMMAND ${cli} check-module $<TARGET_FILE:${P_NAME}>
    ${mof_check}
    COMMAND ${CMAKE_COMMAND} -E touch ${stamp}
    DEPENDS ${P_NAME} wmiemu::cli ${mofs}
    COMMENT "wmiemu check-module ${P_NAME}"
    VERBATIM)
  add_custom_target(${P_NAME}_wmiemu_check ALL DEPENDS ${stamp})
endfunction()

# _wmiemu_def_exports(target file.def): the EXPORTS of a module-definition
# file as the target's linker version script. Read when CMake configures
# (the .def is a configure dependency, so editing it reconfigures).
function(_wmiemu_def_exports target def)
  get_filename_component(def ${def} ABSOLUTE)
  if(NOT EXISTS ${def})
    message(FATAL_ERROR "wmiemu_add_provider(${target}): DEF file ${def} does not exist")
  endif()
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${def})
  file(STRINGS ${def} lines)
  set(in_exports FALSE)
  set(names "")
  set(aliases "")
  set(n 0)
  foreach(line IN LISTS lines)
    math(EXPR n "${n} + 1")
    string(REGEX REPLACE ";.*" "" line "${line}")   # comments (CMake reads ';' as a list separator)
    string(STRIP "${line}" line)
    if(line STREQUAL "")
      continue()
    endif()
    if(line MATCHES "^(EXPORTS)([ \t]+(.*))?$")
      set(in_exports TRUE)
      set(line "${CMAKE_MATCH_3}")
      if(line STREQUAL "")
        continue()
      endif()
    elseif(line MATCHES "^(LIBRARY|NAME|DESCRIPTION|STACKSIZE|SECTIONS|HEAPSIZE|VERSION|IMPORTS)([ \t]|$)")
      set(in_exports FALSE)
      continue()
    endif()
    if(NOT in_exports)
      message(FATAL_ERROR "${def}:${n}: '${line}' outside an EXPORTS section")
    endif()
    # name[=internal] [@ordinal [NONAME]] [PRIVATE] [DATA]
    if(NOT line MATCHES "^([A-Za-z_?@$][A-Za-z0-9_?@$]*)(=([A-Za-z_][A-Za-z0-9_]*))?([ \t]+@[0-9]+([ \t]+NONAME)?)?([ \t]+(PRIVATE|DATA))*$")
      message(FATAL_ERROR "${def}:${n}: not an export: '${line}' (name[=internal] [@ordinal [NONAME]] [PRIVATE] [DATA])")
    endif()
    set(name "${CMAKE_MATCH_1}")
    set(internal "${CMAKE_MATCH_3}")
    if(CMAKE_MATCH_5)
      continue()   # NONAME: by ordinal only
    endif()
    list(APPEND names "${name}")
    if(internal)
      list(APPEND aliases "-Wl,--defsym=${name}=${internal}")
    endif()
  endforeach()
  if(NOT names)
    message(FATAL_ERROR "${def}: no EXPORTS")
  endif()
  # DllMain is no export of a DLL (the loader finds it as the entry point),
  # but here the loader finds it by name, C or C++ (compat/module.c): it
  # stays visible to the loader.
  list(APPEND names DllMain "_Z7DllMain*")
  list(REMOVE_DUPLICATES names)
  set(script "{\n  global:\n")
  foreach(name IN LISTS names)
    string(APPEND script "    ${name};\n")
  endforeach()
  string(APPEND script "  local: *;\n};\n")
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}.exports.ver)
  file(CONFIGURE OUTPUT ${out} CONTENT "${script}")
  target_link_options(${target} PRIVATE -Wl,--version-script=${out} ${aliases})
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${out})
endfunction()

# wmiemu_add_provider_test(NAME name PROVIDER target [MOF file...] QUERY "WQL"
#                          [NAMESPACE ns] [COUNT n] [DURATION seconds]
#                          [EXPLORE iterations] [STRATEGY random|pct] [SEED s]
#                          [EXPECT_VIOLATIONS rule...])
#
# Adds CTest tests that host the provider target with its MOF files (those
# given, else those given to wmiemu_add_provider):
#   name.run      `wmiemu run` until COUNT events (default 1) or DURATION
#                 seconds (default 20) pass; fails on too few events
#   name.explore  `wmiemu explore` under EXPLORE schedules (default 100) of
#                 STRATEGY (default random); EXPLORE 0 adds no such test
# Either fails on any contract violation whose rule is not listed in
# EXPECT_VIOLATIONS, and on any other failure of the command.
function(wmiemu_add_provider_test)
  cmake_parse_arguments(T "" "NAME;PROVIDER;QUERY;NAMESPACE;COUNT;DURATION;EXPLORE;STRATEGY;SEED"
                        "MOF;EXPECT_VIOLATIONS" ${ARGN})
  if(NOT T_NAME OR NOT T_PROVIDER OR NOT T_QUERY OR T_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "wmiemu_add_provider_test(NAME name PROVIDER target QUERY \"WQL\" ...)")
  endif()
  set(mofs "")
  foreach(mof ${T_MOF})
    get_filename_component(mof ${mof} ABSOLUTE)
    list(APPEND mofs ${mof})
  endforeach()
  if(NOT mofs)
    get_target_property(mofs ${T_PROVIDER} WMIEMU_MOF)
  endif()
  if(NOT mofs)
    message(FATAL_ERROR "wmiemu_add_provider_test(${T_NAME}): no MOF files (give MOF here or to wmiemu_add_provider)")
  endif()
  if(NOT DEFINED T_COUNT)
    set(T_COUNT 1)
  endif()
  if(NOT DEFINED T_DURATION)
    set(T_DURATION 20)
  endif()
  if(NOT DEFINED T_EXPLORE)
    set(T_EXPLORE 100)
  endif()
  if(NOT T_STRATEGY)
    set(T_STRATEGY random)
  endif()
  if(NOT T_STRATEGY MATCHES "^(random|pct)$")
    message(FATAL_ERROR "wmiemu_add_provider_test(${T_NAME}): STRATEGY is random or pct")
  endif()
  if(NOT DEFINED T_SEED)
    set(T_SEED 1)
  endif()

  # The arguments go through a generated file: a query holds quotes,
  # backslashes and semicolons that a command line would mangle.
  set(dir ${CMAKE_CURRENT_BINARY_DIR}/wmiemu_tests)
  set(spec ${dir}/${T_NAME}.cmake)
  # Cross-built, the command runs under the toolchain's emulator (wine).
  set(emulator "")
  if(CMAKE_CROSSCOMPILING)
    set(emulator "${CMAKE_CROSSCOMPILING_EMULATOR}")
  endif()
  file(GENERATE OUTPUT ${spec} CONTENT
"set(WMIEMU_EMULATOR [==[${emulator}]==])
set(WMIEMU_CLI [==[$<TARGET_FILE:wmiemu::cli>]==])
set(WMIEMU_MODULE [==[$<TARGET_FILE:${T_PROVIDER}>]==])
set(WMIEMU_MOFS [==[${mofs}]==])
set(WMIEMU_QUERY [==[${T_QUERY}]==])
set(WMIEMU_NAMESPACE [==[${T_NAMESPACE}]==])
set(WMIEMU_COUNT ${T_COUNT})
set(WMIEMU_DURATION ${T_DURATION})
set(WMIEMU_ITERATIONS ${T_EXPLORE})
set(WMIEMU_STRATEGY ${T_STRATEGY})
set(WMIEMU_SEED ${T_SEED})
set(WMIEMU_EXPECT [==[${T_EXPECT_VIOLATIONS}]==])
set(WMIEMU_TRACE [==[${dir}/${T_NAME}.trace.jsonl]==])
")
  add_test(NAME ${T_NAME}.run
           COMMAND ${CMAKE_COMMAND} -DWMIEMU_MODE=run -DWMIEMU_SPEC=${spec}
                   -P ${_wmiemu_cmake_dir}/wmiemuProviderTest.cmake)
  math(EXPR run_timeout "${T_DURATION} + 60")
  set_tests_properties(${T_NAME}.run PROPERTIES TIMEOUT ${run_timeout} LABELS wmiemu)
  # On Windows a DLL's own threads, waits and clock reads are kernel32's,
  # not the scheduler's, so its schedules are not reproducible yet: no
  # explore test there (README, "Windows (MinGW-w64)").
  if(T_EXPLORE GREATER 0 AND WIN32)
    message(STATUS "wmiemu_add_provider_test(${T_NAME}): no ${T_NAME}.explore on Windows (schedules not reproducible there yet)")
  elseif(T_EXPLORE GREATER 0)
    add_test(NAME ${T_NAME}.explore
             COMMAND ${CMAKE_COMMAND} -DWMIEMU_MODE=explore -DWMIEMU_SPEC=${spec}
                     -P ${_wmiemu_cmake_dir}/wmiemuProviderTest.cmake)
    set_tests_properties(${T_NAME}.explore PROPERTIES TIMEOUT 600 LABELS wmiemu)
  endif()
endfunction()
