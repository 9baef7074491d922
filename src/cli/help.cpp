#include "cli/help.hpp"

#include "cli/command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/terminal.hpp"
#include "core/suggest.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <sstream>
#include <memory>
#include <utility>

namespace cli {

namespace {

struct Examples {
  const char* command;
  const char* lines;   // one `git autoloop ...` per line, with a comment after two spaces where useful
};

// Kept next to each other so that the man page and --help say the same.
const Examples k_examples[] = {
    {"install", "git autoloop install                 # hooks into this repository\n"
                "git autoloop install --attributes    # also the syntax-aware merge driver for tracked files"},
    {"uninstall", "git autoloop uninstall --purge       # the hooks, and the queue, logs and spool too"},
    {"scan", "git autoloop scan                    # the files HEAD changed\n"
             "git autoloop scan --all              # every tracked file\n"
             "git autoloop scan --format json src/app.py"},
    {"ci", "git autoloop ci --base origin/main --format sarif > findings.sarif\n"
           "git autoloop ci --base origin/main --export-notes  # then: git push origin refs/notes/autoloop"},
    {"notes", "git autoloop notes export             # this machine's scan results, as notes on the blobs\n"
              "git autoloop notes import             # after: git fetch origin refs/notes/autoloop:refs/notes/autoloop"},
    {"queue", "git autoloop queue --status open --category security_fixes\n"
              "git autoloop queue --status failed  # refused fixes, each with its reason"},
    {"status", "git autoloop status"},
    {"report", "git autoloop report\n"
               "git autoloop report --format html -o report.html --since v1.0"},
    {"config", "git autoloop config --show-origin   # each value and the file it came from\n"
               "git autoloop config --show-origin --changed  # only what is not a default, and where\n"
               "git autoloop config sweep.max_change_size   # one value"},
    {"rules", "git autoloop rules                   # each rule, its safety and whether it is on\n"
              "git autoloop rules --explain python/bare-except\n"
              "git autoloop rules --test .autoloop/rules"},
    {"drain", "git autoloop drain --now --foreground  # one cycle now, here, with its result\n"
              "git autoloop drain --now --max 3       # in the background, at most three new fixes\n"
              "git autoloop drain --sweep javascript/no-var src/  # every no-var fix under src/, a commit per file"},
    {"review", "git autoloop review --list\n"
               "git autoloop review --accept 12\n"
               "git autoloop review --reject 13 --reason \"the loop variable is used later\""},
    {"retry", "git autoloop retry 13                # try a refused fix again in the next drain\n"
              "git autoloop retry --all-failed"},
    {"run", "git autoloop run --every 10m         # scan and drain every ten minutes until stopped"},
    {"improve", "git autoloop improve \"split parse() into smaller functions\" src/parser.py"},
    {"trust", "git autoloop trust                   # after reading the tracked .autoloop.yml"},
    {"stop", "git autoloop stop                    # hooks and workers do nothing until resume"},
    {"resume", "git autoloop resume"},
    {"doctor", "git autoloop doctor"},
    {"resolve", "git autoloop resolve                 # re-merge the conflicted files of a merge"},
    {"help", "git autoloop help drain\n"
             "git help autoloop                    # the manual page"},
};

std::vector<const CLI::App*> visible_commands(const CLI::App& app) {
  return app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); });
}

std::vector<std::string> command_names(const CLI::App& app) {
  std::vector<std::string> out;
  for (const CLI::App* s : app.get_subcommands([](const CLI::App*) { return true; })) out.push_back(s->get_name());
  return out;
}

// The long (or else short) spellings of a command's options, help included.
std::vector<std::string> option_names(const CLI::App& sub) {
  std::vector<std::string> out;
  for (const CLI::Option* o : sub.get_options()) {
    for (const auto& l : o->get_lnames()) out.push_back("--" + l);
    for (const auto& s : o->get_snames()) out.push_back("-" + s);
  }
  return out;
}

// roff text: backslashes doubled, a leading dot or quote escaped, dashes kept as hyphen-minus.
std::string roff(std::string_view text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') out += "\\e";
    else if (c == '-') out += "\\-";
    else out += c;
    line_start = c == '\n';
  }
  return out;
}

