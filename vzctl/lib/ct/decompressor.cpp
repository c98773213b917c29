#include "ct/decompressor.h"

#include "ct/archive_api.h"

#include <pthread.h>
#include <signal.h>

#include <system_error>

namespace vz {
namespace {

// Eight pieces of 256 KiB in flight: as much as the 1 MiB pipe held before,
// and room for the decompressor to run ahead while a large file is written.
constexpr std::size_t kChunk = 256 * 1024;
constexpr std::size_t kBuffers = 8;

} // namespace

Decompressor::Decompressor(const std::string &tarball)
    : tarball_(tarball), raw_(archive_api().read_new()), buffers_(kBuffers) {
    if (!raw_)
        throw failure("out of memory");
    archive_api().read_support_filter_all(raw_.get());
    archive_api().read_support_format_raw(raw_.get());
    if (archive_api().read_open_filename(raw_.get(), tarball_.c_str(), 64 * 1024) != ARCHIVE_OK)
        throw failure(archive_error_text(raw_.get()));
    for (auto &buffer : buffers_) {
        buffer.resize(kChunk);
        free_.push_back(&buffer);
    }
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

// Hands a filled buffer (or the end) to the reader; false once finish() asked
// the thread to stop.
bool Decompressor::put(Piece piece) {
    const std::lock_guard lock(mutex_);
    if (stopping_)
        return false;
    full_.push_back(piece);
    changed_.notify_all();
    return true;
}

void Decompressor::pump() {
    // Signals are the unpacking thread's to take (the interrupt check runs there).
    sigset_t all;
    sigfillset(&all);
    ::pthread_sigmask(SIG_BLOCK, &all, nullptr);
    archive_entry *entry = nullptr;
    if (archive_api().read_next_header(raw_.get(), &entry) != ARCHIVE_OK) {
        error_ = failure(archive_error_text(raw_.get()));
        put({nullptr, 0});
        return;
    }
    for (;;) {
        std::vector<char> *buffer = nullptr;
        {
            std::unique_lock lock(mutex_);
            changed_.wait(lock, [&] { return stopping_ || !free_.empty(); });
            if (stopping_)
                return;
            buffer = free_.front();
            free_.pop_front();
        }
        const la_ssize_t n = archive_api().read_data(raw_.get(), buffer->data(), buffer->size());
        if (n < 0)
            error_ = failure(archive_error_text(raw_.get()));
        if (n <= 0) {
            put({nullptr, 0});
            return;
        }
        if (!put({buffer, static_cast<std::size_t>(n)}))
            return;
    }
}

std::span<const char> Decompressor::next() {
    std::unique_lock lock(mutex_);
    if (held_ != nullptr) {
        free_.push_back(held_);
        held_ = nullptr;
        changed_.notify_all();
    }
    if (ended_)
        return {};
    changed_.wait(lock, [&] { return !full_.empty(); });
    const Piece piece = full_.front();
    full_.pop_front();
    if (piece.buffer == nullptr) {
        ended_ = true;
        return {};
    }
    held_ = piece.buffer;
    return {piece.buffer->data(), piece.size};
}

std::optional<Error> Decompressor::finish() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
        changed_.notify_all();
    }
    if (thread_.joinable())
        thread_.join();
    raw_.reset();
    return error_;
}

la_ssize_t decompressor_read(archive *, void *decompressor, const void **buffer) {
    const auto piece = static_cast<Decompressor *>(decompressor)->next();
    *buffer = piece.data();
    return static_cast<la_ssize_t>(piece.size());
}

} // namespace vz
