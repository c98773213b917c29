// The exception that carries an exit code of OpenVZ's (base/exit_codes.h).
#pragma once

#include "vzkit/base/exit_codes.h"

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace vz {

struct ExitCodeInfo {
    int code;
    std::string_view name;
    std::string_view message;
};

// The whole vzerror.h table, ordered by code.
std::span<const ExitCodeInfo> exit_codes();
// nullptr for a code that is not in the table.
const ExitCodeInfo *find_exit_code(int code);

// Every error a tool reports: a one-line message and the OpenVZ exit code the
// tool exits with.
class Error : public std::runtime_error {
  public:
    Error(int code, const std::string &message) : std::runtime_error(message), code_(code) {}
    int code() const noexcept { return code_; }

  private:
    int code_;
};

// Throws Error(code, message + ": " + strerror(errno)).
[[noreturn]] void throw_errno(int code, const std::string &message);

} // namespace vz
