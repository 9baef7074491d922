// loop/notes: the note format (round trip, hostile input), the result checks, export to and import from a
// notes ref of a real repository (git reads what we write, we read what git writes), and ci's cache.
#include "loop/notes.hpp"

#include "../support/loop_context.hpp"
#include "../support/temp_repo.hpp"

#include "core/error.hpp"
#include "scan/language.hpp"
#include "scan/scanner.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

using test_support::TempRepo;

namespace {

const std::string k_ruleset_a = "0123456789abcdef0123456789abcdef";
const std::string k_ruleset_b = "fedcba9876543210fedcba9876543210";

const std::string k_source = "import os\n\ndef load(text):\n    return eval(text)\n\nif x == None:\n    print(1)\n";

scan::Rule python_rule(const std::string& id, const std::string& function) {
  scan::Rule r;
  r.id = id;
  r.languages = {"python"};
  r.category = core::Category::security_fixes;
  r.severity = "error";
  r.safety = core::Safety::suggest;
  r.message = "found {{fn}}";
  r.query = "((call function: (identifier) @fn) @match (#eq? @fn \"" + function + "\"))";
  r.source = "test:" + id;
  return r;
}

std::vector<scan::Rule> rules() { return {python_rule("t/eval", "eval"), python_rule("t/print", "print")}; }

const scan::LanguageProfile& python() { return *scan::language_by_name("python"); }

// A result's payload with one field of its first finding replaced (hostile edits).
std::string with_finding_field(const std::string& payload, const std::string& key, const nlohmann::json& value) {
  auto j = nlohmann::json::parse(payload);
  j["findings"][0][key] = value;
  return j.dump();
}

} // namespace

TEST_CASE("format_note and parse_note round trip", "[loop][notes]") {
  const std::vector<loop::NoteLine> lines = {{k_ruleset_a, "{\"v\":4}"}, {k_ruleset_b, "{\"a\":[1,2]}"}};
  const std::string text = loop::format_note(lines);
  CHECK(text == "autoloop-scan 1 " + k_ruleset_a + " {\"v\":4}\nautoloop-scan 1 " + k_ruleset_b + " {\"a\":[1,2]}\n");
  const loop::ParsedNote parsed = loop::parse_note(text);
  REQUIRE(parsed.lines.size() == 2);
  CHECK(parsed.lines[0].ruleset == k_ruleset_a);
  CHECK(parsed.lines[0].payload == "{\"v\":4}");
  CHECK(parsed.lines[1].payload == "{\"a\":[1,2]}");
  CHECK(parsed.malformed + parsed.foreign + parsed.other_version == 0);
  // The last line may lack its newline (a note written by hand).
  CHECK(loop::parse_note(text.substr(0, text.size() - 1)).lines.size() == 2);
}

TEST_CASE("parse_note refuses hostile notes", "[loop][notes]") {
  const std::string good = "autoloop-scan 1 " + k_ruleset_a + " {\"v\":4}";
  SECTION("huge: nothing is read") {
    std::string huge = good + "\n" + std::string(loop::k_max_note_bytes, 'x');
    auto parsed = loop::parse_note(huge);
    CHECK(parsed.too_large);
    CHECK(parsed.lines.empty());
  }
  SECTION("truncated: a line cut short is dropped, the whole lines stay") {
    auto parsed = loop::parse_note(good + "\n" + good.substr(0, good.size() - 3));
    CHECK(parsed.lines.size() == 1);
    CHECK(parsed.malformed == 1);
    CHECK(loop::parse_note("autoloop-scan 1 " + k_ruleset_a.substr(0, 20)).lines.empty());
    CHECK(loop::parse_note("autoloop-scan").lines.empty());
  }
  SECTION("another version is not ours to read") {
    auto parsed = loop::parse_note("autoloop-scan 2 " + k_ruleset_a + " {\"v\":4}\n");
    CHECK(parsed.lines.empty());
    CHECK(parsed.other_version == 1);
    CHECK(loop::parse_note("autoloop-scan 99999999999 " + k_ruleset_a + " {}").malformed == 1);
  }
  SECTION("a malformed hash, payload or control character") {
    for (const std::string& line : {"autoloop-scan 1 " + std::string(32, 'G') + " {}",
                                    "autoloop-scan 1 " + std::string(31, 'a') + " {}",
                                    "autoloop-scan 1 " + k_ruleset_a + " [1]",
                                    "autoloop-scan 1 " + k_ruleset_a + " {\"a\":\"\x01\"}",
                                    "autoloop-scan x " + k_ruleset_a + " {}"}) {
      INFO(line);
      auto parsed = loop::parse_note(line);
      CHECK(parsed.lines.empty());
      CHECK(parsed.malformed == 1);
    }
  }
  SECTION("someone else's text is foreign") {
    auto parsed = loop::parse_note("Reviewed-by: someone\n" + good + "\n");
    CHECK(parsed.foreign == 1);
    CHECK(parsed.lines.size() == 1);
  }
  SECTION("more lines than a note holds") {
    std::string many;
    for (size_t i = 0; i < loop::k_max_note_lines + 3; ++i) many += good + "\n";
    auto parsed = loop::parse_note(many);
    CHECK(parsed.lines.size() == loop::k_max_note_lines);
    CHECK(parsed.malformed == 3);
  }
}

