#define BOOST_TEST_MODULE lock
#include <boost/test/unit_test.hpp>

#include "temp_dir.h"

#include "vzkit/base/error.h"
#include "vzkit/base/lock.h"
#include "vzkit/base/util.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct TempDir : vztest::TempDir {
    TempDir() : vztest::TempDir("vzkit-lock") {}
};

std::vector<std::string> dir_entries(const fs::path &dir) {
    std::vector<std::string> names;
    for (const auto &entry : fs::directory_iterator(dir))
        names.push_back(entry.path().filename().string());
    std::ranges::sort(names);
    return names;
}

void write_text(const fs::path &path, const std::string &text) {
    std::ofstream(path, std::ios::binary) << text;
}

std::string own_content() {
    return std::to_string(::getpid()) + "\n\n";
}

// A child that exited and was reaped: its pid names no live process.
pid_t dead_pid() {
    pid_t pid = ::fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0)
        ::_exit(0);
    int status = 0;
    BOOST_REQUIRE(::waitpid(pid, &status, 0) == pid);
    return pid;
}

// A forked child that takes the lock and holds it until released.
class LockHolder {
  public:
    LockHolder(const fs::path &dir, vz::Ctid ctid) {
        int ready[2], release[2];
        BOOST_REQUIRE(::pipe(ready) == 0 && ::pipe(release) == 0);
        pid_ = ::fork();
        BOOST_REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::close(ready[0]);
            ::close(release[1]);
            int rc = 0;
            try {
                vz::CtLock lock = vz::CtLock::acquire(dir, ctid);
                char c = 'y';
                if (::write(ready[1], &c, 1) != 1)
                    rc = 2;
                // Returns when the parent closes its end.
                [[maybe_unused]] ssize_t n = ::read(release[0], &c, 1);
            } catch (...) {
                rc = 1;
            }
            ::_exit(rc);
        }
        ::close(ready[1]);
        ::close(release[0]);
        release_fd_ = release[1];
        char c = 0;
        BOOST_REQUIRE(::read(ready[0], &c, 1) == 1);
        ::close(ready[0]);
    }
    LockHolder(const LockHolder &) = delete;
    LockHolder &operator=(const LockHolder &) = delete;
    ~LockHolder() { stop(); }

    pid_t pid() const { return pid_; }
    // Makes the child drop the lock and exit; returns its exit code.
    int stop() {
        if (release_fd_ < 0)
            return exit_code_;
        ::close(release_fd_);
        release_fd_ = -1;
        int status = 0;
        ::waitpid(pid_, &status, 0);
        exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        return exit_code_;
    }

  private:
    pid_t pid_ = -1;
    int release_fd_ = -1;
    int exit_code_ = -1;
};

} // namespace

BOOST_AUTO_TEST_CASE(acquire_and_release) {
    TempDir dir;
    const fs::path lockdir = dir.path / "vz" / "lock"; // created on demand
    {
        vz::CtLock lock = vz::CtLock::acquire(lockdir, 101);
        BOOST_TEST(lock.path() == lockdir / "101.lck");
        BOOST_TEST(vz::read_file(lock.path()).value() == own_content());
        // The temp file used for link() is gone.
        BOOST_TEST(dir_entries(lockdir) == std::vector<std::string>{"101.lck"});
        struct stat st {};
        BOOST_REQUIRE(::stat(lockdir.c_str(), &st) == 0);
        BOOST_TEST((st.st_mode & 0777) == 0755u);
    }
    BOOST_TEST(dir_entries(lockdir).empty());
}

BOOST_AUTO_TEST_CASE(status_is_the_second_line) {
    TempDir dir;
    vz::CtLock lock = vz::CtLock::acquire(dir.path, 7, "starting");
    BOOST_TEST(vz::read_file(dir.path / "7.lck").value() ==
               std::to_string(::getpid()) + "\nstarting\n");
}

BOOST_AUTO_TEST_CASE(different_containers_do_not_conflict) {
    TempDir dir;
    vz::CtLock a = vz::CtLock::acquire(dir.path, 101);
    vz::CtLock b = vz::CtLock::acquire(dir.path, 102);
    BOOST_TEST(dir_entries(dir.path) == (std::vector<std::string>{"101.lck", "102.lck"}));
}

