find_package(PROJ CONFIG REQUIRED)  # PROJ::proj (Debian libproj-dev)
