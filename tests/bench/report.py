#!/usr/bin/env python3
"""Merges the benchmark programs' JSON into build/bench/results.json and prints the figures table.

  report.py --out results.json [--startup ST.json] [--hooks H.json] [--providers PR.json] [--engine E.json] [--scan S.json] [--astgrep A.json]
            [--incremental I.json] [--notes N.json] [--drain D.json] [--validation V.json] [--precision P.json]
            [--machine M.json]

Each figure: name, median, p90 (blank when the figure is a single measurement), unit, target and
verdict (PASS / MISS against the issue's acceptance targets, `info` when there is no target).
"""

import argparse
import json
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib as B  # noqa: E402


def load(path):
    if not path or not os.path.isfile(path):
        return None
    with open(path) as f:
        return json.load(f)


def figure(group, name, median, p90=None, unit="", target=None, better="lower", note="", judge="median"):
    """`target`: a number; `better` says which side passes; `judge` which column is held to it."""
    verdict = "info"
    if target is not None and median is not None:
        v = p90 if judge == "p90" and p90 is not None else median
        ok = v <= target if better == "lower" else v >= target
        verdict = "PASS" if ok else "MISS"
    t = "" if target is None else (f"<= {target:g} {unit}" if better == "lower" else f">= {target:g} {unit}")
    return {"group": group, "figure": name, "median": median, "p90": p90, "unit": unit, "target": t,
            "verdict": verdict, "note": note}


def ci_figure(group, name, x, target, note=""):
    """A difference of medians judged by its 95% interval: PASS when all of it is within the target,
    MISS when none of it is, `unresolved` when the machine's noise is larger than the target."""
    lo, hi = (x.get("ci95") or [None, None])
    f = figure(group, name, x["median"], x["p90"], "ms", target)
    if lo is not None:
        f["verdict"] = "PASS" if hi <= target else ("MISS" if lo > target else "unresolved")
        f["note"] = f"95% interval of the median [{lo:.1f}, {hi:.1f}]" + (f"; {note}" if note else "")
    return f


def startup_figures(s):
    g = "(a0) start-up, before any work"
    out = []
    floor = s["variants"]["floor"]["wall_ms"]["median"]
    for k, label in (("floor", "static C hello-world built by the bench (the floor)"),
                     ("true", "/bin/true (dynamically linked)"),
                     ("version", "git-autoloop --version"),
                     ("driver", "autoloop-merge --version"),
                     ("merge", "merge driver, a one-line merge (time to first work)"),
                     ("worker", "worker, empty spool (time to first work)")):
        x = s["variants"][k]
        judged = "verdict" in x
        note = f"{x['ratio_to_floor']:.2f}x the floor; CPU {x['cpu_ms']['median']:.2f} ms"
        if k == "worker":
            note += "; idle CPU class: wall waits for a busy CPU"
        out.append(figure(g, label, x["wall_ms"]["median"], x["wall_ms"]["p90"], "ms", s["target_ms"] if judged else None,
                          note=note if k != "floor" else f"{s['runs']} runs of each, interleaved"))
    out.append(figure(g, "git-autoloop --version / the floor", s["variants"]["version"]["wall_ms"]["median"] / floor,
                      None, "x"))
    return out


