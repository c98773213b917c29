#include "ct/decompressor.h"

#include "ct/archive_api.h"
#include "vzkit/base/process.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>
#include <vector>

namespace vz {
namespace {

// A bigger pipe means fewer wake-ups of either side; refused (an
// unprivileged pipe-max-size) it stays at 64 KiB.
constexpr int kPipeSize = 1 << 20;
constexpr size_t kChunk = 256 * 1024;

} // namespace

Decompressor::Decompressor(const std::string &tarball)
    : tarball_(tarball), raw_(archive_api().read_new()) {
    if (!raw_)
        throw failure("out of memory");
    archive_api().read_support_filter_all(raw_.get());
    archive_api().read_support_format_raw(raw_.get());
    if (archive_api().read_open_filename(raw_.get(), tarball_.c_str(), 64 * 1024) != ARCHIVE_OK)
        throw failure(archive_error_text(raw_.get()));
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        throw_errno(VZ_FS_NEW_VE_PRVT, "Unable to create a pipe");
    read_end_ = UniqueFd(fds[0]);
    write_end_ = UniqueFd(fds[1]);
    ::fcntl(write_end_.get(), F_SETPIPE_SZ, kPipeSize);
    try {
        thread_ = std::thread([this] { pump(); });
    } catch (const std::system_error &e) {
        throw failure(std::string("no thread to decompress in: ") + e.what());
    }
}

Error Decompressor::failure(const std::string &why) const {
    return Error(VZ_FS_NEW_VE_PRVT, "Unable to unpack template " + tarball_ + ": " + why);
}

Decompressor::~Decompressor() {
    finish();
}

void Decompressor::pump() {
    // Signals are the main thread's to take (the interrupt check runs
    // there), and a write to a pipe whose reader has gone fails with EPIPE
    // instead of raising SIGPIPE.
    sigset_t all;
    sigfillset(&all);
    ::pthread_sigmask(SIG_BLOCK, &all, nullptr);
    const auto failed = [&] { error_ = failure(archive_error_text(raw_.get())); };
    archive_entry *entry = nullptr;
    if (archive_api().read_next_header(raw_.get(), &entry) != ARCHIVE_OK) {
        failed();
    } else {
        std::vector<char> buffer(kChunk);
        for (;;) {
            const la_ssize_t n = archive_api().read_data(raw_.get(), buffer.data(), buffer.size());
            if (n == 0)
                break;
            if (n < 0) {
                failed();
                break;
            }
            // The reader gone: the unpack stopped or reached the tar's end.
            if (!write_all(write_end_.get(), buffer.data(), static_cast<size_t>(n)))
                break;
        }
    }
    write_end_.reset(); // EOF for the reader
}

std::optional<Error> Decompressor::finish() {
    read_end_.reset();
    if (thread_.joinable())
        thread_.join();
    raw_.reset();
    return error_;
}

} // namespace vz
