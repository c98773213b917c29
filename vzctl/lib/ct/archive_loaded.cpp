// archive_api() of a build whose tools are shared-library programs
// (VZKIT_STATIC off, as Debian's package builds them): libarchive loaded by
// the first unpack, so that no other command loads it and the libraries it
// brings (docs/packaging.md).
#include "ct/archive_api.h"

#include "vzkit/base/error.h"
#include "vzkit/base/shared_library.h"

namespace vz {
namespace {

class LoadedArchive {
  public:
    LoadedArchive()
        : library_(VZKIT_LIBARCHIVE_SONAME, VZ_FS_NEW_VE_PRVT,
                   "Unpacking a template needs " VZKIT_LIBARCHIVE_SONAME
                   " (Debian's libarchive13)") {
        library_.bind(api_.entry_filetype, "archive_entry_filetype");
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
        library_.bind(api_.read_open, "archive_read_open");
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

} // namespace vz