def hook_figures(h):
    out = []
    g = "(a) post-commit"
    for s in h["sizes"]:
        n = h["commit_ms"][f"none_{s}"]
        out.append(figure(g, f"git commit, no hook, {s} file(s)", n["median"], n["p90"], "ms"))
    peers = [v for v in h.get("variants", ["none", "shell", "autoloop"]) if v not in ("none", "autoloop")]
    for v in peers:
        for s in h["sizes"]:
            x = h["added_ms"][f"{v}_{s}"]
            out.append(figure(g, f"added by {'a one-line shell' if v == 'shell' else v} hook, {s} file(s)",
                              x["median"], x["p90"], "ms", note=f"95% interval [{x['ci95'][0]:.1f}, {x['ci95'][1]:.1f}]"))
    for s in h["sizes"]:
        out.append(ci_figure(g, f"added by autoloop hook, {s} file(s), idle", h["added_ms"][f"autoloop_{s}"], 5))
    for s in h["sizes"]:
        out.append(ci_figure(g, f"added by autoloop hook, {s} file(s), back-to-back", h["back_to_back"][f"added_ms_{s}"],
                             5, note="previous commits' workers still running"))
        share = h["back_to_back"].get(f"hook_share_ms_{s}")
        if share:
            lo, hi = share["ci95"]
            out.append(figure(g, f"  of which the hook: vs a no-hook commit during the same scans, {s} file(s)",
                              share["median"], None, "ms",
                              note=f"95% interval [{lo:.1f}, {hi:.1f}]; the rest is git's commit slowed by the scans"))
    d = h.get("direct")
    if d:
        x = d["autoloop"]["wall_ms"]
        out.append(figure(g, f"autoloop hook run directly, as git runs it ({d['runs']} runs)", x["median"], x["p90"], "ms",
                          5, note="what git waits for; includes the spawn floor"))
        x = d["autoloop"]["cpu_ms"]
        out.append(figure(g, "  CPU time of that hook process", x["median"], x["p90"], "ms"))
        for v in peers:
            x = d[v]["wall_ms"]
            out.append(figure(g, f"{'one-line shell' if v == 'shell' else v} hook run directly", x["median"], x["p90"], "ms",
                              note=f"CPU {d[v]['cpu_ms']['median']:.2f} ms"))
        al = d["autoloop"]["wall_ms"]["median"]
        out.append(figure(g, "autoloop hook / one-line shell hook, run directly", al / d["shell"]["wall_ms"]["median"],
                          None, "x", 1.5, note="target: <= 1.5x the shell hook's"))
        for v in ("lefthook", "husky", "pre-commit"):
            if v in d:
                out.append(figure(g, f"{v} hook / autoloop hook, run directly", d[v]["wall_ms"]["median"] / al, None, "x",
                                  5 if v == "lefthook" else None, "higher",
                                  note="target: autoloop >= 5x less than lefthook" if v == "lefthook" else ""))
        x = d["true"]["wall_ms"]
        out.append(figure(g, "spawn floor (/bin/true from the benchmark)", x["median"], x["p90"], "ms"))
    w = h["worker"]["hook_binary_ms"]
    out.append(figure(g, "autoloop-hook inside its process (runs table)", w["median"], w["p90"], "ms"))
    g = "(b) commit->queued"
    for s in h["sizes"]:
        x = h["queued_ms"][f"from_return_{s}"]
        out.append(figure(g, f"commit returned -> in scanned_commits, {s} file(s)", x["median"], x["p90"], "ms"))
    for s in h["sizes"]:
        x = h["queued_ms"][f"from_start_{s}"]
        out.append(figure(g, f"commit started -> in scanned_commits, {s} file(s)", x["median"], x["p90"], "ms"))
    x = h["worker"]["duration_ms"]
    out.append(figure(g, "worker scan duration (runs table)", x["median"], x["p90"], "ms"))
    return out


def provider_figures(p):
    g = (f"(b2) commit returned -> queued with the providers on (ruff, Biome, clang-tidy; "
         f"{3 * p['files_per_language']}-file repository, provider_budget {p['budget']})")
    out = []
    for s in p["sizes"]:
        x = p["figures"].get(str(s))
        if not x:
            continue
        b, w = x["builtin_ms"], x["providers_ms"]
        out.append(figure(g, f"built-in rules only, {s} file(s)", b["median"], b["p90"], "ms"))
        note = f"{x['ratio']:.1f}x the built-in figure"
        if x["deferred"] or x["problems"]:
            note += f"; {x['deferred']} runs deferred to the drain, {x['problems']} with a problem"
        out.append(figure(g, f"providers on, all findings queued, {s} file(s)", w["median"], w["p90"], "ms", note=note))
        tools = ", ".join(f"{t} {v['median']:.2f} s" for t, v in x["tool_s"].items() if v["n"])
        out.append(figure(g, f"  built-in findings queued meanwhile, {s} file(s)", x["builtin_with_providers_on_ms"]["median"],
                          x["builtin_with_providers_on_ms"]["p90"], "ms", note=f"tools' own time: {tools}"))
        r, t = x["worker_rss_kb"], x["tools_rss_kb"]
        out.append(figure(g, f"  worker peak RSS, {s} file(s)", r["median"] / 1024, r["max"] / 1024, "MB", 100,
                          note="p90 column: max; judged on max", judge="p90"))
        out.append(figure(g, f"  largest tool process peak RSS, {s} file(s)", t["median"] / 1024, t["max"] / 1024, "MB",
                          note="p90 column: max; a separate process, not the worker's memory"))
    return out


