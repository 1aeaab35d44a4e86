find_package(fmt CONFIG REQUIRED)  # fmt::fmt (Debian libfmt-dev)
