// Help (cli/help): every example the help and the manual show parses as the command line it claims to be,
// "did you mean" finds near misses and only those, and the generated page and completion cover each command.
#include "cli/help.hpp"

#include "cli/command.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace {

// The runners own the options' storage: kept as long as the application.
std::vector<cli::Runner> g_runners;

// The application as cli::main builds it (subcommands from the table, the global -c and --git-dir).
std::unique_ptr<CLI::App> make_app(cli::Global& global) {
  auto app = std::make_unique<CLI::App>("git-autoloop: a continuous loop", "git-autoloop");
  app->require_subcommand(1);
  app->fallthrough();
  app->add_option("-c", global.overrides, "config");
  app->add_option("--git-dir", global.git_dir, "git dir");
  for (const auto& c : cli::commands()) {
    CLI::App* sub = app->add_subcommand(c.name, c.help);
    if (c.hidden) sub->group("");
    g_runners.push_back(c.define(*sub));
    cli::add_examples(*sub);
  }
  return app;
}

std::vector<std::string> example_lines(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    auto comment = line.find("  #");
    if (comment != std::string::npos) line.resize(comment);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out.push_back(line);
  }
  return out;
}

} // namespace

TEST_CASE("every example of every command parses as that command", "[cli][help]") {
  int examples = 0;
  for (const auto& c : cli::commands()) {
    for (const auto& line : example_lines(cli::examples_for(c.name))) {
      INFO(line);
      if (line == "git help autoloop") continue; // git's own command (tests/e2e/help.sh runs it)
      REQUIRE(line.rfind(std::string("git autoloop ") + c.name, 0) == 0);
      std::string args = line.substr(std::string("git autoloop ").size());
      if (args.find(" > ") != std::string::npos) args.resize(args.find(" > ")); // a shell redirection
      cli::Global global;
      auto app = make_app(global);
      CHECK_NOTHROW(app->parse(args, false));
      ++examples;
    }
  }
  CHECK(examples >= 25);
  // Each visible command has examples.
  for (const auto& c : cli::commands())
    if (!c.hidden) CHECK_FALSE(cli::examples_for(c.name).empty());
}

TEST_CASE("closest: near misses and prefixes, nothing for a different word", "[cli][help]") {
  const std::vector<std::string> names = {"drain", "review", "retry", "report", "rules", "status", "stop"};
  CHECK(cli::closest("drian", names) == "drain");
  CHECK(cli::closest("reveiw", names) == "review");
  CHECK(cli::closest("stat", names) == "status");
  CHECK(cli::closest("xyzzy", names).empty());
  CHECK(cli::closest("", names).empty());
}

TEST_CASE("unknown_word_message names the unknown command or option, and nothing for a valid line", "[cli][help]") {
  cli::Global global;
  auto app = make_app(global);
  auto message = [&](std::vector<const char*> words) {
    words.insert(words.begin(), "git-autoloop");
    return cli::unknown_word_message(*app, static_cast<int>(words.size()), const_cast<char**>(words.data()));
  };
  CHECK(message({"queue", "--status", "open"}).empty());
  CHECK(message({"-c", "drain.max=1", "queue", "--status=open"}).empty());
  CHECK(message({"drian"}).find("The most similar command is\n\tdrain") != std::string::npos);
  CHECK(message({"queue", "--stauts", "open"}).find("did you mean '--status'?") != std::string::npos);
  CHECK(message({"queue", "--stauts=open"}).find("unknown option '--stauts'") != std::string::npos);
  // A value is not taken for an option or a command: `-c queue` sets a value named queue.
  CHECK(message({"-c", "sacn", "scan"}).empty());
}

TEST_CASE("the manual and the completion cover every visible command", "[cli][help]") {
  cli::Global global;
  auto app = make_app(global);
  const std::string page = cli::man_page(*app), completion = cli::bash_completion(*app);
  CHECK(page.rfind(".TH GIT\\-AUTOLOOP 1", 0) == 0);
  CHECK(page.find(".SH EXIT STATUS") != std::string::npos);
  for (const auto& c : cli::commands()) {
    INFO(c.name);
    std::string section = ".SS " + std::string(c.name);
    for (size_t at = section.find('-'); at != std::string::npos; at = section.find('-', at + 2)) section.insert(at, "\\");
    CHECK((page.find(section + "\n") != std::string::npos) == !c.hidden);
    CHECK((completion.find(std::string(c.name) + ") words=") != std::string::npos) == !c.hidden);
  }
  // A line of text that starts with a dot would be a roff request: escaped.
  CHECK(page.find("\n.autoloop") == std::string::npos);
}
