#include "ct/archive_api.h"

#include "vzkit/base/error.h"
#include "vzkit/base/shared_library.h"

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vz {
namespace {

class LoadedArchive {
  public:
    LoadedArchive()
        : library_(VZKIT_LIBARCHIVE_SONAME, VZ_FS_NEW_VE_PRVT,
                   "Unpacking a template needs " VZKIT_LIBARCHIVE_SONAME
                   " (Debian's libarchive13)") {
        library_.bind(api_.entry_hardlink, "archive_entry_hardlink");
        library_.bind(api_.entry_pathname, "archive_entry_pathname");
        library_.bind(api_.entry_size, "archive_entry_size");
        library_.bind(api_.error_number, "archive_errno");
        library_.bind(api_.error_string, "archive_error_string");
        library_.bind(api_.read_data, "archive_read_data");
        library_.bind(api_.read_data_block, "archive_read_data_block");
        library_.bind(api_.read_free, "archive_read_free");
        library_.bind(api_.read_new, "archive_read_new");
        library_.bind(api_.read_next_header, "archive_read_next_header");
        library_.bind(api_.read_open_fd, "archive_read_open_fd");
        library_.bind(api_.read_open_filename, "archive_read_open_filename");
        library_.bind(api_.read_support_filter_all, "archive_read_support_filter_all");
        library_.bind(api_.read_support_format_raw, "archive_read_support_format_raw");
        library_.bind(api_.read_support_format_tar, "archive_read_support_format_tar");
        library_.bind(api_.write_close, "archive_write_close");
        library_.bind(api_.write_data_block, "archive_write_data_block");
        library_.bind(api_.write_disk_new, "archive_write_disk_new");
        library_.bind(api_.write_disk_set_options, "archive_write_disk_set_options");
        library_.bind(api_.write_finish_entry, "archive_write_finish_entry");
        library_.bind(api_.write_free, "archive_write_free");
        library_.bind(api_.write_header, "archive_write_header");
    }
    const ArchiveApi &api() const { return api_; }

  private:
    SharedLibrary library_;
    ArchiveApi api_;
};

} // namespace

const ArchiveApi &archive_api() {
    // A failed load throws out of the initialisation and is tried again at
    // the next call.
    static const LoadedArchive loaded;
    return loaded.api();
}

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
