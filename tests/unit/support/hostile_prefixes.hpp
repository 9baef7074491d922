#pragma once
// side_branch_prefix spellings a hostile repository could give: each with a word of the reason it is
// refused. Shared by the tests of core/refname, core/config and git/repo.

#include <string>
#include <utility>
#include <vector>

namespace test_support {

// Spellings a repository's .autoloop.yml could give as side_branch_prefix, each refused with a reason.
inline const std::vector<std::pair<std::string, std::string>> k_hostile_prefixes = {
    {"", "empty"},
    {"../../x/", "\"..\""},
    {"../../../../", "\"..\""},
    {"/abs/", "starts with '/'"},
    {"a/../b/", "\"..\""},
    {"a//b/", "\"//\""},
    {".hidden/", "starts with '.'"},
    {"a/.x/", "starts with '.'"},
    {"a/./b/", "starts with '.'"},
    {"x.lock/", "ends with \".lock\""},
    {"a/x.lock", "ends with \".lock\""},
    {"a b/", "a space"},
    {"a~b/", "'~'"},
    {"a^/", "'^'"},
    {"a:b/", "':'"},
    {"a?/", "'?'"},
    {"a*/", "'*'"},
    {"a[/", "'['"},
    {"a\\b/", "a backslash"},
    {"@{/", "\"@{\""},
    {"a@{x/", "\"@{\""},
    {std::string("a\x01/"), "control character"},
    {"a\n/", "control character"},
    {"a\t/", "control character"},
    {std::string("a\x7f/"), "control character"},
    {std::string(300, 'a') + "/", "bytes long"},
    {"-x/", "starts with '-'"},
};

} // namespace test_support
