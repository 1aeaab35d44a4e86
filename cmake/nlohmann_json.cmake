find_package(nlohmann_json CONFIG REQUIRED)  # nlohmann_json::nlohmann_json, private to scenarios, territory, viz