// The options of `sub` that take a value (their next argument is not a command).
bool takes_value(const CLI::App& app, std::string_view arg) {
  for (const CLI::Option* o : app.get_options()) {
    for (const auto& l : o->get_lnames())
      if (arg == "--" + l) return o->get_expected_max() > 0;
    for (const auto& s : o->get_snames())
      if (arg == "-" + s) return o->get_expected_max() > 0;
  }
  return false;
}

} // namespace

std::string_view examples_for(std::string_view command) {
  for (const auto& e : k_examples)
    if (command == e.command) return e.lines;
  return {};
}

void add_examples(CLI::App& sub) {
  std::string_view lines = examples_for(sub.get_name());
  if (lines.empty()) return;
  std::string footer = sub.get_footer();
  std::string text = footer.empty() ? "" : footer + "\n\n";
  text += "Examples:\n";
  std::istringstream in{std::string(lines)};
  for (std::string line; std::getline(in, line);) text += "  " + line + "\n";
  if (!text.empty() && text.back() == '\n') text.pop_back();
  sub.footer(text);
}

std::string overview(const CLI::App& app) {
  std::string out = "usage: git autoloop [-c KEY=VALUE] <command> [<args>]\n\n" + app.get_description() + "\n";
  const std::pair<const char*, std::vector<const char*>> groups[] = {
      {"Start", {"install", "uninstall", "trust", "doctor"}},
      {"See what the loop found and did", {"status", "queue", "scan", "report"}},
      {"Fixes", {"drain", "review", "retry", "improve"}},
      {"Control", {"run", "stop", "resume"}},
      {"Configure and extend", {"config", "rules", "resolve", "ci", "help"}},
  };
  std::vector<std::string> listed;
  for (const auto& [title, names] : groups) {
    out += std::string("\n") + title + "\n";
    for (const char* name : names) {
      const CLI::App* sub = nullptr;
      for (const CLI::App* s : visible_commands(app))
        if (s->get_name() == name) sub = s;
      if (!sub) continue;
      listed.emplace_back(name);
      char line[512];
      std::snprintf(line, sizeof line, "   %-10s %s\n", name, sub->get_description().c_str());
      out += line;
    }
  }
  for (const CLI::App* s : visible_commands(app))
    if (std::find(listed.begin(), listed.end(), s->get_name()) == listed.end())
      out += "   " + s->get_name() + "  " + s->get_description() + "\n";
  out += "\n'git autoloop help <command>' shows a command's options and examples; 'git help autoloop' the manual.\n";
  return out;
}

