#include "scan/lineage.hpp"

#include "../support/temp_repo.hpp"

#include <string>
#include <vector>

using scan::Lineage;
using test_support::TempRepo;

namespace {

queue::Opportunity seen_at(queue::Store& store, const std::string& fingerprint, const std::string& commit) {
  queue::Opportunity o;
  o.fingerprint = fingerprint;
  o.rule_id = "t/rule";
  o.path = "a.py";
  o.commit_id = commit;
  store.upsert_opportunity(o);
  return o;
}

} // namespace

TEST_CASE("Lineage") {
  // main: c1 - c2; feat: c1 - f1 - f2 (one second: the answers must not depend on commit dates).
  TempRepo repo("lineage");
  repo.write("a.txt", "1\n");
  std::string c1 = repo.commit();
  repo.write("a.txt", "2\n");
  std::string c2 = repo.commit();
  repo.git({"checkout", "-q", "-b", "feat", c1});
  repo.write("f.txt", "1\n");
  std::string f1 = repo.commit();
  repo.write("f.txt", "2\n");
  std::string f2 = repo.commit();
  repo.git({"checkout", "-q", "main"});
  git::Repository r = git::Repository::open(repo.path());
  queue::Store store = queue::Store::open(repo.git_dir() / "autoloop" / "queue.db");
  Lineage lineage(r, store, "autoloop/");

  auto only_feat = seen_at(store, "x", f1);
  auto shared = seen_at(store, "y", c1);

  SECTION("a finding seen only on feat is not main's") {
    CHECK_FALSE(lineage.alive_at(only_feat.id, c2));
    CHECK(lineage.alive_at(only_feat.id, f2));
    CHECK(lineage.alive_on_a_branch(only_feat.id));
  }
  SECTION("a finding seen before the branches parted is both's") {
    CHECK(lineage.alive_at(shared.id, c2));
    CHECK(lineage.alive_at(shared.id, f2));
  }
  SECTION("found gone on feat: no longer feat's, still main's") {
    store.record_sighting(shared.id, f2, false);
    CHECK_FALSE(lineage.alive_at(shared.id, f2));
    CHECK(lineage.alive_at(shared.id, f1));
    CHECK(lineage.alive_at(shared.id, c2));
    CHECK(lineage.alive_on_a_branch(shared.id));
    SECTION("and gone on main too: on no branch") {
      store.record_sighting(shared.id, c2, false);
      CHECK_FALSE(Lineage(r, store, "autoloop/").alive_on_a_branch(shared.id));
    }
  }
  SECTION("seen again after it was gone: alive") {
    store.record_sighting(shared.id, f1, false);
    store.record_sighting(shared.id, f2, true);
    CHECK(lineage.alive_at(shared.id, f2));
    CHECK_FALSE(lineage.alive_at(shared.id, f1));
  }
  SECTION("side branches are not lines of their own") {
    repo.git({"branch", "-q", "autoloop/main", c1});
    store.record_sighting(shared.id, c2, false);
    store.record_sighting(shared.id, f2, false);
    CHECK_FALSE(Lineage(r, store, "autoloop/").alive_on_a_branch(shared.id));
    CHECK(Lineage(r, store, "other/").alive_on_a_branch(shared.id));
  }
  SECTION("a finding never seen at a commit (asked for with improve) is everywhere") {
    queue::Opportunity asked;
    asked.fingerprint = "asked";
    asked.rule_id = "improve/x";
    asked.origin = core::Origin::generator_request;
    asked.path = "a.py";
    store.upsert_opportunity(asked);
    CHECK(lineage.alive_at(asked.id, c2));
    CHECK(lineage.alive_at(asked.id, f2));
  }
  SECTION("findings of no branch: seen only on a branch deleted unmerged") {
    auto all = store.opportunities({});
    CHECK(lineage.alive_on_no_branch(all).empty());
    repo.git({"branch", "-q", "-D", "feat"});
    Lineage after(r, store, "autoloop/");
    auto gone = after.alive_on_no_branch(store.opportunities({}));
    REQUIRE(gone.size() == 1);
    CHECK(gone[0].id == only_feat.id);
  }
  SECTION("many at once: the same answers, in the given order") {
    store.record_sighting(shared.id, f2, false);
    auto all = store.opportunities({});
    std::vector<int64_t> on_main, on_feat;
    for (const auto& o : lineage.alive_at(all, c2)) on_main.push_back(o.id);
    for (const auto& o : lineage.alive_at(all, f2)) on_feat.push_back(o.id);
    CHECK(on_main == std::vector<int64_t>{shared.id});
    CHECK(on_feat == std::vector<int64_t>{only_feat.id});
  }
}
