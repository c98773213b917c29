#include "vzkit/ubc/proc.h"

#include "vzkit/base/error.h"
#include "vzkit/base/util.h"
#include "vzkit/base/ct_config.h"

#include <algorithm>
#include <iostream>
#include <iterator>

namespace vz::ubc {
namespace {

constexpr std::string_view kVersion = "2.5";

// "123:" → 123.
std::optional<std::uint32_t> parse_id_token(std::string_view token) {
    if (token.size() < 2 || token.back() != ':')
        return std::nullopt;
    auto id = vz::parse_number<std::uint64_t>(token.substr(0, token.size() - 1));
    if (!id || *id > UINT32_MAX)
        return std::nullopt;
    return static_cast<std::uint32_t>(*id);
}

// A resource name and five numbers, from words[first...].
std::optional<Row> parse_row(const std::vector<std::string> &words, std::size_t first) {
    if (words.size() != first + 6)
        return std::nullopt;
    Row row;
    row.resource = words[first];
    std::uint64_t *fields[] = {&row.held, &row.maxheld, &row.barrier, &row.limit, &row.failcnt};
    for (std::size_t i = 0; i < 5; ++i) {
        auto value = vz::parse_number<std::uint64_t>(words[first + 1 + i]);
        if (!value)
            return std::nullopt;
        *fields[i] = *value;
    }
    return row;
}

void add_row(Beancounter &bc, Row row) {
    if (row.resource != "dummy")
        bc.rows.push_back(std::move(row));
}

} // namespace

const Row *Beancounter::find(std::string_view resource) const {
    auto it = std::ranges::find(rows, resource, &Row::resource);
    return it != rows.end() ? &*it : nullptr;
}

std::optional<std::vector<Beancounter>> parse_beancounters(std::string_view text) {
    std::vector<Beancounter> out;
    for (const auto &line : split(text, '\n')) {
        auto words = split_ws(line);
        if (words.empty())
            continue;
        if (words[0] == "Version:") {
            if (words.size() != 2 || words[1] != kVersion)
                return std::nullopt;
            continue;
        }
        if (auto id = parse_id_token(words[0])) {
            out.push_back(Beancounter{*id, {}});
            if (auto row = parse_row(words, 1))
                add_row(out.back(), std::move(*row));
        } else if (!out.empty()) {
            if (auto row = parse_row(words, 0))
                add_row(out.back(), std::move(*row));
        }
    }
    return out;
}

Beancounter parse_bc_resources(std::string_view text, std::uint32_t id) {
    Beancounter bc{id, {}};
    for (const auto &line : split(text, '\n'))
        if (auto row = parse_row(split_ws(line), 0))
            add_row(bc, std::move(*row));
    return bc;
}

std::filesystem::path default_source(const std::filesystem::path &root) {
    std::error_code ec;
    const auto bc = root / "bc" / "resources";
    return std::filesystem::exists(bc, ec) ? bc : root / "user_beancounters";
}

std::optional<std::vector<Beancounter>> read_beancounters(const std::filesystem::path &root) {
    const auto source = default_source(root);
    std::error_code ec;
    if (!std::filesystem::exists(source, ec))
        return std::nullopt;
    auto text = read_file(source);
    if (!text)
        throw_errno(VZ_SYSTEM_ERROR, "Unable to read " + source.string());
    auto parsed = parse_beancounters(*text);
    if (!parsed)
        throw Error(VZ_SYSTEM_ERROR, source.string() + ": unknown version (want 2.5)");
    return parsed;
}

std::optional<Beancounter> read_beancounter(std::uint32_t id, const std::filesystem::path &root) {
    auto text = read_file(root / "bc" / std::to_string(id) / "resources");
    if (!text)
        return std::nullopt;
    return parse_bc_resources(*text, id);
}

std::vector<Beancounter> load_beancounters(const std::optional<std::string> &file) {
    std::string text;
    std::string source;
    if (file && *file == "-") {
        text.assign(std::istreambuf_iterator<char>(std::cin), {});
        source = "standard input";
    } else {
        source = file ? *file : default_source().string();
        auto content = read_file(source);
        if (!content)
            throw Error(1, "Error: cannot read " + source +
                               (file ? "" : " (is the vzkit module loaded?)"));
        text = std::move(*content);
    }
    auto bcs = parse_beancounters(text);
    if (!bcs)
        throw Error(1, "Error: unknown version in " + source + " (want 2.5)");
    return *bcs;
}

std::optional<std::uint32_t> beancounter_id(const std::string &text) {
    if (auto id = vz::parse_number<std::uint32_t>(text))
        return id;
    if (auto ctid = ctid_by_name(text))
        return *ctid;
    return std::nullopt;
}

} // namespace vz::ubc
