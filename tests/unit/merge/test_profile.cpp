#include "merge/profile.hpp"

#include <catch2/catch.hpp>

#include "scan/language.hpp"
#include "scan/syntax_tree.hpp"

#include <string>

TEST_CASE("merge_profile") {
  SECTION("every supported language has a profile: its table's merge part") {
    for (const auto& lang : scan::languages()) {
      INFO(std::string(lang.name));
      CHECK(merge::merge_profile(lang.name) == &lang.merge);
    }
    CHECK(merge::merge_profile("cobol") == nullptr);
  }

  SECTION("every node kind a profile names exists in its grammar") {
    for (const auto& lang : scan::languages()) {
      const merge::MergeProfile& p = lang.merge;
      for (const auto& d : p.declarations) {
        INFO(std::string(lang.name) + " declaration " + std::string(d.kind));
        CHECK(scan::has_node_kind(lang, d.kind));
        CHECK_FALSE(d.group.empty());
      }
      for (const auto& k : p.set_kinds) {
        INFO(std::string(lang.name) + " set " + std::string(k.kind));
        CHECK(scan::has_node_kind(lang, k.kind));
      }
      for (auto k : p.detail_kinds) {
        INFO(std::string(lang.name) + " detail " + std::string(k));
        CHECK((scan::has_node_kind(lang, k) || scan::has_node_kind(lang, k, false)));
      }
      for (auto k : p.section_kinds) {
        INFO(std::string(lang.name) + " section " + std::string(k));
        CHECK(scan::has_node_kind(lang, k));
      }
      for (auto k : p.glue_kinds) {
        INFO(std::string(lang.name) + " glue " + std::string(k));
        CHECK(scan::has_node_kind(lang, k));
      }
    }
  }

  SECTION("a kind is declared at most once per language") {
    for (const auto& lang : scan::languages())
      for (size_t i = 0, n = lang.merge.declarations.size(); i < n; ++i)
        for (size_t j = i + 1; j < n; ++j) {
          INFO(std::string(lang.name) + " " + std::string(lang.merge.declarations[i].kind));
          CHECK(lang.merge.declarations[i].kind != lang.merge.declarations[j].kind);
        }
  }
}
