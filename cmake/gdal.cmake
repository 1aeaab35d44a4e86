find_package(GDAL CONFIG REQUIRED)  # GDAL::GDAL (Debian libgdal-dev)
