find_package(OpenSSL REQUIRED)  # OpenSSL::Crypto (Debian libssl-dev): SHA-256 of input files
