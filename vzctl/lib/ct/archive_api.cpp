// What every build shares of libarchive: its errors as one line.
#include "ct/archive_api.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vz {

// libarchive's own messages ("Write failed") often leave out the errno. Its
// pseudo-errnos (private archive_platform.h: EILSEQ for a format error, EINVAL
// for misuse, -1 otherwise) would only add a misleading strerror.
std::string archive_error_text(archive *a) {
    const char *raw = archive_api().error_string(a);
    std::string text = raw != nullptr ? raw : "unknown error";
    std::replace(text.begin(), text.end(), '\n', ' ');
    const int err = archive_api().error_number(a);
    if (err > 0 && err != EILSEQ && err != EINVAL) {
        const std::string reason = std::strerror(err);
        if (text.find(reason) == std::string::npos)
            text += ": " + reason;
    }
    return text;
}

} // namespace vz
