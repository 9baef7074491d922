#!/usr/bin/env python3
"""The static hook stays standard library only (issue 15). Git runs autoloop-hook for every hook, so it
must cost about a fork+exec: no libgit2, SQLite, tree-sitter, yaml-cpp or spdlog in it.

usage: hookcore.py sources SRC_DIR
         Every file of src/hookcore/ and src/hook/ includes only standard C++, C and POSIX headers and
         other hookcore headers, or one of the std-only core/ headers the hook shares with the rest
         (STD_ONLY_CORE, checked the same way, with their .cpp files).
       hookcore.py binary HOOK [--static]
         The built hook links nothing but the C++ runtime and libc: with --static (every build but the
         sanitizer ones), no dynamic section and no interpreter at all; otherwise its NEEDED entries are
         runtime libraries only. In both cases no symbol of a third-party library or of another folder
         of src/ is in it.
Prints what it found wrong and exits 1, or prints what it checked.
"""
import pathlib
import re
import subprocess
import sys

# core/ headers that the hook shares with every other folder; themselves held to the same rule.
STD_ONLY_CORE = ("core/error.hpp", "core/fs.hpp", "core/layout.hpp", "core/printable.hpp")

CXX_HEADERS = set("""
algorithm any array atomic bitset cassert cctype cerrno cfloat charconv chrono cinttypes climits clocale cmath
codecvt complex condition_variable csetjmp csignal cstdarg cstddef cstdint cstdio cstdlib cstring ctime cwchar
cwctype deque exception execution filesystem forward_list fstream functional future initializer_list iomanip ios
iosfwd iostream istream iterator limits list locale map memory memory_resource mutex new numeric optional ostream
queue random ratio regex scoped_allocator set shared_mutex sstream stack stdexcept streambuf string string_view
system_error thread tuple type_traits typeindex typeinfo unordered_map unordered_set utility valarray variant vector
""".split())
# libc and POSIX headers (<sys/...> ones are matched by prefix).
C_HEADERS = set("""
assert.h ctype.h dirent.h dlfcn.h elf.h errno.h fcntl.h fnmatch.h glob.h grp.h inttypes.h limits.h locale.h
math.h poll.h pwd.h sched.h signal.h spawn.h stdarg.h stddef.h stdint.h stdio.h stdlib.h string.h strings.h
termios.h time.h unistd.h utime.h wchar.h
""".split())

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^">]+)[">]')


def system_header(name):
    return name in CXX_HEADERS or name in C_HEADERS or (name.startswith("sys/") and name.endswith(".h"))


def check_sources(src):
    """Problems in the files the hook compiles, following their quoted includes."""
    roots = sorted(p for d in ("hookcore", "hook") for p in (src / d).glob("*") if p.suffix in (".cpp", ".hpp"))
    if not any(p.parent.name == "hookcore" for p in roots):
        return [f"{src / 'hookcore'}: no sources found"], []
    todo = list(roots)
    for header in STD_ONLY_CORE:
        todo.append(src / header)
        cpp = (src / header).with_suffix(".cpp")
        if cpp.exists():
            todo.append(cpp)
    problems, seen = [], set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            bracket, name = match.groups()
            where = f"{path.relative_to(src)}:{number}"
            if bracket == "<":
                if not system_header(name):
                    problems.append(f"{where}: <{name}> is not a standard C++, C or POSIX header")
            elif name.startswith("hookcore/") or name in STD_ONLY_CORE:
                todo.append(src / name)
            else:
                problems.append(f'{where}: "{name}" is outside src/hookcore/ and the std-only core headers '
                                f"({', '.join(STD_ONLY_CORE)})")
    return problems, sorted(seen)


def run(*argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


# Libraries a dynamically linked hook (sanitizer builds) may need: the C++ runtime, libc, the loader,
# and the sanitizers' runtimes.
RUNTIME_LIBRARIES = re.compile(r"^(libstdc\+\+|libc\+\+|libc\+\+abi|libm|libgcc_s|libc|ld-linux[-\w.]*|libasan|libubsan|"
                               r"libclang_rt[-\w.]*)\.so")
# Symbols that would say something else got in: C entry points of the libraries the rest of git-autoloop
# uses, and C++ namespaces of those libraries and of the other folders of src/.
FOREIGN_C_SYMBOL = re.compile(r"^(git_|sqlite3_|ts_parser_|ts_tree_|ts_query_|pcre2_|yaml_)")
FOREIGN_NAMESPACE = re.compile(r"^(YAML|spdlog|fmt|CLI|nlohmann|Catch|git|queue|scan|loop|merge|fix|safety|metrics|"
                               r"feedback|cli|schedule)::")


def check_binary(hook, expect_static):
    problems = []
    dynamic = run("readelf", "-dW", hook)
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dynamic)
    interpreter = "Requesting program interpreter" in run("readelf", "-lW", hook)
    if expect_static:
        if "There is no dynamic section" not in dynamic or interpreter:
            problems.append(f"{hook}: not statically linked (needs {', '.join(needed) or 'a dynamic loader'})")
    for library in needed:
        if not RUNTIME_LIBRARIES.match(library):
            problems.append(f"{hook}: needs {library}, not part of the C++ runtime or libc")
    raw = run("nm", "--defined-only", hook).splitlines()
    demangled = run("nm", "--defined-only", "--demangle", hook).splitlines()
    if not raw:
        problems.append(f"{hook}: no symbols to check (stripped?)")
    for line in raw:
        name = line.split()[-1]
        if FOREIGN_C_SYMBOL.match(name):
            problems.append(f"{hook}: holds {name}")
    for line in demangled:
        name = line.split(" ", 2)[-1]
        if FOREIGN_NAMESPACE.match(name):
            problems.append(f"{hook}: holds {name}")
    return problems, needed, len(raw)


def main():
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "sources":
        problems, checked = check_sources(pathlib.Path(args[1]))
        summary = f"{len(checked)} files ({', '.join(str(p.relative_to(args[1])) for p in checked)}) include only " \
                  "standard headers and each other"
    elif len(args) in (2, 3) and args[0] == "binary" and args[2:] in ([], ["--static"]):
        problems, needed, symbols = check_binary(args[1], args[2:] == ["--static"])
        summary = f"{args[1]}: {'static' if not needed else 'needs ' + ', '.join(needed)}; " \
                  f"none of its {symbols} symbols comes from another library or folder"
    else:
        sys.exit(__doc__)
    for problem in problems[:20]:
        print(problem)
    if len(problems) > 20:
        print(f"... and {len(problems) - 20} more")
    if problems:
        return 1
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
