#include "vzkit/cli/options.h"

#include <algorithm>

namespace vz::cli {

namespace {

// getopt's messages (glibc's wording), which the tools have always printed.
class Parser {
  public:
    Parser(std::span<const std::string> args, std::span<const Option> options, const Style &style)
        : args_(args), options_(options), style_(style) {}

    Parsed run() {
        bool options_done = false;
        for (i_ = 0; i_ < args_.size(); ++i_) {
            const std::string &word = args_[i_];
            if (options_done || word.size() < 2 || word[0] != '-') {
                out_.positional.push_back(word);
                options_done |= style_.stop_at_positional;
            } else if (word == "--") {
                options_done = true;
            } else if (word[1] == '-' && has_long_names()) {
                if (!long_option(word, 2))
                    unknown_long(word);
            } else if (!(style_.single_dash_long && long_option(word, 1))) {
                short_options(word);
            }
        }
        return std::move(out_);
    }

  private:
    // Without long options "--x" is getopt(3)'s: a bundle whose first letter, '-', is invalid.
    bool has_long_names() const {
        return std::ranges::any_of(options_, [](const Option &o) { return !o.name.empty(); });
    }

    const Option *find_long(std::string_view name) const {
        auto it = std::ranges::find_if(
            options_, [&](const Option &o) { return !o.name.empty() && o.name == name; });
        return it == options_.end() ? nullptr : &*it;
    }

    const Option *find_short(char c) const {
        auto it = std::ranges::find(options_, c, &Option::short_name);
        return it == options_.end() ? nullptr : &*it;
    }

    [[noreturn]] void fail(const std::string &message, UsageError::Kind kind,
                           const std::string &word) const {
        throw UsageError(style_.usage_error, message, kind, word);
    }

    [[noreturn]] void unknown_long(const std::string &word) const {
        fail("unrecognized option '" + word + "'", UsageError::Kind::kUnknown, word);
    }

    // word[skip..] is "name" or "name=value"; false if no option has that name.
    bool long_option(const std::string &word, std::size_t skip) {
        const std::string_view body = std::string_view(word).substr(skip);
        const std::size_t eq = body.find('=');
        const Option *option = find_long(body.substr(0, eq));
        if (!option)
            return false;
        const std::string written = word.substr(0, skip + std::min(eq, body.size()));
        if (option->arg == Arg::kNone) {
            if (eq != std::string_view::npos)
                fail("option '" + written + "' doesn't allow an argument",
                     UsageError::Kind::kUnexpectedValue, word);
            out_.given.push_back({option, {}});
        } else if (eq != std::string_view::npos) {
            out_.given.push_back({option, std::string(body.substr(eq + 1))});
        } else if (i_ + 1 < args_.size()) {
            out_.given.push_back({option, args_[++i_]});
        } else {
            fail("option '" + written + "' requires an argument", UsageError::Kind::kMissingValue,
                 written);
        }
        return true;
    }

    // "-abc", "-ovalue": a bundle ends at the first option that takes a value.
    void short_options(const std::string &word) {
        for (std::size_t j = 1; j < word.size(); ++j) {
            const char c = word[j];
            const Option *option = c == '-' ? nullptr : find_short(c);
            if (!option)
                fail(std::string("invalid option -- '") + c + "'", UsageError::Kind::kUnknown,
                     style_.single_dash_long ? word : std::string("-") + c);
            if (option->arg == Arg::kNone) {
                out_.given.push_back({option, {}});
                continue;
            }
            if (j + 1 < word.size())
                out_.given.push_back({option, word.substr(j + 1)});
            else if (i_ + 1 < args_.size())
                out_.given.push_back({option, args_[++i_]});
            else
                fail(std::string("option requires an argument -- '") + c + "'",
                     UsageError::Kind::kMissingValue, std::string("-") + c);
            return;
        }
    }

    std::span<const std::string> args_;
    std::span<const Option> options_;
    const Style &style_;
    std::size_t i_ = 0;
    Parsed out_;
};

std::string left_column(const Option &o) {
    std::string text = "  ";
    if (o.short_name != 0)
        text += std::string("-") + o.short_name;
    if (o.short_name != 0 && !o.name.empty())
        text += ", ";
    if (!o.name.empty())
        text += "--" + std::string(o.name);
    if (!o.value_name.empty())
        text += " " + std::string(o.value_name);
    return text;
}

} // namespace

Parsed parse(std::span<const std::string> args, std::span<const Option> options,
             const Style &style) {
    return Parser(args, options, style).run();
}

std::string help_text(std::span<const Option> options) {
    std::size_t width = 0;
    for (const Option &o : options)
        if (!o.help.empty())
            width = std::max(width, left_column(o).size());
    return help_text(options, width + 3);
}

std::string help_text(std::span<const Option> options, std::size_t column) {
    std::string text;
    for (const Option &o : options) {
        if (o.help.empty())
            continue;
        std::string left = left_column(o);
        left.resize(std::max(column, left.size() + 1), ' ');
        text += left + std::string(o.help) + "\n";
    }
    return text;
}

std::string usage_text(std::string_view synopsis, std::span<const UsageGroup> groups,
                       std::size_t column, std::string_view epilogue) {
    std::string text(synopsis);
    for (std::size_t i = 0; i < groups.size(); ++i) {
        if (i > 0)
            text += "\n";
        if (!groups[i].heading.empty())
            text += std::string(groups[i].heading) + "\n";
        text += help_text(groups[i].options, column);
    }
    return text + std::string(epilogue);
}

std::string usage_text(std::string_view synopsis, std::span<const Option> options,
                       std::size_t column, std::string_view epilogue) {
    const UsageGroup group{"", options};
    return usage_text(synopsis, std::span(&group, 1), column, epilogue);
}

} // namespace vz::cli
