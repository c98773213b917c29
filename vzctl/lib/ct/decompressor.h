// A compressed template decompressed by a second thread, which the unpacker
// reads as a plain tar: on two CPUs the decompression (xz: most of a Debian
// template's unpack) overlaps with writing the files, as with `tar -xJf`,
// whose xz runs beside tar (docs/benchmarks.md, create). The pieces pass
// between the threads in buffers they hand over, not through a pipe: the
// pipe's two copies and its syscalls were a sixth of the unpacking thread's
// time (docs/benchmarks.md, issue 15 create).
#pragma once

#include "ct/archive_api.h"
#include "vzkit/base/error.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <thread>
#include <vector>

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

    // The next piece of the uncompressed stream, valid until the next call
    // (which gives its buffer back to the thread). Empty at the stream's end,
    // or when the thread failed: finish() says why. One reader only.
    std::span<const char> next();

    // Stops the thread (at once if it waits for a buffer) and waits for it.
    // What went wrong in it, if anything: a corrupt or truncated stream, a
    // read error.
    std::optional<Error> finish();

  private:
    struct Piece {
        std::vector<char> *buffer; // null: the end of the stream
        std::size_t size;
    };

    void pump();
    bool put(Piece piece);
    Error failure(const std::string &why) const;

    std::string tarball_;
    ArchiveReader raw_;
    std::vector<std::vector<char>> buffers_;
    std::mutex mutex_;
    std::condition_variable changed_;
    std::deque<std::vector<char> *> free_; // guarded by mutex_
    std::deque<Piece> full_;               // guarded by mutex_
    bool stopping_ = false;                // guarded by mutex_
    std::vector<char> *held_ = nullptr;    // the reader's current buffer
    bool ended_ = false;                   // the reader saw the end
    std::optional<Error> error_;           // set by the thread; read after the join
    std::thread thread_;
};

// libarchive's read callback over a Decompressor (its client data).
la_ssize_t decompressor_read(archive *, void *decompressor, const void **buffer);

} // namespace vz
