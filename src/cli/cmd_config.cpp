// git autoloop config [KEY] [--show-origin] [--changed] [--format text|json]
#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/output.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"
#include "loop/context.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

namespace cli {

namespace {

struct ConfigOptions {
  std::string key;
  bool show_origin = false;
  bool changed = false;
  std::string format = "text";
};

std::string origin_of(const core::Config& config, const std::string& key) {
  auto it = config.origin.find(key);
  return it == config.origin.end() ? "default" : it->second;
}

} // namespace

Runner define_config(CLI::App& sub) {
  auto o = std::make_shared<ConfigOptions>();
  sub.add_option("key", o->key, "Print only this key's value (a dotted path: sweep.max_change_size), or a section's (scan)");
  sub.add_flag("--show-origin", o->show_origin,
               "Show where each value came from: default (built in), file:line:col, env AUTOLOOP_..., command line");
  sub.add_flag("--changed", o->changed, "Only the values set somewhere, not the built-in defaults");
  sub.add_option("--format", o->format, "Output: text or json (one object; tests/schemas/config.schema.json)")
      ->capture_default_str();
  sub.footer("Precedence, lowest first: built-in defaults, <worktree>/.autoloop.yml, <git-common-dir>/autoloop/config.yml,\n"
             "AUTOLOOP_<KEY> environment variables (AUTOLOOP_SCAN__THREADS=4), then -c key.path=value.\n"
             "A key's value alone (`config KEY`) prints as YAML reads it back: strings quoted only when needed.");
  return [o](const Global& g) {
    const Format format = parse_format(o->format, false);
    loop::OpenOptions oo = open_options(g);
    loop::Context ctx = loop::Context::open(oo);
    (void)ctx.rules(); // the rule ids the configuration names must exist (scan/rule_ids.hpp)
    auto entries = o->key.empty() ? core::config_entries(ctx.config) : core::config_entries(ctx.config, o->key);
    if (entries.empty())
      throw core::Fatal("unknown configuration key '" + o->key + "'" + core::did_you_mean(o->key, core::config_keys()) +
                            "; `git autoloop config` lists every key",
                        k_exit_usage);
    // One leaf asked for by name: its value alone, as scripts read it (`git config KEY` does the same).
    const bool one_value = entries.size() == 1 && entries.front().first == o->key;
    if (format == Format::json) {
      // Values as YAML prints them (strings, like the text output); origin and default say where they came from.
      nlohmann::json values = nlohmann::json::array();
      for (const auto& [key, value] : entries) {
        const bool is_default = core::is_default(ctx.config, key);
        if (o->changed && is_default) continue;
        values.push_back({{"key", key}, {"value", value}, {"origin", origin_of(ctx.config, key)}, {"default", is_default}});
      }
      const nlohmann::json out = {{"values", std::move(values)}};
      std::puts(out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
      return k_exit_ok;
    }
    for (const auto& [key, value] : entries) {
      if (o->changed && core::is_default(ctx.config, key)) continue;
      if (o->show_origin)
        std::printf("%-40s %-28s %s\n", origin_of(ctx.config, key).c_str(), key.c_str(), value.c_str());
      else if (one_value)
        std::printf("%s\n", value.c_str());
      else
        std::printf("%s = %s\n", key.c_str(), value.c_str());
    }
    return k_exit_ok;
  };
}

} // namespace cli