def engine_figures(e):
    g = "(c) engine"
    m = e["modes"]
    out = [
        figure(g, f"scan engine, all rules, {e['threads']} threads ({e['bytes'] / 1e6:.1f} MB, {e['files']} files)",
               m["full"]["mb_per_s"], None, "MB/s", 8, "higher", note="wall time, on this machine as loaded"),
        figure(g, f"  same, uncontended estimate ({e['threads']} x MB per CPU-s)", e.get("uncontended_full_mb_per_s"),
               None, "MB/s", 8, "higher", note="CPU time: what the work costs"),
        figure(g, "  files/s, all rules", m["full"]["files_per_s"], None, "files/s"),
        figure(g, "parse only", m["parse"]["mb_per_s"], None, "MB/s"),
        figure(g, "  parse only, uncontended estimate", e.get("uncontended_parse_mb_per_s"), None, "MB/s"),
        figure(g, "overhead of full scan over parse (CPU)", e.get("overhead_pct"), None, "%", 20,
               note="(full - parse) / parse; issue 18: <= 20%"),
        figure(g, "  of which rules: query, predicates, findings", e.get("rules_overhead_pct"), None, "%"),
        figure(g, "  of which metrics", e.get("metrics_overhead_pct"), None, "%"),
    ]
    for lang, x in sorted(e.get("languages", {}).items()):
        out.append(figure(g, f"  query compile, {lang} ({x['rules']} rules)", x["compile_ms"], None, "ms",
                          note="paid once per worker process"))
    return out


def scan_figures(s):
    g = "(c) scan --all"
    r = s["runs"]
    out = [
        figure(g, f"git autoloop scan --all, cold, {s['threads']} threads ({r['cold']['bytes'] / 1e6:.1f} MB)",
               r["cold"]["mb_per_s"], None, "MB/s", 8, "higher", note=f"{r['cold']['wall_s']:.1f} s wall"),
        figure(g, "  files/s, cold", r["cold"]["files_per_s"], None, "files/s"),
        figure(g, "git autoloop scan --all, warm blob cache", r["warm"]["mb_per_s"], None, "MB/s",
               note=f"{r['warm']['wall_s']:.1f} s wall"),
    ]
    return out


def astgrep_figures(a):
    g = "(c) vs ast-grep"
    t = a["tools"]
    mb = a["bytes"] / 1e6
    out = []
    for k in ("autoloop", "ast-grep"):
        x = t[k]
        out.append(figure(g, f"{k}, {a['files']} files ({mb:.1f} MB), {a['threads']} threads, {a['trials']} runs",
                          x["wall_s"]["median"], x["wall_s"]["p90"], "s",
                          note=f"{x['mb_per_s']:.2f} MB/s, CPU {x['cpu_s']['median']:.2f} s, {a['matches'][k]} matches"))
    out.append(figure(g, "ast-grep time / autoloop time", a["speedup"], None, "x", 1.2, "higher",
                      note="target: issue 18, >= 1.2x ast-grep's speed, same files, same run"))
    return out


def incremental_figures(i):
    g = "(d) incremental"
    out = []
    repos = i["repos"]
    small = repos["small"]
    labels = {"commit": "scan of a new commit", "rescan": "no-op rescan (HEAD already scanned)",
              "queued": "commit -> queued (hook, worker, scan)"}
    for key, x in i["figures"].items():
        kind, size = key.rsplit("_", 1)
        for which in ("small", "large", "huge"):
            if which not in x:
                continue
            target = 10 if kind == "rescan" and which == "small" else None
            out.append(figure(g, f"{labels[kind]}, {size} file(s), {repos[which]:,}-file repository", x[which]["median"],
                              x[which]["p90"], "ms", target, judge="median"))
        if "large" in x:
            out.append(figure(g, f"  {repos['large']:,} / {small:,} files, {labels[kind]}, {size} file(s)", x["ratio"],
                              None, "x", 1.2 if kind == "commit" else None, note="target: no growth with repository size"))
        if "huge" in x:
            out.append(figure(g, f"  {repos['huge']:,} / {small:,} files, {labels[kind]}, {size} file(s)",
                              x["ratio_huge"], None, "x", 1.2 if kind in ("rescan", "queued") else None,
                              note="target: within 1.2x of the 5,000-file figure"))
    return out


