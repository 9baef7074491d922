#pragma once
// A provider for tests (no tool): in .py files it reports each "== None" as <name>/E711 with a safe fix
// ("is None") and each "print(" as <name>/T201 without one, or behaves as a broken tool would.

#include "providers/provider.hpp"

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace test_support {

class FakeProvider : public providers::Provider {
public:
  enum class Mode { ok, problem, timeout, throws };
  explicit FakeProvider(std::string name = "fake", Mode mode = Mode::ok) : m_name(std::move(name)), m_mode(mode) {}

  std::string name() const override { return m_name; }
  bool handles(const std::string& path) const override {
    return path.size() > 3 && path.compare(path.size() - 3, 3, ".py") == 0;
  }
  std::optional<std::string> version(const providers::RunOptions&, std::string& why) const override {
    if (m_mode == Mode::problem) {
      why = m_name + " is not installed";
      return std::nullopt;
    }
    return m_name + " 1.2.3";
  }
  providers::RunResult run(const std::vector<providers::Blob>& blobs, const providers::RunOptions& options) const override {
    ++runs;
    last_budget = options.budget;
    providers::RunResult r;
    switch (m_mode) {
    case Mode::problem: r.problem = m_name + " printed output that is not JSON"; return r;
    case Mode::timeout:
      r.timed_out = true;
      r.elapsed = (options.budget.count() ? options.budget : std::chrono::milliseconds(20000)) + std::chrono::milliseconds(234);
      r.problem = m_name + " timed out";
      return r;
    case Mode::throws: throw std::runtime_error("a provider that throws");
    case Mode::ok: break;
    }
    for (const auto& b : blobs) {
      providers::FileDiagnostics f{b.path, {}};
      add(f, b.content, "== None", "/E711", "is None");
      add(f, b.content, "print(", "/T201", "");
      if (!f.diagnostics.empty()) r.files.push_back(std::move(f));
    }
    return r;
  }

  mutable int runs = 0;
  mutable std::chrono::milliseconds last_budget{-1};

private:
  void add(providers::FileDiagnostics& f, const std::string& content, const std::string& needle, const std::string& rule,
           const std::string& replacement) const {
    for (size_t at = content.find(needle); at != std::string::npos; at = content.find(needle, at + 1)) {
      providers::Diagnostic d;
      d.rule_id = m_name + rule;
      d.start_byte = static_cast<uint32_t>(at);
      d.end_byte = static_cast<uint32_t>(at + needle.size());
      d.start_line = d.end_line = 1 + static_cast<int>(std::count(content.begin(), content.begin() + at, '\n'));
      d.message = "found " + needle;
      d.severity = "medium";
      if (!replacement.empty()) d.fix = providers::Fix{core::Safety::safe, {{d.start_byte, d.end_byte, replacement}}, ""};
      f.diagnostics.push_back(std::move(d));
    }
  }
  std::string m_name;
  Mode m_mode;
};

} // namespace test_support
