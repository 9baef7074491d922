#pragma once
// Context (issue 12): where a rule does not apply. A rule lists the contexts it skips (`not_in:` in its
// YAML, changed by `rules.contexts` in the configuration); a finding in one of them is not queued, and
// `scan` and `status` count it by rule and context.
//
// The contexts, and how a file or a region of it is put in one:
//  tests          scan.test_paths globs, or detection: a directory named test, tests, testing, __tests__,
//                 __test__, spec, specs, __mocks__, __fixtures__, testdata, test_data, test-data, unittests,
//                 unit_tests, unit-tests, integration_tests, integration-tests, functional_tests, e2e, cypress (any case); a
//                 file named test_*.py, *_test.py, *_tests.py, tests.py, conftest.py, *_test.go,
//                 *.test.*, *.spec.*, *.cy.*, *.e2e.*, *.e2e-spec.* (JavaScript and TypeScript extensions),
//                 *Test.java, *Tests.java, *IT.java, *TestCase.java, Test<Upper>*.java, *_test.{c,cc,cpp,cxx},
//                 *_tests.{c,cc,cpp,cxx}, *_unittest.{cc,cpp}, test_*.{c,cc,cpp,cxx}, tests.rs; and every file
//                 below a directory (other than the repository's root) that holds a conftest.py: pytest
//                 collects it as tests (a root conftest.py configures pytest for the whole project, so it
//                 marks nothing).
//  examples       scan.example_paths globs, or a directory named example, examples, _example, _examples,
//                 demo, demos, sample, samples, tutorial, tutorials (any case), or a file whose stem is
//                 example/examples/demo or starts with example_/demo_ or ends with _example/_demo.
//  benchmarks     scan.benchmark_paths globs, or a directory named bench, benches, benchmark, benchmarks,
//                 benchmarking, asv_bench (any case), or a file whose stem starts with bench_/benchmark_,
//                 ends with _bench/_benchmark/Benchmark, or is *.bench.* (JavaScript and TypeScript).
//  type_checking  Code only a type checker reads: stub and declaration files (*.pyi, *.d.ts, *.d.mts,
//                 *.d.cts); in Python, the body of `if TYPE_CHECKING:` / `if <module>.TYPE_CHECKING:` (not
//                 its else); and an assert that only narrows a type (below).
//  codegen        Deliberate code generation: exec/eval (Python) and eval/Function (JavaScript, TypeScript)
//                 running code the program built from a template (below).
//
// A type-narrowing assert (Python) is one without a message (a message is written for a person who
// misuses the code: that is a check) whose condition is `X is not None`, `isinstance(X, T)`, or an
// `and` of such, where every X is a name or a dotted attribute whose root is not a parameter of the
// enclosing function (`self`/`cls` excepted; a parameter reassigned before the assert is the function's
// own value), and X is used again after the assert in the same block. Such an assert states an
// invariant of the function's own state for a type checker; an assert on what the caller passed is
// input validation, which `python/assert-for-validation` is about, and stays reported.
//
// Deliberate code generation is a call of exec/eval (Python) or eval/new Function/Function
// (JavaScript) whose code argument (the first; Function's last) is
//  1. (Python) a compile(...) call, or a name assigned from one in the same function, whose source is a
//     string literal or built from a template (2), or that runs in a function or class whose name says
//     it generates code (below): the code objects generators such as attrs and boltons build (compiling
//     a file's or a parameter's text elsewhere, as a script runner does, is not codegen); or
//  2. built from a template: an f-string or template literal with substitutions, a `.format(...)`,
//     `.substitute(...)` or `.join(...)` call, `%` formatting, `+` with a string operand
//     (textwrap.dedent/inspect.cleandoc of one of these too), or a name assigned or `+=`-extended from
//     one in the same function; and, as evidence that generating code is the purpose, either
//     (Python) exec/eval is given an explicit namespace (a second argument), as namedtuple-style
//     generators do, or an enclosing function's or class's name says so: one of its words (split at
//     `_` and case changes) is codegen, gen, generate(d), generator, compile(r/d), template(s),
//     templating, synthesize/synthesise, builder, or make/create/build followed by fn, func,
//     function, method, class, init, code, source, src, repr, eq, hash.
// Code evaluated from anything else (input, a file's text, a parameter) is not codegen.
//
// Hostile repositories: the repository's tracked .autoloop.yml may add context globs and change the
// contexts of code-quality rules, but it cannot hide security findings: for a security_fixes rule,
// the scan.*_paths globs count only when the user's own layers (local config, environment, command
// line, the defaults) set them, and its rules.contexts entries may only remove contexts from such a
// rule (additions are ignored, and `rules --explain` says so).

#include "core/config.hpp"
#include "scan/provenance.hpp"
#include "scan/rule.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace scan {

// A set of contexts: bits of CodeContext.
using ContextSet = unsigned;

enum class CodeContext : unsigned {
  tests = 1u << 0,
  examples = 1u << 1,
  benchmarks = 1u << 2,
  type_checking = 1u << 3,
  codegen = 1u << 4,
};

inline constexpr ContextSet bit(CodeContext c) { return static_cast<ContextSet>(c); }

// Every context's name, in bit order: tests, examples, benchmarks, type_checking, codegen.
const std::vector<std::string>& context_names();
// The bit of a context's name; nullopt when there is no such context.
std::optional<ContextSet> context_by_name(std::string_view name);
// "tests, examples" (bit order), "" for none.
std::string describe_contexts(ContextSet set);
// The name of the lowest context of `set` ("" for none).
std::string first_context(ContextSet set);

// The contexts a file is in by its path alone (the detection list above, no globs). `exists` answers
// whether a path is a file of the same commit (for conftest.py); it may be empty.
ContextSet detected_path_contexts(std::string_view path, const PathExists& exists);

// A file's contexts: `all` for every rule, `for_security` for security_fixes rules (without the
// contexts only the repository's own globs gave it).
struct FileContexts {
  ContextSet all = 0;
  ContextSet for_security = 0;
};

// Detection plus the configuration's scan.test_paths/example_paths/benchmark_paths globs.
FileContexts file_contexts(const core::Config& config, std::string_view path, const PathExists& exists);

// The context of `file` and `region` (a finding's own, from the syntax tree) in which `rule` is not
// reported, nullopt when it is reported there.
std::optional<std::string> skipped_context(const Rule& rule, const FileContexts& file, ContextSet region);

// Applies `rules.contexts` overrides: each rule named there skips exactly the listed contexts. An
// entry from the repository's tracked file (`from_repository` holds "rules.contexts.<id>") cannot add a
// context to a security_fixes rule: those are dropped and noted in Rule::not_in_note.
void apply_context_overrides(std::vector<Rule>& rules, const core::Config& config);

} // namespace scan