def notes_figures(n):
    g = "(d2) shared results (refs/notes/autoloop)"
    c = n["commits"]
    return [
        figure(g, f"ci --base on {c} commits, cold", n["cold_ms"]["median"], n["cold_ms"]["p90"], "ms"),
        figure(g, f"ci --base on {c} commits, notes fetched from another clone", n["notes_ms"]["median"],
               n["notes_ms"]["p90"], "ms"),
        figure(g, "  cold / with notes", n["ratio"], None, "x", note="no parsing with the notes"),
        figure(g, "  file versions parsed with the notes", n["notes_parsed"], None, "", 0,
               note=f"{n['cold_parsed']} parsed cold; same findings: {'yes' if n['same_findings'] else 'NO'}"),
    ]


def drain_figures(d):
    g = "(e) drain, review"
    out = []
    for k, x in d.items():
        name = f"drain of 5 fixes, {k}" if k != "review --list" else "review --list (5 fixes)"
        out.append(figure(g, name + f" ({x['trials']} runs)", x["median_ms"], x["p90_ms"], "ms"))
    return out


def validation_figures(v):
    g = "(e) drain of 5 fixes on a node project with its test suite (npm ci, 300 tests)"
    out = []
    for k, x in v.items():
        note = (f"{x['test_runs']} test runs, {x['test_s']:.1f} s of tests, npm ci x{x['setup_runs']}, "
                f"{x['applied']} applied; max over trials in the p90 column")
        out.append(figure(g, f"{k} ({x['trials']} trials)", x["median_s"], x["max_s"], "s", note=note))
    return out


def precision_figures(p):
    c = p["corpus"]
    g = (f"(g) precision on real code ({c['projects']} projects, {c['files']} files, {len(c['languages'])} languages; "
         "oracle: ruff / eslint / clang-tidy, else labelled sample)")
    out = []
    for r in p["rules"]:
        if not r["findings"]:
            continue
        if r["peer"]:
            rec = "-" if r["recall"] is None else f"{r['recall']:.2f}"
            agr = "-" if r.get("agreement") is None else f"{r['agreement']:.3f}"
            note = (f"{r['findings']} findings, vs {r['peer']} on {r['compared']} (agreement {agr}): recall {rec} of "
                    f"{r['peer_diags']}; {r.get('unchecked', 0)} unchecked by it, {r.get('labelled', 0)} labelled")
        else:
            note = (f"{r['findings']} findings, {r['labelled']} labelled ({r['debatable']} debatable), "
                    f"{r['unlabelled']} unlabelled")
        f = figure(g, r["rule"], r["precision"], None, "", r["target"], "higher", note=note)
        if r.get("verdict") in ("UNJUDGED", "incomplete", "off"):
            f["verdict"] = r["verdict"]  # no figure, or one with unlabelled findings; off: its description says why
        out.append(f)
    o = p["overall"]
    out.append(figure(g, f"overall, {o['judged']} judged findings", o["micro"], None, "", note=f"mean over "
                      f"{o['rules_measured']} rules {o['macro'] or 0:.3f}; {o['rules_passing']} of "
                      f"{o.get('rules_with_findings', o['rules_measured'])} at their target"))
    return out