TEST_CASE("note_with puts ours first, keeps other rule sets and refuses foreign notes", "[loop][notes]") {
  const loop::NoteLine ours{k_ruleset_a, "{\"new\":1}"};
  CHECK(loop::note_with("", ours) == loop::format_note({ours}));
  const std::string theirs = loop::format_note({{k_ruleset_b, "{\"b\":1}"}, {k_ruleset_a, "{\"old\":1}"}});
  CHECK(loop::note_with(theirs, ours) == loop::format_note({ours, {k_ruleset_b, "{\"b\":1}"}}));
  CHECK_FALSE(loop::note_with("my own note\n", ours));
  CHECK_FALSE(loop::note_with(std::string(loop::k_max_note_bytes + 1, 'a'), ours));
  std::string full;
  for (size_t i = 0; i < loop::k_max_note_lines; ++i)
    full += loop::format_note({{std::string(31, 'c') + std::to_string(i % 10), "{}"}});
  auto capped = loop::note_with(full, ours);
  REQUIRE(capped);
  CHECK(loop::parse_note(*capped).lines.size() == loop::k_max_note_lines);
  CHECK(loop::parse_note(*capped).lines.front().payload == ours.payload);
}

TEST_CASE("ResultCheck accepts the engine's results and refuses forged ones", "[loop][notes]") {
  scan::Engine engine{rules()};
  const loop::ResultCheck check(engine);
  const scan::FileResult result = engine.scan(python(), k_source);
  REQUIRE(result.findings.size() == 2);
  const std::string payload = scan::to_payload(result);

  auto accepted = check(payload, k_source.size());
  REQUIRE(accepted);
  CHECK(scan::to_payload(*accepted) == payload);

  SECTION("ranges outside the blob") {
    CHECK_FALSE(check(payload, 10));
    CHECK_FALSE(check(with_finding_field(payload, "b", {5, 1}), k_source.size()));
    CHECK_FALSE(check(with_finding_field(payload, "l", {0, 1}), k_source.size()));
    CHECK_FALSE(check(with_finding_field(payload, "l", {3, 1000000}), k_source.size()));
  }
  SECTION("a rule that is not ours") { CHECK_FALSE(check(with_finding_field(payload, "rule", "t/other"), k_source.size())); }
  SECTION("wrong shapes and numbers never crash") {
    CHECK_FALSE(check(with_finding_field(payload, "l", nlohmann::json::array()), k_source.size()));
    CHECK_FALSE(check(with_finding_field(payload, "l", {1.5, 2}), k_source.size()));
    CHECK_FALSE(check(with_finding_field(payload, "b", {-1, 2}), k_source.size()));
    CHECK_FALSE(check(with_finding_field(payload, "b", {0, 1e300}), k_source.size()));
    CHECK_FALSE(check(with_finding_field(payload, "caps", {{"fn", 1}}), k_source.size()));
    CHECK_FALSE(check(with_finding_field(payload, "msg", 7), k_source.size()));
    CHECK_FALSE(check("{\"v\":4}", k_source.size()));
    CHECK_FALSE(check("[]", k_source.size()));
    CHECK_FALSE(check(payload.substr(0, payload.size() / 2), k_source.size()));
  }
  SECTION("another payload version, a timed-out or unknown-language result") {
    auto j = nlohmann::json::parse(payload);
    j["v"] = 3;
    CHECK_FALSE(check(j.dump(), k_source.size()));
    j["v"] = 4;
    j["timed_out"] = true;
    CHECK_FALSE(check(j.dump(), k_source.size()));
    j["timed_out"] = false;
    j["language"] = "cobol";
    CHECK_FALSE(check(j.dump(), k_source.size()));
  }
}

TEST_CASE("notes_ref names a ref under refs/notes/ other than git's own", "[loop][notes]") {
  CHECK(loop::notes_ref("") == "refs/notes/autoloop");
  CHECK(loop::notes_ref("team") == "refs/notes/team");
  CHECK(loop::notes_ref("refs/notes/ci/scans") == "refs/notes/ci/scans");
  CHECK_THROWS_AS(loop::notes_ref("refs/heads/main"), core::Error);
  CHECK_THROWS_AS(loop::notes_ref("commits"), core::Error);
  CHECK_THROWS_AS(loop::notes_ref("refs/notes/commits"), core::Error);
  CHECK_THROWS_AS(loop::notes_ref("bad..name"), core::Error);
}

