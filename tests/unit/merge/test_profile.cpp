#include "merge/profile.hpp"

#include <catch2/catch.hpp>

#include "scan/language.hpp"
#include "scan/syntax_tree.hpp"

#include <string>

TEST_CASE("merge_profile") {
  SECTION("every supported language has a profile, in the scan table's order") {
    const auto& profiles = merge::merge_profiles();
    REQUIRE(profiles.size() == scan::languages().size());
    for (size_t i = 0; i < profiles.size(); ++i) CHECK(profiles[i].language == scan::languages()[i].name);
    CHECK(merge::merge_profile("python") == &profiles[0]);
    CHECK(merge::merge_profile("cobol") == nullptr);
  }

  SECTION("every node kind a profile names exists in its grammar") {
    for (const auto& p : merge::merge_profiles()) {
      const scan::LanguageProfile& lang = *scan::language_by_name(p.language);
      for (const auto& d : p.declarations) {
        INFO(std::string(p.language) + " declaration " + std::string(d.kind));
        CHECK(scan::has_node_kind(lang, d.kind));
        CHECK_FALSE(d.group.empty());
      }
      for (const auto& k : p.set_kinds) {
        INFO(std::string(p.language) + " set " + std::string(k.kind));
        CHECK(scan::has_node_kind(lang, k.kind));
      }
      for (auto k : p.detail_kinds) {
        INFO(std::string(p.language) + " detail " + std::string(k));
        CHECK((scan::has_node_kind(lang, k) || scan::has_node_kind(lang, k, false)));
      }
      for (auto k : p.section_kinds) {
        INFO(std::string(p.language) + " section " + std::string(k));
        CHECK(scan::has_node_kind(lang, k));
      }
      for (auto k : p.glue_kinds) {
        INFO(std::string(p.language) + " glue " + std::string(k));
        CHECK(scan::has_node_kind(lang, k));
      }
    }
  }

  SECTION("a kind is declared at most once per language") {
    for (const auto& p : merge::merge_profiles())
      for (size_t i = 0; i < p.declarations.size(); ++i)
        for (size_t j = i + 1; j < p.declarations.size(); ++j) {
          INFO(std::string(p.language) + " " + std::string(p.declarations[i].kind));
          CHECK(p.declarations[i].kind != p.declarations[j].kind);
        }
  }
}
