#include "loop/fix_preview.hpp"

#include "core/error.hpp"
#include "core/kinds.hpp"
#include "fix/derive.hpp"

namespace loop {

namespace {

std::string status_name(fix::Derived::Status status) {
  switch (status) {
  case fix::Derived::Status::ok: return "ok";
  case fix::Derived::Status::gone: return "gone";
  case fix::Derived::Status::no_fix: return "no_fix";
  case fix::Derived::Status::rejected_by_gate: return "refused";
  }
  return "unknown";
}

} // namespace

FixPreview preview_fix(Context& ctx, int64_t id) {
  FixPreview p;
  p.id = id;
  const auto head = ctx.repo.resolve_commit("HEAD");
  if (!head) throw core::Error("HEAD has no commit yet: no fix to preview");
  const auto opportunity = ctx.store().opportunity(id);
  if (!opportunity) {
    p.status = "unknown";
    p.detail = "no finding #" + std::to_string(id) + " in the queue";
    return p;
  }
  p.rule = opportunity->rule_id;
  p.path = opportunity->path;
  fix::Derived d = fix::derive_fix(ctx.engine(), ctx.repo, ctx.config, *head, *opportunity, &ctx.native_checker());
  p.status = status_name(d.status);
  if (d.status != fix::Derived::Status::ok) p.outcome = std::string(core::to_string(d.outcome));
  p.line = d.line;
  p.detail = d.detail;
  p.gates = d.gates;
  p.unchecked = d.unchecked;
  p.lines_changed = d.lines_changed;
  // Every gate runs on the edited text: what a gate refused is part of the answer.
  p.has_after = d.status == fix::Derived::Status::ok || d.status == fix::Derived::Status::rejected_by_gate;
  if (p.has_after) p.after = std::move(d.after);
  return p;
}

} // namespace loop
