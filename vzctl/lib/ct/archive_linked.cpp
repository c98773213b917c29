// archive_api() of a build whose tools are static programs (VZKIT_STATIC,
// the source build's default): libarchive is linked in, and only the pages a
// command touches are ever read, so no other command pays for it.
#include "ct/archive_api.h"

namespace vz {

const ArchiveApi &archive_api() {
    static constexpr ArchiveApi linked{
        .entry_filetype = ::archive_entry_filetype,
        .entry_hardlink = ::archive_entry_hardlink,
        .entry_pathname = ::archive_entry_pathname,
        .entry_size = ::archive_entry_size,
        .error_number = ::archive_errno,
        .error_string = ::archive_error_string,
        .read_data = ::archive_read_data,
        .read_data_block = ::archive_read_data_block,
        .read_free = ::archive_read_free,
        .read_new = ::archive_read_new,
        .read_next_header = ::archive_read_next_header,
        .read_open = ::archive_read_open,
        .read_open_filename = ::archive_read_open_filename,
        .read_support_filter_all = ::archive_read_support_filter_all,
        .read_support_format_raw = ::archive_read_support_format_raw,
        .read_support_format_tar = ::archive_read_support_format_tar,
        .write_close = ::archive_write_close,
        .write_data_block = ::archive_write_data_block,
        .write_disk_new = ::archive_write_disk_new,
        .write_disk_set_options = ::archive_write_disk_set_options,
        .write_finish_entry = ::archive_write_finish_entry,
        .write_free = ::archive_write_free,
        .write_header = ::archive_write_header,
    };
    return linked;
}

} // namespace vz
