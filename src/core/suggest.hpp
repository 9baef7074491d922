#pragma once
// "Did you mean": the one place that decides which known name a mistyped word most likely stands for,
// for commands and options (cli/help.hpp), configuration keys and values (core/config.hpp), rule ids
// and the values of command-line options.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace core {

// Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions
// ("opne" is one edit from "open"). Case-sensitive. Does not throw but for allocation.
size_t edit_distance(std::string_view a, std::string_view b);

// The candidate `word` most likely stands for: the nearest (ignoring case) within a third of the word's
// length (at least 1, at most 3 edits), else the first candidate `word` (two characters or more) starts;
// nullopt when none is close. Does not throw but for allocation.
std::optional<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" for the closest candidate, or "" when none is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

} // namespace core
