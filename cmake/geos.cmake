find_package(GEOS CONFIG REQUIRED)  # GEOS::geos_c (Debian libgeos-dev); geo/ defines GEOS_USE_ONLY_R_API
