// The libarchive functions the unpacker calls, typed by libarchive's own
// prototypes: a table, filled by the build's one implementation —
// archive_linked.cpp when the tools are static programs (libarchive linked
// in), archive_loaded.cpp when they are not (libarchive loaded by the first
// unpack, so that no other command loads it with libxml2, ICU and the
// compressors: docs/packaging.md, docs/benchmarks.md issue 15).
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <string>

namespace vz {

struct ArchiveApi {
    decltype(&::archive_entry_filetype) entry_filetype = nullptr;
    decltype(&::archive_entry_hardlink) entry_hardlink = nullptr;
    decltype(&::archive_entry_pathname) entry_pathname = nullptr;
    decltype(&::archive_entry_size) entry_size = nullptr;
    decltype(&::archive_errno) error_number = nullptr;
    decltype(&::archive_error_string) error_string = nullptr;
    decltype(&::archive_read_data) read_data = nullptr;
    decltype(&::archive_read_data_block) read_data_block = nullptr;
    decltype(&::archive_read_free) read_free = nullptr;
    decltype(&::archive_read_new) read_new = nullptr;
    decltype(&::archive_read_next_header) read_next_header = nullptr;
    decltype(&::archive_read_open) read_open = nullptr;
    decltype(&::archive_read_open_filename) read_open_filename = nullptr;
    decltype(&::archive_read_support_filter_all) read_support_filter_all = nullptr;
    decltype(&::archive_read_support_format_raw) read_support_format_raw = nullptr;
    decltype(&::archive_read_support_format_tar) read_support_format_tar = nullptr;
    decltype(&::archive_write_close) write_close = nullptr;
    decltype(&::archive_write_data_block) write_data_block = nullptr;
    decltype(&::archive_write_disk_new) write_disk_new = nullptr;
    decltype(&::archive_write_disk_set_options) write_disk_set_options = nullptr;
    decltype(&::archive_write_finish_entry) write_finish_entry = nullptr;
    decltype(&::archive_write_free) write_free = nullptr;
    decltype(&::archive_write_header) write_header = nullptr;
};

// The process's libarchive. Loaded: on the first call, kept until exit, and
// Error(VZ_FS_NEW_VE_PRVT) naming the library and its package when it cannot
// be loaded or lacks a function.
const ArchiveApi &archive_api();

// Owners of libarchive's read and write handles.
struct ArchiveReadFree {
    void operator()(archive *a) const noexcept { archive_api().read_free(a); }
};
struct ArchiveWriteFree {
    void operator()(archive *a) const noexcept { archive_api().write_free(a); }
};
using ArchiveReader = std::unique_ptr<archive, ArchiveReadFree>;
using ArchiveWriter = std::unique_ptr<archive, ArchiveWriteFree>;

// libarchive's message of a, on one line, with the errno's text when it is a
// real one (its pseudo-errnos EILSEQ and EINVAL would only mislead).
std::string archive_error_text(archive *a);

} // namespace vz
