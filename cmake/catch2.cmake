find_package(Catch2 CONFIG REQUIRED)  # Catch2::Catch2 (Debian catch2, v2 single header)
include(Catch)                        # catch_discover_tests