TEST_CASE("export_results writes notes git reads, and NotesCache reads them back", "[loop][notes]") {
  TempRepo repo("notes");
  repo.write("app.py", k_source);
  repo.write("README", "not python\n");
  repo.commit("base");
  repo.git({"notes", "--ref=refs/notes/mine", "add", "-m", "my note", "HEAD"});
  const std::string blob = repo.rev("HEAD:app.py");
  const std::string head = repo.head();
  const std::string status = repo.git({"status", "--porcelain"});
  const std::string mine = repo.rev("refs/notes/mine");

  git::Repository r = git::Repository::open(repo.path());
  scan::Engine engine{rules()};
  const scan::FileResult result = engine.scan(python(), k_source);
  const std::string payload = scan::to_payload(result);
  const git::Signature who{"Test", "test@example.com"};
  // A payload for a blob this repository lacks is skipped.
  const std::string absent(40, 'e');
  auto written = loop::export_results(r, loop::k_notes_ref, engine.ruleset_hash(), {{blob, payload}, {absent, payload}}, who);
  CHECK(written.written == 1);
  CHECK(written.skipped == 1);

  // git reads the note; nothing else moved.
  CHECK(repo.git({"notes", "--ref=autoloop", "show", blob}) ==
        "autoloop-scan 1 " + engine.ruleset_hash() + " " + payload);
  CHECK(repo.head() == head);
  CHECK(repo.git({"status", "--porcelain"}) == status);
  CHECK(repo.rev("refs/notes/mine") == mine);

  // The same results again: nothing to write, no new commit.
  const std::string tip = repo.rev("refs/notes/autoloop");
  CHECK(loop::export_results(r, loop::k_notes_ref, engine.ruleset_hash(), {{blob, payload}}, who).unchanged == 1);
  CHECK(repo.rev("refs/notes/autoloop") == tip);

  SECTION("NotesCache returns the same result, and counts it") {
    auto cache = loop::NotesCache::open(r, engine, loop::k_notes_ref, false);
    REQUIRE(cache);
    auto found = cache->find(blob, python(), k_source);
    REQUIRE(found);
    CHECK(scan::to_payload(*found) == payload);
    CHECK(cache->reused() == 1);
    CHECK_FALSE(cache->find(repo.rev("HEAD:README"), python(), "not python\n"));
    // Another language's request (a header read as C++ there) is not served.
    CHECK_FALSE(cache->find(blob, *scan::language_by_name("javascript"), k_source));
  }
  SECTION("another rule set finds nothing") {
    scan::Engine other{{python_rule("t/eval", "eval")}};
    REQUIRE(other.ruleset_hash() != engine.ruleset_hash());
    auto cache = loop::NotesCache::open(r, other, loop::k_notes_ref, false);
    REQUIRE(cache);
    CHECK_FALSE(cache->find(blob, python(), k_source));
    CHECK(cache->rejected() == 0);
    // Its export keeps our line after its own.
    loop::export_results(r, loop::k_notes_ref, other.ruleset_hash(), {{blob, scan::to_payload(other.scan(python(), k_source))}}, who);
    auto both = loop::parse_note(repo.git({"notes", "--ref=autoloop", "show", blob}));
    REQUIRE(both.lines.size() == 2);
    CHECK(both.lines[0].ruleset == other.ruleset_hash());
    CHECK(both.lines[1].ruleset == engine.ruleset_hash());
  }
  SECTION("a forged result for our rule set is rejected") {
    const std::string forged = with_finding_field(payload, "b", {0, 100000});
    repo.git({"notes", "--ref=autoloop", "add", "-f", "-m", "autoloop-scan 1 " + engine.ruleset_hash() + " " + forged, blob});
    auto cache = loop::NotesCache::open(r, engine, loop::k_notes_ref, false);
    REQUIRE(cache);
    CHECK_FALSE(cache->find(blob, python(), k_source));
    CHECK(cache->rejected() == 1);
  }
  SECTION("a ref with someone else's note is refused, and left as it was") {
    repo.git({"notes", "--ref=autoloop", "add", "-f", "-m", "a note of mine", blob});
    const std::string before = repo.rev("refs/notes/autoloop");
    CHECK_THROWS_AS(loop::export_results(r, loop::k_notes_ref, engine.ruleset_hash(), {{blob, payload}}, who), core::Error);
    CHECK(repo.rev("refs/notes/autoloop") == before);
  }
}

