#include "core/layout.hpp"

#include "../support/temp_repo.hpp"

#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;

TEST_CASE("Layout") {
  const fs::path common = "/repo/.git";
  const core::Layout layout = core::Layout::of_common_dir(common);

  SECTION("everything lies directly under <common_dir>/autoloop (the builtin-rules cache one level deeper)") {
    CHECK(layout.root() == common / "autoloop");
    const std::vector<fs::path> direct = {layout.queue_db(),        layout.spool(),      layout.drain_lock(),
                                          layout.drain_wait_lock(), layout.scan_lock(),  layout.stop_file(),
                                          layout.trust_file(),      layout.local_config(), layout.log_dir(),
                                          layout.cache_dir(),       layout.worktrees(),  layout.notices(),
                                          layout.notices_taken(42), layout.last_error()};
    std::set<fs::path> distinct;
    for (const auto& p : direct) {
      CHECK(p.parent_path() == layout.root());
      CHECK(p.filename() != "..");
      distinct.insert(p);
    }
    CHECK(distinct.size() == direct.size());
    CHECK(layout.builtin_rules_cache().parent_path() == layout.cache_dir());
  }

  SECTION("the names the hooks, the worker and the tests rely on") {
    CHECK(layout.queue_db().filename() == "queue.db");
    CHECK(layout.spool().filename() == "spool");
    CHECK(layout.drain_lock().filename() == "drain.lock");
    CHECK(layout.scan_lock().filename() == "scan.lock");
    CHECK(layout.stop_file().filename() == "STOP");
    CHECK(layout.trust_file().filename() == "trust");
    CHECK(layout.local_config().filename() == "config.yml");
    CHECK(layout.log_dir().filename() == "log");
    CHECK(layout.worktrees().filename() == "worktrees");
    CHECK(layout.notices_taken(42).filename() == "notices.42");
    CHECK(layout.last_error().filename() == "last-error");
  }

  SECTION("a layout built on a data dir names the same files as one built on its common dir") {
    CHECK(core::Layout(common / "autoloop").spool() == layout.spool());
  }
}
