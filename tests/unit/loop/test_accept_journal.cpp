#include "loop/accept_files.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

TEST_CASE("journal_name") {
  SECTION("a UTF-8 name is a string") {
    CHECK(loop::journal_name("dir/caf\xc3\xa9.py") == nlohmann::json("dir/caf\xc3\xa9.py"));
  }
  SECTION("any other bytes survive a dump and a parse, as hex") {
    for (const std::string& name : {std::string("latin\xe9\xff.py"), std::string("\xc0\xaf"), std::string("\xed\xa0\x80"),
                                   std::string("cut\xc3")}) {
      const nlohmann::json j = {{"path", loop::journal_name(name)}};
      CHECK(j["path"].is_object());
      const auto back = nlohmann::json::parse(j.dump());
      CHECK(loop::journal_name_at(back, "path") == name);
    }
  }
  SECTION("a NUL is UTF-8: a string, which JSON escapes") {
    const std::string name("nul\0in", 6);
    const nlohmann::json j = {{"path", loop::journal_name(name)}};
    CHECK(loop::journal_name_at(nlohmann::json::parse(j.dump()), "path") == name);
  }
  SECTION("a missing or malformed entry is the fallback") {
    CHECK(loop::journal_name_at(nlohmann::json::object(), "path", "none") == "none");
    CHECK(loop::journal_name_at({{"path", 3}}, "path", "none") == "none");
  }
}
