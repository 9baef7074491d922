#include "loop/notes.hpp"

#include "core/error.hpp"
#include "loop/context.hpp"
#include "scan/language.hpp"
#include "scan/scanner.hpp"

#include <algorithm>

namespace loop {

namespace {

constexpr std::string_view k_prefix = "autoloop-scan ";
constexpr size_t k_ruleset_digits = 32;   // scan::hash_hex

bool is_lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_digits(std::string_view s) {
  return !s.empty() && s.size() <= 9 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The next space-separated field of `rest` (consumed), or nullopt when there is no space left.
std::optional<std::string_view> field(std::string_view& rest) {
  const size_t space = rest.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  std::string_view out = rest.substr(0, space);
  rest.remove_prefix(space + 1);
  return out;
}

enum class LineKind { ours, other_version, malformed, foreign };

// Classifies one line of a note, filling `out` for ours.
LineKind classify(std::string_view line, NoteLine& out) {
  if (line.substr(0, k_prefix.size()) != k_prefix) return LineKind::foreign;
  std::string_view rest = line.substr(k_prefix.size());
  auto version = field(rest);
  if (!version || !is_digits(*version)) return LineKind::malformed;
  if (*version != std::to_string(k_notes_format)) return LineKind::other_version;
  auto ruleset = field(rest);
  if (!ruleset || ruleset->size() != k_ruleset_digits || !is_lower_hex(*ruleset)) return LineKind::malformed;
  // The payload is one JSON object on the line; control characters never occur in what to_payload writes.
  if (rest.size() < 2 || rest.front() != '{' || rest.back() != '}') return LineKind::malformed;
  if (std::any_of(rest.begin(), rest.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
    return LineKind::malformed;
  out.ruleset = std::string(*ruleset);
  out.payload = std::string(rest);
  return LineKind::ours;
}

// Calls f(line) for each line of `text` (a last line without its newline included).
template <class F> void each_line(std::string_view text, F f) {
  while (!text.empty()) {
    const size_t end = text.find('\n');
    f(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

// What a note's text holds for one rule set.
struct Lookup {
  std::optional<scan::FileResult> result;   // the first line for the rule set that passes the checks
  bool for_ruleset = false;                 // some line names the rule set (it may have failed them)
};

Lookup result_in(std::string_view text, const std::string& ruleset, size_t blob_size, const ResultCheck& check) {
  Lookup out;
  const ParsedNote note = parse_note(text);
  for (const auto& line : note.lines) {
    if (line.ruleset != ruleset) continue;
    out.for_ruleset = true;
    if ((out.result = check(line.payload, blob_size))) break;
  }
  return out;
}

} // namespace

std::string format_note(const std::vector<NoteLine>& lines) {
  std::string out;
  for (const auto& l : lines)
    out += std::string(k_prefix) + std::to_string(k_notes_format) + " " + l.ruleset + " " + l.payload + "\n";
  return out;
}

ParsedNote parse_note(std::string_view text) {
  ParsedNote out;
  if (text.size() > k_max_note_bytes) {
    out.too_large = true;
    return out;
  }
  size_t lines = 0;
  each_line(text, [&](std::string_view line) {
    if (line.empty()) return;
    if (++lines > k_max_note_lines) {
      ++out.malformed;
      return;
    }
    NoteLine parsed;
    switch (classify(line, parsed)) {
    case LineKind::ours: out.lines.push_back(std::move(parsed)); break;
    case LineKind::other_version: ++out.other_version; break;
    case LineKind::malformed: ++out.malformed; break;
    case LineKind::foreign: ++out.foreign; break;
    }
  });
  return out;
}

std::optional<std::string> note_with(std::string_view existing, const NoteLine& ours) {
  if (existing.size() > k_max_note_bytes) return std::nullopt;
  std::vector<std::string> kept;
  bool foreign = false;
  each_line(existing, [&](std::string_view line) {
    if (line.empty()) return;
    NoteLine parsed;
    switch (classify(line, parsed)) {
    case LineKind::ours:
      if (parsed.ruleset != ours.ruleset) kept.emplace_back(line);
      break;
    case LineKind::other_version: kept.emplace_back(line); break;
    case LineKind::malformed: break;   // ours, broken: replaced
    case LineKind::foreign: foreign = true; break;
    }
  });
  if (foreign) return std::nullopt;
  std::string out = format_note({ours});
  for (size_t i = 0; i < kept.size() && i + 1 < k_max_note_lines; ++i) out += kept[i] + "\n";
  return out;
}

ResultCheck::ResultCheck(const scan::Engine& engine) {
  for (const auto& r : engine.rules())
    if (r.enabled) m_rules.insert(r.id);
}

std::optional<scan::FileResult> ResultCheck::operator()(const std::string& payload, size_t blob_size) const {
  auto result = scan::from_payload(payload);
  if (!result || result->timed_out || !scan::language_by_name(result->language)) return std::nullopt;
  // A text of n bytes has at most n + 1 lines.
  const long long max_line = static_cast<long long>(blob_size) + 1;
  auto line_range = [&](int a, int b, int lowest) { return a >= lowest && a <= b && b <= max_line; };
  auto byte_range = [&](uint32_t a, uint32_t b) { return a <= b && b <= blob_size; };
  if (result->lines < 0 || result->lines > max_line || result->debt_markers < 0 || result->syntax_errors < 0)
    return std::nullopt;
  for (const auto& f : result->findings) {
    if (!m_rules.count(f.rule_id) || !line_range(f.start_line, f.end_line, 1) ||
        !byte_range(f.start_byte, f.end_byte) || !line_range(f.subject_start_line, f.subject_end_line, 0))
      return std::nullopt;
    for (const auto& c : f.captures)
      if (!byte_range(c.start_byte, c.end_byte)) return std::nullopt;
  }
  for (const auto& fn : result->functions)
    if (!line_range(fn.start_line, fn.end_line, 1) || fn.complexity < 1 || fn.length < 0 || fn.nesting < 0)
      return std::nullopt;
  return result;
}

std::string notes_ref(const std::string& given) {
  std::string full = given.empty() ? k_notes_ref : given;
  if (full.rfind("refs/", 0) != 0) full = "refs/notes/" + full;
  auto normal = git::normalize_ref_name(full);
  if (!normal || normal->rfind("refs/notes/", 0) != 0 || *normal == "refs/notes/")
    throw core::Error("'" + given + "' is not a notes ref: give a name under refs/notes/ (default " +
                      std::string(k_notes_ref) + ")");
  if (*normal == "refs/notes/commits")
    throw core::Error("refs/notes/commits holds the notes `git log` shows, the user's own: give another --ref");
  return *normal;
}

git::Signature notes_signature(const git::Repository& repo, const core::Config& config) {
  try {
    auto who = repo.default_signature();
    if (!who.name.empty() && !who.email.empty()) return who;
  } catch (const git::Error&) {
    // No user.name/user.email (a CI runner): the loop's own identity.
  }
  return {config.identity.name, config.identity.email};
}

namespace {

// Builds one export: each result becomes its blob's note (blob objects written as it goes; only their ids
// are kept, so memory stays flat however many results the cache streams in), then one commit.
class NoteWriter {
public:
  NoteWriter(const git::Repository& repo, const std::string& ref, std::string ruleset)
      : m_repo(repo), m_ruleset(std::move(ruleset)), m_base(git::Notes::open(repo, ref)) {
    m_out.ref = ref;
  }

  // Adds `blob`'s result. Throws core::Error when the blob's note is someone else's.
  void add(const std::string& blob, const std::string& payload) {
    auto result = scan::from_payload(payload);
    // A timed-out result says how fast a machine was, not what the blob holds: not shared.
    if (!result || result->timed_out || !m_repo.has_object(blob)) {
      ++m_out.skipped;
      return;
    }
    std::string existing;
    if (m_base)
      if (auto note = m_base->find(blob)) {
        if (m_repo.blob_size(*note) > k_max_note_bytes) throw foreign(blob, " (larger than a note of ours)");
        existing = m_repo.read_blob(*note);
      }
    auto text = note_with(existing, {m_ruleset, payload});
    if (!text) throw foreign(blob, "");
    if (*text == existing) {
      ++m_out.unchanged;
    } else if (text->size() > k_max_note_bytes) {
      ++m_out.skipped;
    } else {
      m_updates.push_back({blob, m_repo.write_blob(*text)});
    }
  }

  // Writes the commit (none when nothing changed). Throws core::Error when the ref moved meanwhile.
  NotesExport finish(const git::Signature& who) {
    if (m_updates.empty()) return m_out;
    const std::string message = "git-autoloop: scan results of " + std::to_string(m_updates.size()) + " blob" +
                                (m_updates.size() == 1 ? "" : "s") + " (rule set " + m_ruleset + ")\n";
    if (!git::write_notes(m_repo, m_out.ref, m_base ? &*m_base : nullptr, m_updates, who, message))
      throw core::Error(m_out.ref + " moved while the results were written (another export?): nothing written, "
                        "run again");
    m_out.written = static_cast<int>(m_updates.size());
    return m_out;
  }

private:
  core::Error foreign(const std::string& blob, const std::string& why) const {
    return core::Error(m_out.ref + " holds a note on " + blob + " that git-autoloop did not write" + why +
                       ": choose another --ref, or delete the ref");
  }

  const git::Repository& m_repo;
  std::string m_ruleset;
  std::optional<git::Notes> m_base;
  std::vector<git::NoteUpdate> m_updates;
  NotesExport m_out;
};

} // namespace

NotesExport export_results(const git::Repository& repo, const std::string& ref, const std::string& ruleset,
                           const std::map<std::string, std::string>& payloads, const git::Signature& who) {
  NoteWriter writer(repo, ref, ruleset);
  for (const auto& [blob, payload] : payloads) writer.add(blob, payload);
  return writer.finish(who);
}

NotesExport export_notes(Context& ctx, const std::string& ref) {
  const std::string& ruleset = ctx.engine().ruleset_hash();
  NoteWriter writer(ctx.repo, ref, ruleset);
  ctx.store().for_each_cached(ruleset, [&](const std::string& blob, const std::string& payload) {
    writer.add(blob, payload);
  });
  return writer.finish(notes_signature(ctx.repo, ctx.config));
}

NotesImport import_notes(Context& ctx, const std::string& ref) {
  NotesImport out;
  out.ref = ref;
  const std::optional<git::Notes> notes = git::Notes::open(ctx.repo, ref);
  if (!notes) {
    out.found = false;
    return out;
  }
  const scan::Engine& engine = ctx.engine();
  const std::string& ruleset = engine.ruleset_hash();
  const ResultCheck check(engine);
  queue::Store& store = ctx.store();
  auto txn = store.begin();
  size_t seen = 0, bytes = 0;
  notes->for_each([&](const std::string& object, const std::string& note_blob) {
    if (++seen > k_max_import_notes) {
      out.stopped = "more than " + std::to_string(k_max_import_notes) + " notes";
      return false;
    }
    if (!ctx.repo.has_object(object)) {
      ++out.missing;
      return true;
    }
    const size_t size = ctx.repo.blob_size(note_blob);
    if (size > k_max_note_bytes) {
      ++out.rejected;
      return true;
    }
    if ((bytes += size) > k_max_import_bytes) {
      out.stopped = "more than " + std::to_string(k_max_import_bytes >> 20) + " MiB of notes";
      return false;
    }
    if (store.cached_payload(object, ruleset)) {
      ++out.known;
      return true;
    }
    Lookup found = result_in(ctx.repo.read_blob(note_blob), ruleset, ctx.repo.blob_size(object), check);
    if (found.result) {
      store.put_cached_payload(object, ruleset, scan::to_payload(*found.result));
      ++out.imported;
    } else {
      ++(found.for_ruleset ? out.rejected : out.other_ruleset);
    }
    return true;
  });
  txn.commit();
  return out;
}

std::optional<NotesCache> NotesCache::open(const git::Repository& repo, const scan::Engine& engine,
                                           const std::string& ref, bool collect) {
  auto notes = git::Notes::open(repo, ref);
  if (!notes) return std::nullopt;
  NotesCache cache(repo, engine);
  cache.m_notes = std::move(notes);
  cache.m_collect = collect;
  return cache;
}

NotesCache::NotesCache(const git::Repository& repo, const scan::Engine& engine)
    : m_repo(repo), m_engine(engine), m_check(engine) {}

std::optional<scan::FileResult> NotesCache::find(const std::string& blob, const scan::LanguageProfile& language,
                                                 std::string_view content) {
  if (!m_notes) return std::nullopt;
  auto note = m_notes->find(blob);
  if (!note) return std::nullopt;
  if (m_repo.blob_size(*note) > k_max_note_bytes) {
    ++m_rejected;
    return std::nullopt;
  }
  Lookup found = result_in(m_repo.read_blob(*note), m_engine.ruleset_hash(), content.size(), m_check);
  // A header read as the other language here (the repositories differ in C++ sources) is parsed again.
  if (!found.result || found.result->language != language.name) {
    if (found.for_ruleset) ++m_rejected;
    return std::nullopt;
  }
  ++m_reused;
  return found.result;
}

void NotesCache::parsed(const std::string& blob, const scan::FileResult& result) {
  if (m_collect) m_collected.emplace(blob, scan::to_payload(result));
}

} // namespace loop
