#pragma once
// Registering the merge driver with git, and undoing it exactly:
//  - config (the repository's own file): merge.autoloop.name and merge.autoloop.driver =
//    `<absolute autoloop-merge> %O %A %B %L %P` (the lean driver binary), or
//    `<absolute git-autoloop> merge-driver %O %A %B %L %P` where that binary is missing;
//  - attributes: one marked block of `*.<ext> merge=autoloop` lines for every supported extension, in
//    <common git dir>/info/attributes (untracked, this clone only) and, when asked, in the tracked
//    .gitattributes. The block is replaced in place on reinstall; lines outside it are never touched.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace merge {

// The driver's name in git config and attributes (merge=autoloop).
inline constexpr std::string_view k_driver_name = "autoloop";

// The marked block of attribute lines for every extension of scan::languages().
std::string attribute_block();

// `text` (an attributes file) with our block added at the end, or replaced where it is. Never throws.
std::string with_attribute_block(const std::string& text);
// `text` without our block (and nothing else changed). Never throws.
std::string without_attribute_block(const std::string& text);
// Whether `text` holds our block.
bool has_attribute_block(const std::string& text);

// The file name of the lean driver binary (src/merge/main.cpp).
inline constexpr std::string_view k_driver_binary = "autoloop-merge";

// The driver command line for `binary` (shell-quoted: git runs it through sh): autoloop-merge takes
// git's placeholders directly, git-autoloop after its `merge-driver` subcommand.
std::string driver_command(const std::filesystem::path& binary);

// What an install or uninstall changed, one line per item, for the user.
struct DriverChange {
  std::string what;    // "merge.autoloop.driver", "info/attributes", ".gitattributes"
  std::string action;  // added, updated, unchanged, removed, absent
};

// Writes the config entries (the driver_command of `binary`) into `config_file` (via `git config
// --file`) and the block into `attributes_file` (created when missing, written atomically). Throws
// core::Error on failure.
std::vector<DriverChange> install_driver(const std::filesystem::path& config_file,
                                         const std::filesystem::path& attributes_file,
                                         const std::filesystem::path& binary);

// Adds (or refreshes) the block in a tracked .gitattributes. Throws core::Error on failure.
DriverChange install_tracked_attributes(const std::filesystem::path& gitattributes);

// Removes what install_driver added: the two config entries (and the section when it is left empty),
// and the block from each attributes file (a file left empty that held only the block is removed).
std::vector<DriverChange> uninstall_driver(const std::filesystem::path& config_file,
                                           const std::vector<std::filesystem::path>& attributes_files);

} // namespace merge