BOOST_AUTO_TEST_CASE(live_holder_blocks_with_code_9) {
    TempDir dir;
    LockHolder holder(dir.path, 101);
    try {
        vz::CtLock::acquire(dir.path, 101);
        BOOST_FAIL("acquire succeeded while a live process holds the lock");
    } catch (const vz::Error &e) {
        BOOST_TEST(e.code() == 9);
        const std::string message = e.what();
        BOOST_TEST(message.find("pid " + std::to_string(holder.pid())) != std::string::npos,
                   message);
        BOOST_TEST(message.find("test_lock") != std::string::npos, message);
    }
    // The failed attempt leaves the holder's lock and no temp file.
    BOOST_TEST(dir_entries(dir.path) == std::vector<std::string>{"101.lck"});
    BOOST_TEST(vz::read_file(dir.path / "101.lck").value() ==
               std::to_string(holder.pid()) + "\n\n");

    BOOST_TEST(holder.stop() == 0);
    BOOST_TEST(dir_entries(dir.path).empty());
    vz::CtLock lock = vz::CtLock::acquire(dir.path, 101);
    BOOST_TEST(vz::read_file(lock.path()).value() == own_content());
}

BOOST_AUTO_TEST_CASE(own_lock_is_held_too) {
    TempDir dir;
    vz::CtLock lock = vz::CtLock::acquire(dir.path, 101);
    try {
        vz::CtLock::acquire(dir.path, 101);
        BOOST_FAIL("second acquire in the same process succeeded");
    } catch (const vz::Error &e) {
        BOOST_TEST(e.code() == vz::VZ_LOCKED);
    }
    BOOST_TEST(fs::exists(lock.path()));
}

BOOST_AUTO_TEST_CASE(stale_lock_of_a_dead_process_is_taken_over) {
    TempDir dir;
    write_text(dir.path / "101.lck", std::to_string(dead_pid()) + "\n\n");
    vz::CtLock lock = vz::CtLock::acquire(dir.path, 101);
    BOOST_TEST(vz::read_file(lock.path()).value() == own_content());
    BOOST_TEST(dir_entries(dir.path) == std::vector<std::string>{"101.lck"});
}

BOOST_AUTO_TEST_CASE(garbage_lock_is_taken_over) {
    for (const char *garbage :
         {"garbage\n", "", "\n\n", "-5\n", "0\n", "12abc\n", "99999999999999999999\n"}) {
        TempDir dir;
        write_text(dir.path / "101.lck", garbage);
        vz::CtLock lock = vz::CtLock::acquire(dir.path, 101);
        BOOST_TEST(vz::read_file(lock.path()).value() == own_content(),
                   "content '" << garbage << "'");
    }
}

BOOST_AUTO_TEST_CASE(move_transfers_ownership) {
    TempDir dir;
    const fs::path path = dir.path / "101.lck";
    {
        vz::CtLock first = vz::CtLock::acquire(dir.path, 101);
        vz::CtLock second = std::move(first);
        BOOST_TEST(second.path() == path);
        BOOST_TEST(first.path().empty());
        {
            vz::CtLock third(std::move(second));
            BOOST_TEST(fs::exists(path));
        }
        BOOST_TEST(!fs::exists(path));
    }
    BOOST_TEST(!fs::exists(path));

    vz::CtLock a = vz::CtLock::acquire(dir.path, 1);
    vz::CtLock b = vz::CtLock::acquire(dir.path, 2);
    a = std::move(b); // releases lock 1
    BOOST_TEST(dir_entries(dir.path) == std::vector<std::string>{"2.lck"});
}

BOOST_AUTO_TEST_CASE(release_leaves_a_lock_that_is_no_longer_ours) {
    TempDir dir;
    const fs::path path = dir.path / "101.lck";
    const std::string other = std::to_string(::getppid()) + "\n\n";
    {
        vz::CtLock lock = vz::CtLock::acquire(dir.path, 101);
        // Someone judged us dead and took the lock over.
        fs::remove(path);
        write_text(path, other);
    }
    BOOST_TEST(vz::read_file(path).value() == other);
}