TEST_CASE("import_notes fills the blob cache with checked results of our rule set", "[loop][notes]") {
  TempRepo repo("notes-import");
  repo.write("app.py", k_source);
  repo.write("b.py", "print(2)\n");
  repo.commit("base");
  loop::Context ctx = test_support::open_ctx(repo);
  const scan::Engine& engine = ctx.engine();
  const std::string app = repo.rev("HEAD:app.py"), b = repo.rev("HEAD:b.py");
  const std::string payload = scan::to_payload(engine.scan(python(), k_source));
  const git::Signature who{"Test", "test@example.com"};

  SECTION("no ref: nothing") { CHECK_FALSE(loop::import_notes(ctx, loop::k_notes_ref).found); }
  SECTION("ours imported once; a forged one, another rule set's and a missing blob's are not") {
    loop::export_results(ctx.repo, loop::k_notes_ref, engine.ruleset_hash(), {{app, payload}}, who);
    const std::string forged = with_finding_field(payload, "b", {0, 100000});
    repo.git({"notes", "--ref=autoloop", "add", "-m", "autoloop-scan 1 " + engine.ruleset_hash() + " " + forged, b});
    const std::string elsewhere = ctx.repo.write_blob("print(3)\n");
    repo.git({"notes", "--ref=autoloop", "add", "-m", "autoloop-scan 1 " + k_ruleset_b + " " + payload, elsewhere});
    // git notes refuses an object it does not have; a hostile ref need not.
    auto notes = git::Notes::open(ctx.repo, loop::k_notes_ref);
    REQUIRE(notes);
    const std::string text = ctx.repo.write_blob(loop::format_note({{engine.ruleset_hash(), payload}}));
    REQUIRE(git::write_notes(ctx.repo, loop::k_notes_ref, &*notes, {{std::string(40, 'd'), text}}, who, "hostile\n"));

    auto r = loop::import_notes(ctx, loop::k_notes_ref);
    CHECK(r.found);
    CHECK(r.imported == 1);
    CHECK(r.rejected == 1);
    CHECK(r.other_ruleset == 1);
    CHECK(r.missing == 1);
    CHECK(ctx.store().cached_payload(app, engine.ruleset_hash()) == payload);
    CHECK_FALSE(ctx.store().cached_payload(b, engine.ruleset_hash()));
    CHECK(loop::import_notes(ctx, loop::k_notes_ref).known == 1);
  }
  SECTION("export_notes writes what the cache holds under the current rule set") {
    ctx.store().put_cached_payload(app, engine.ruleset_hash(), payload);
    ctx.store().put_cached_payload(b, k_ruleset_b, payload);
    auto r = loop::export_notes(ctx, loop::k_notes_ref);
    CHECK(r.written == 1);
    CHECK(repo.git({"notes", "--ref=autoloop", "list"}).find(app) != std::string::npos);
    CHECK(repo.git({"notes", "--ref=autoloop", "list"}).find(b) == std::string::npos);
  }
}

TEST_CASE("scan_range with a NotesCache parses nothing the notes hold, with the same findings", "[loop][notes]") {
  TempRepo repo("notes-ci");
  repo.write("app.py", "def f():\n    return 1\n");
  repo.commit("base");
  repo.write("app.py", k_source);
  repo.write("new.py", "print(eval('1'))\n");
  repo.commit("change");
  git::Repository r = git::Repository::open(repo.path());
  scan::Engine engine{rules()};
  const core::Config config = core::default_config();
  const std::string base = repo.rev("HEAD~1"), head = repo.head();

  const loop::RangeReport cold = loop::scan_range(r, engine, config, base, head);
  loop::NotesCache collecting(r, engine);
  const loop::RangeReport first = loop::scan_range(r, engine, config, base, head, &collecting);
  CHECK(first.versions_parsed == 3);
  CHECK(first.versions_reused == 0);
  CHECK(collecting.collected().size() == 3);
  loop::export_results(r, loop::k_notes_ref, engine.ruleset_hash(), collecting.collected(), {"Test", "test@example.com"});

  auto cache = loop::NotesCache::open(r, engine, loop::k_notes_ref, false);
  REQUIRE(cache);
  const loop::RangeReport warm = loop::scan_range(r, engine, config, base, head, &*cache);
  CHECK(warm.versions_parsed == 0);
  CHECK(warm.versions_reused == 3);
  REQUIRE(warm.introduced.size() == cold.introduced.size());
  REQUIRE_FALSE(cold.introduced.empty());
  for (size_t i = 0; i < cold.introduced.size(); ++i) {
    CHECK(warm.introduced[i].rule_id == cold.introduced[i].rule_id);
    CHECK(warm.introduced[i].path == cold.introduced[i].path);
    CHECK(warm.introduced[i].finding.start_line == cold.introduced[i].finding.start_line);
    CHECK(warm.introduced[i].finding.fingerprint == cold.introduced[i].finding.fingerprint);
  }
}
