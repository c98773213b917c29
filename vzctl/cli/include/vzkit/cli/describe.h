// What a tool describes of itself for its man page and its bash completion
// (man/, completion/, docs/manpages.md): its options, commands and whatever
// else a table of it holds, as tab-separated lines, printed by the hidden sole
// argument --vzkit-describe (tool_main.h). The man pages and the completion
// read this instead of a copy of the tables, so they cannot drift from them.
#pragma once

#include "vzkit/cli/options.h"

#include <span>
#include <string>
#include <string_view>

namespace vz::cli {

inline constexpr std::string_view kDescribeArgument = "--vzkit-describe";

// A line of fields joined by tabs; a tab or newline inside a field becomes a
// space, so a line is always one record.
std::string describe_line(std::span<const std::string_view> fields);

// One "option" line per option:
//   option <scope> <short> <long names, comma-separated> <0|1 takes a value> <value name> <help>
// scope: "" for the tool's own options, else the command they belong to.
std::string describe_options(std::span<const Option> options, std::string_view scope = {});

// "command <name> <usage>": usage "" when another command's line covers it
// ("destroy | delete <ctid>") or the tool has none.
std::string describe_command(std::string_view name, std::string_view usage);

} // namespace vz::cli
