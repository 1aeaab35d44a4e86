find_package(CLI11 CONFIG REQUIRED)  # CLI11::CLI11 (Debian libcli11-dev)