std::string man_page(const CLI::App& app) {
  std::string out;
  out += ".TH GIT\\-AUTOLOOP 1 \"\" \"git-autoloop " AUTOLOOP_VERSION "\" \"Git Manual\"\n";
  out += ".SH NAME\ngit\\-autoloop \\- " + roff(app.get_description().substr(app.get_description().find(':') + 2)) + "\n";
  out += ".SH SYNOPSIS\n.B git autoloop\n[\\fB\\-c\\fR \\fIKEY=VALUE\\fR] [\\fB\\-\\-git\\-dir\\fR \\fIDIR\\fR] "
         "[\\fB\\-\\-color\\fR=\\fIWHEN\\fR] [\\fB\\-\\-no\\-pager\\fR] "
         "\\fICOMMAND\\fR [\\fIARGS\\fR]\n";
  out += ".SH DESCRIPTION\n"
         "After \\fBgit autoloop install\\fR, each commit hands its changed files to a background worker that scans "
         "them with tree\\-sitter rules and queues improvement opportunities (security, performance, code quality, "
         "test coverage). A drain turns a few queued opportunities per cycle into small fix commits on the side "
         "branch \\fBautoloop/\\fR\\fIBRANCH\\fR, each validated (re\\-parse, the language's own check, size cap, the "
         "repository's tests in a private worktree). \\fBgit autoloop review\\fR accepts (cherry\\-picks) or rejects "
         "them; nothing of yours changes until you accept. Verdicts re\\-weight the rules.\n";
  out += ".SH GLOBAL OPTIONS\n";
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_lnames().empty() && o->get_snames().empty()) continue;
    out += ".TP\n.B " + roff(o->get_name(false, true)) + "\n" + roff(o->get_description()) + "\n";
  }
  out += ".SH COMMANDS\n";
  for (const CLI::App* sub : visible_commands(app)) {
    out += ".SS " + roff(sub->get_name()) + "\n" + roff(sub->get_description()) + "\n";
    for (const CLI::Option* o : sub->get_options()) {
      if (o->get_lnames().size() == 1 && o->get_lnames()[0] == "help") continue;
      if (o->get_group().empty()) continue;
      std::string name = o->get_positional() ? o->get_name(true) : o->get_name(false, true);
      std::string type = o->get_type_name();
      out += ".TP\n.B " + roff(name) + (type.empty() || o->get_expected_max() == 0 ? "" : " \\fI" + roff(type) + "\\fR") +
             "\n" + roff(o->get_description()) + "\n";
    }
    std::string_view lines = examples_for(sub->get_name());
    if (!lines.empty()) out += ".PP\nExamples:\n.PP\n.RS 4\n.nf\n" + roff(lines) + "\n.fi\n.RE\n";
  }
  out += ".SH EXIT STATUS\n";
  for (const auto& [code, meaning] : exit_code_meanings())
    out += ".TP\n.B " + std::to_string(code) + "\n" + roff(meaning) + "\n";
  out += ".SH ENVIRONMENT\n"
         ".TP\n.B NO_COLOR\nSet and not empty: no colour, unless \\fB\\-\\-color\\fR says otherwise (it outweighs "
         "\\fBcolor.ui\\fR).\n"
         ".TP\n.B GIT_PAGER, PAGER\nThe pager for long output on a terminal, in git's order: \\fBGIT_PAGER\\fR, "
         "\\fBcore.pager\\fR, \\fBPAGER\\fR, then \\fBless\\fR (with LESS=FRX unless set); empty or \\fBcat\\fR: "
         "none.\n";
  out += ".SH FILES\n.TP\n.B .autoloop.yml\nThe repository's tracked configuration (data only until \\fBgit autoloop trust\\fR).\n"
         ".TP\n.B $GIT_COMMON_DIR/autoloop/\nThe queue database, your own configuration and rules, the hooks' spool.\n";
  out += ".SH SEE ALSO\n\\fBgit\\fR(1), \\fBgithooks\\fR(5), \\fBgitattributes\\fR(5)\n";
  return out;
}

std::string bash_completion(const CLI::App& app) {
  std::string names, pattern;
  for (const CLI::App* s : visible_commands(app)) {
    names += (names.empty() ? "" : " ") + s->get_name();
    pattern += (pattern.empty() ? "" : "|") + s->get_name();
  }
  std::string out =
      "# bash completion for git-autoloop, generated by `git-autoloop help --completion bash`.\n"
      "# git's own completion calls _git_autoloop for `git autoloop ...` (and loads this file as\n"
      "# completions/git-autoloop to find it); `complete` covers the git-autoloop binary itself.\n"
      "_git_autoloop() {\n"
      "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" command=\"\" i\n"
      "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
      "    case \"${COMP_WORDS[i]}\" in\n"
      "      " + pattern + ") command=\"${COMP_WORDS[i]}\"; break ;;\n";
  out += "    esac\n"
         "  done\n"
         "  local words\n"
         "  case \"$command\" in\n"
         "    \"\") words=\"" + names + " -c --git-dir --version --help\" ;;\n";
  for (const CLI::App* sub : visible_commands(app)) {
    std::string opts;
    for (const auto& o : option_names(*sub)) opts += (opts.empty() ? "" : " ") + o;
    out += "    " + sub->get_name() + ") words=\"" + opts + "\" ;;\n";
  }
  out += "  esac\n"
         "  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
         "}\n"
         "complete -o default -F _git_autoloop git-autoloop\n";
  return out;
}

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
  return core::closest(word, candidates).value_or("");
}

