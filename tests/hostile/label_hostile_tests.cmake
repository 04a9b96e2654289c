# Included by ctest after the discovered hostile tests are defined (see CMakeLists.txt).
set_tests_properties(${hostile_test_names} PROPERTIES LABELS "unit;hostile")
