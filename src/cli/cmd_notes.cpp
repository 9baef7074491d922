// git autoloop notes export|import [--ref R]: share scan results through a notes ref (loop/notes.hpp).
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "core/error.hpp"
#include "loop/context.hpp"
#include "loop/notes.hpp"

#include <cstdio>

namespace cli {

namespace {

struct NotesOptions {
  std::string action;
  std::string ref;
};

} // namespace

std::string usage_notes_ref(const std::string& given) {
  try {
    return loop::notes_ref(given);
  } catch (const core::Error& e) {
    throw core::Fatal(e.what(), k_exit_usage);
  }
}

Runner define_notes(CLI::App& sub) {
  auto o = std::make_shared<NotesOptions>();
  sub.add_option("action", o->action, "export (the blob cache to the notes ref) or import (the notes ref to the cache)")
      ->required()
      ->check(one_of({"export", "import"}));
  sub.add_option("--ref", o->ref, std::string("The notes ref (default ") + loop::k_notes_ref + ")")->type_name("REF");
  sub.footer("Scan results are kept per (blob, rule set). `export` writes the current rule set's results as notes on the "
             "blobs (one commit on the ref; the work tree, index and HEAD are not touched); `import` takes the notes "
             "fetched from others into the cache, checked and bounded, so scanning those blobs parses nothing. Share "
             "the ref with `git push origin refs/notes/autoloop` and `git fetch origin refs/notes/autoloop:refs/notes/autoloop`.");
  return [o](const Global& g) {
    const std::string ref = usage_notes_ref(o->ref);
    loop::Context ctx = loop::Context::open(open_options(g));
    if (o->action == "export") {
      const loop::NotesExport r = loop::export_notes(ctx, ref);
      std::printf("%s: %s written, %d unchanged, %d skipped (timed out, too large or not in this repository)\n",
                  r.ref.c_str(), counted(r.written, "note").c_str(), r.unchanged, r.skipped);
      if (r.written) std::printf("share it: git push origin %s\n", r.ref.c_str());
      return k_exit_ok;
    }
    const loop::NotesImport r = loop::import_notes(ctx, ref);
    if (!r.found) {
      std::printf("%s does not exist: nothing to import (fetch it first: git fetch origin %s:%s)\n", r.ref.c_str(),
                  r.ref.c_str(), r.ref.c_str());
      return k_exit_ok;
    }
    std::printf("%s: %s imported, %d already cached, %d for another rule set, %d on objects not in this repository, "
                "%d rejected\n",
                r.ref.c_str(), counted(r.imported, "result").c_str(), r.known, r.other_ruleset, r.missing,
                r.rejected);
    if (!r.stopped.empty()) std::fprintf(stderr, "git-autoloop: import stopped early: %s\n", r.stopped.c_str());
    return k_exit_ok;
  };
}

} // namespace cli