def rss_figures(h, s, e, a=None, i=None, d=None, st=None):
    g = "(f) peak RSS"
    out = []
    if st:
        for k, label in (("merge", "merge driver, a one-line merge"), ("worker", "worker, empty spool")):
            out.append(figure(g, label, st["variants"][k]["peak_rss_kb"] / 1024, None, "MB", 100))
    if h:
        x = h["worker"]["peak_rss_kb"]
        out.append(figure(g, "worker scan of a 1-100 file commit (runs table)", x["median"] / 1024, x["max"] / 1024, "MB",
                          100, note="p90 column: max; judged on max", judge="p90"))
    if s:
        r = s["runs"]
        out.append(figure(g, "scan --all, cold", r["cold"]["peak_rss_kb"] / 1024, None, "MB", 100))
        out.append(figure(g, "scan --all, warm", r["warm"]["peak_rss_kb"] / 1024, None, "MB", 100))
        if "commit" in r:
            out.append(figure(g, f"worker path on a commit adding all {r['commit']['files']} files",
                              r["commit"]["peak_rss_kb"] / 1024, None, "MB", 100))
    if a:
        for k in ("autoloop", "ast-grep"):
            out.append(figure(g, f"{k} on the ast-grep comparison's files", a["tools"][k]["peak_rss_kb"] / 1024, None, "MB"))
    if i:
        for key in ("commit_10", "rescan_10"):
            if key in i["figures"]:
                r = i["figures"][key]["peak_rss_kb"]
                out.append(figure(g, f"{key.replace('_10', '')} in the {i['repos']['large']:,}-file repository",
                                  r["large"] / 1024, None, "MB", 100))
    if d:
        for k, x in d.items():
            if "peak_rss_kb" in x:
                out.append(figure(g, "drain of 5 fixes, " + k if k != "review --list" else k, x["peak_rss_kb"] / 1024, None, "MB", 100))
    if e:
        out.append(figure(g, "engine alone, beyond the file contents it holds",
                          (e["peak_rss_kb"] - e["content_kb"]) / 1024, None, "MB"))
    return out


def fmt(v, unit):
    if v is None:
        return ""
    if unit == "" and 0 <= v <= 1:
        return f"{v:.3f}"  # a precision: 0.949 must not print as 0.95
    if unit in ("MB/s", "MB") or abs(v) < 100:
        return f"{v:.2f}" if abs(v) < 10 else f"{v:.1f}"
    return f"{v:.0f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--startup")
    ap.add_argument("--hooks")
    ap.add_argument("--providers")
    ap.add_argument("--engine")
    ap.add_argument("--scan")
    ap.add_argument("--astgrep")
    ap.add_argument("--incremental")
    ap.add_argument("--notes")
    ap.add_argument("--drain")
    ap.add_argument("--validation")
    ap.add_argument("--precision")
    ap.add_argument("--machine")
    a = ap.parse_args()
    h, e, s, m = load(a.hooks), load(a.engine), load(a.scan), load(a.machine) or {}
    ag, inc, dr, va = load(a.astgrep), load(a.incremental), load(a.drain), load(a.validation)
    pr, st, nt = load(a.precision), load(a.startup), load(a.notes)
    pv = load(a.providers)

    figs = []
    if st:
        figs += startup_figures(st)
    if h:
        figs += hook_figures(h)
    if pv:
        figs += provider_figures(pv)
    if e:
        figs += engine_figures(e)
    if ag:
        figs += astgrep_figures(ag)
    if s:
        figs += scan_figures(s)
    if inc:
        figs += incremental_figures(inc)
    if nt:
        figs += notes_figures(nt)
    if dr:
        figs += drain_figures(dr)
    if va:
        figs += validation_figures(va)
    figs += rss_figures(h, s, e, ag, inc, dr, st)
    if pr:
        figs += precision_figures(pr)

    B.write_json(a.out, {"machine": m, "figures": figs, "raw": {"startup": st, "hooks": h, "providers": pv, "engine": e, "scan_all": s, "astgrep": ag,
                                                                 "incremental": inc, "notes": nt, "drain": dr, "validation": va,
                                                                 "precision": pr}})

    if not figs:
        print("no figures (nothing was run)")
        return 0
    w = max(len(f["figure"]) for f in figs) + 2
    print()
    if m:
        print(f"machine: {m.get('cpu', '?')}, nproc {m.get('nproc', '?')}, load average {m.get('load_before', '?')} "
              f"before / {m.get('load_after', '?')} after; {m.get('git', '')}; {'quick' if m.get('quick') else 'full'} run")
    if h and (h.get("hook_errors") or h.get("lost_commits")):
        print(f"WARNING: {h['hook_errors']} hook errors, {h['lost_commits']} commits never queued during the hook benchmark")
    print(f"{'figure':{w}} {'median':>9} {'p90':>9} {'unit':8} {'target':14} verdict")
    group = None
    for f in figs:
        if f["group"] != group:
            group = f["group"]
            print(group)
        print(f"  {f['figure']:{w - 2}} {fmt(f['median'], f['unit']):>9} {fmt(f['p90'], f['unit']):>9} "
              f"{f['unit']:8} {f['target']:14} {f['verdict']}{'  (' + f['note'] + ')' if f['note'] else ''}")
    print(f"\nwritten: {a.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