std::string unknown_word_message(const CLI::App& app, int argc, char** argv) {
  const std::vector<std::string> commands = command_names(app);
  const std::vector<std::string> globals = option_names(app);
  const CLI::App* sub = nullptr;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.empty()) continue;
    if (!sub) {
      if (arg[0] == '-') {
        std::string_view name = arg.substr(0, arg.find('='));
        const bool known = std::find(globals.begin(), globals.end(), name) != globals.end();
        // "-ckey=value": a short option with its value attached.
        const bool attached = arg[1] != '-' && arg.size() > 2 && takes_value(app, arg.substr(0, 2));
        if (attached) continue;
        if (!known) {
          std::string message = "unknown option '" + std::string(name) + "' for 'git autoloop'";
          std::string near = closest(name, globals);
          if (!near.empty()) message += "; did you mean '" + near + "'?";
          return message + " (see 'git autoloop help')";
        }
        if (name.size() == arg.size() && takes_value(app, name)) ++i;
        continue;
      }
      if (std::find(commands.begin(), commands.end(), arg) == commands.end()) {
        std::string message = "'" + std::string(arg) + "' is not a git-autoloop command. See 'git autoloop help'.";
        std::string near = closest(arg, commands);
        if (!near.empty()) message += "\n\nThe most similar command is\n\t" + near;
        return message;
      }
      for (const CLI::App* s : app.get_subcommands([](const CLI::App*) { return true; }))
        if (s->get_name() == arg) sub = s;
      continue;
    }
    if (arg == "--") break;
    if (arg.size() < 2 || arg[0] != '-') continue;
    std::string_view name = arg.substr(0, arg.find('='));
    std::vector<std::string> known = option_names(*sub);
    for (const auto& g : option_names(app)) known.push_back(g);
    if (std::find(known.begin(), known.end(), name) != known.end()) {
      if (name.size() == arg.size() && (takes_value(*sub, name) || takes_value(app, name))) ++i;
      continue;
    }
    std::string message = "unknown option '" + std::string(name) + "' for 'git autoloop " + sub->get_name() + "'";
    std::string near = closest(name, known);
    if (!near.empty()) message += "; did you mean '" + near + "'?";
    return message + " (see 'git autoloop help " + sub->get_name() + "')";
  }
  return {};
}

} // namespace cli

namespace cli {

Runner define_help(CLI::App& sub) {
  struct Options {
    std::string command, completion;
    bool man = false;
  };
  auto o = std::make_shared<Options>();
  sub.add_option("command", o->command, "The command to show the options and examples of");
  sub.add_flag("--man", o->man, "Print the manual page (roff), as installed for `git help autoloop`")->group("");
  sub.add_option("--completion", o->completion, "Print the completion script for SHELL (bash)")
      ->type_name("SHELL")
      ->group("");
  const CLI::App* root = sub.get_parent();
  return [o, root](const Global& g) {
    if (o->man) {
      std::fputs(man_page(*root).c_str(), stdout);
      return k_exit_ok;
    }
    if (!o->completion.empty()) {
      if (o->completion != "bash") {
        std::fprintf(stderr, "git-autoloop: error: no completion for '%s' (there is one for bash)\n", o->completion.c_str());
        return k_exit_usage;
      }
      std::fputs(bash_completion(*root).c_str(), stdout);
      return k_exit_ok;
    }
    if (o->command.empty()) {
      Pager pager = Pager::start(g);
      std::fputs(overview(*root).c_str(), stdout);
      return k_exit_ok;
    }
    for (const CLI::App* s : root->get_subcommands([](const CLI::App*) { return true; }))
      if (s->get_name() == o->command) {
        Pager pager = Pager::start(g);
        std::fputs(s->help().c_str(), stdout);
        return k_exit_ok;
      }
    std::vector<std::string> names;
    for (const CLI::App* s : root->get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); }))
      names.push_back(s->get_name());
    std::string near = closest(o->command, names);
    std::fprintf(stderr, "git-autoloop: error: no command '%s'%s\n", o->command.c_str(),
                 near.empty() ? "" : ("; did you mean '" + near + "'?").c_str());
    return k_exit_usage;
  };
}

CLI::Validator one_of(std::vector<std::string> names) {
  std::string listed;
  for (const auto& n : names) listed += (listed.empty() ? "" : ", ") + n;
  return CLI::Validator(
      [names, listed](std::string& value) -> std::string {
        if (std::find(names.begin(), names.end(), value) != names.end()) return {};
        return "unknown value '" + value + "' (expected " + listed + ")" + core::did_you_mean(value, names);
      },
      "{" + listed + "}");
}

} // namespace cli
