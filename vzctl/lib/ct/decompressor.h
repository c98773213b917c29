// A compressed template decompressed by a second thread into a pipe, which
// the unpacker reads as a plain tar: on two CPUs the decompression (xz: most
// of a Debian template's unpack) overlaps with writing the files, as with
// `tar -xJf`, whose xz runs beside tar (docs/benchmarks.md, create).
#pragma once

#include "ct/archive_api.h"
#include "vzkit/base/error.h"
#include "vzkit/base/fd.h"

#include <optional>
#include <string>
#include <thread>

namespace vz {

class Decompressor {
  public:
    // Opens tarball with libarchive's filters and its raw format (relative
    // paths against the cwd of now) and starts the thread. Throws
    // Error(VZ_FS_NEW_VE_PRVT) when it cannot be opened.
    explicit Decompressor(const std::string &tarball);
    Decompressor(const Decompressor &) = delete;
    Decompressor &operator=(const Decompressor &) = delete;
    ~Decompressor();

    // The read end of the pipe: the uncompressed stream.
    int fd() const { return read_end_.get(); }

    // Closes the read end (a write still pending fails, which ends the thread
    // without an error) and waits for the thread. What went wrong in it, if
    // anything: a corrupt or truncated stream, a read error.
    std::optional<Error> finish();

  private:
    void pump();
    Error failure(const std::string &why) const;

    std::string tarball_;
    ArchiveReader raw_;
    UniqueFd read_end_, write_end_;
    std::optional<Error> error_; // set by the thread; read after the join
    std::thread thread_;
};

} // namespace vz
