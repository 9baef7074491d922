#include "safety/trust.hpp"

#include "core/error.hpp"
#include "core/fs.hpp"
#include "core/limits.hpp"

#include "git/repo.hpp"

namespace safety {

std::string content_id(const std::string& content) { return git::hash_blob(content); }

bool command_trusted(const core::Config& config, const std::string& key,
                     const std::optional<std::filesystem::path>& repo_config, const std::filesystem::path& trust_file) {
  bool empty = key == "test_command" ? config.test_command.empty()
               : key == "notify_command" ? config.notify_command.empty()
               : key == "fixers" ? config.fixers.empty() : true;
  if (empty || !repo_config) return true;
  auto it = config.origin.find(key);
  if (it == config.origin.end() || it->second.rfind(repo_config->string() + ":", 0) != 0) return true;
  auto content = core::read_untrusted_file(*repo_config, core::k_max_config_bytes, repo_config->parent_path(),
                                           "configuration files");
  auto trusted = core::read_file(trust_file);
  if (!content || !trusted) return false;
  std::string want = content_id(*content);
  return trusted->find(want) != std::string::npos;
}

std::string trust(const std::filesystem::path& repo_config, const std::filesystem::path& trust_file) {
  auto content = core::read_untrusted_file(repo_config, core::k_max_config_bytes, repo_config.parent_path(),
                                           "configuration files");
  if (!content) throw core::Error(repo_config.string() + ": no such file to trust");
  std::string id = content_id(*content);
  std::filesystem::create_directories(trust_file.parent_path());
  core::write_file_atomic(trust_file, id + " " + repo_config.string() + "\n");
  return id;
}

void revoke(const std::filesystem::path& trust_file) {
  std::error_code ec;
  std::filesystem::remove(trust_file, ec);
}

} // namespace safety
