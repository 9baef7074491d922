#include "safety/trust.hpp"

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/limits.hpp"

#include "git/repo.hpp"

#include <algorithm>
#include <sstream>

namespace safety {

namespace {

// The trust file's records, each split into its words (paths may hold spaces: they come last).
std::vector<std::vector<std::string>> records(const std::filesystem::path& trust_file) {
  std::vector<std::vector<std::string>> out;
  auto text = core::read_file(trust_file);
  if (!text) return out;
  std::istringstream lines(*text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::vector<std::string> record;
    for (std::string w; words >> w;) record.push_back(w);
    if (!record.empty()) out.push_back(std::move(record));
  }
  return out;
}

} // namespace

std::string content_id(const std::string& content) { return git::hash_blob(content); }

bool command_trusted(const core::Config& config, const std::string& key,
                     const std::optional<std::filesystem::path>& repo_config, const std::filesystem::path& trust_file) {
  bool empty = key == "test_command" ? config.test_command.empty()
               : key == "test_setup" ? config.test_setup.empty()
               : key == "coverage_command" ? config.coverage_command.empty()
               : key == "notify_command" ? config.notify_command.empty()
               : key == "fixers" ? config.fixers.empty()
               : key == "generator.fixer" ? config.generator.fixer.empty() : true;
  if (empty || !repo_config) return true;
  auto it = config.origin.find(key);
  if (it == config.origin.end() || it->second.rfind(repo_config->string() + ":", 0) != 0) return true;
  auto content = core::read_untrusted_file(*repo_config, core::k_max_config_bytes, repo_config->parent_path(),
                                           "configuration files");
  if (!content) return false;
  const std::string want = content_id(*content);
  for (const auto& r : records(trust_file))
    if (r.front() == want) return true;
  return false;
}

std::optional<std::string> untrusted_test_command(const core::Config& config,
                                                  const std::optional<std::filesystem::path>& repo_config,
                                                  const std::filesystem::path& trust_file) {
  for (const char* key : {"test_command", "test_setup", "coverage_command"})
    if (!command_trusted(config, key, repo_config, trust_file)) return std::string(key);
  return std::nullopt;
}

RulesDigest rules_digest(std::vector<std::pair<std::string, std::string>> files) {
  std::sort(files.begin(), files.end());
  // Length-prefixed fields: no choice of names and contents makes two directories read alike.
  std::string manifest = "autoloop-rules 1\n";
  for (const auto& [path, content] : files)
    manifest += std::to_string(path.size()) + ":" + path + " " + std::to_string(content.size()) + ":" + content + "\n";
  return {content_id(manifest), files.size()};
}

bool rules_trusted(const std::string& digest, const std::filesystem::path& trust_file) {
  for (const auto& r : records(trust_file))
    if (r.size() >= 2 && r[0] == "rules" && r[1] == digest) return true;
  return false;
}

Trusted trust(const std::optional<std::filesystem::path>& repo_config, const RulesDigest& rules,
              const std::string& rules_dir, const std::filesystem::path& trust_file) {
  Trusted t;
  t.rules = rules;
  std::string text;
  if (repo_config)
    if (auto content = core::read_untrusted_file(*repo_config, core::k_max_config_bytes, repo_config->parent_path(),
                                                 "configuration files")) {
      t.config_id = content_id(*content);
      text += t.config_id + " " + repo_config->string() + "\n";
    }
  text += "rules " + rules.id + " " + std::to_string(rules.files) + " " + rules_dir + "\n";
  std::filesystem::create_directories(trust_file.parent_path());
  core::write_file_atomic(trust_file, text);
  return t;
}

void revoke(const std::filesystem::path& trust_file) {
  std::error_code ec;
  std::filesystem::remove(trust_file, ec);
}

} // namespace safety
