find_package(TBB CONFIG REQUIRED)  # TBB::tbb (Debian libtbb-dev, oneTBB)
