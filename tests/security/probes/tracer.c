// tracer -o LOG [-t SECONDS] [-p PHASE] [-P PHASEFILE] [-w PIDFILE]
//
// Run as root inside a container (CAP_SYS_PTRACE kept). Polls /proc for pids
// it has not seen yet and attacks each one the way a hostile container root
// would attack a host helper (vzctl) that enters the container:
//   PTRACE_SEIZE; /proc/PID/status caps; environ, cmdline and the [stack] of
//   /proc/PID/mem searched for VZKIT_HOST_SECRET; /proc/PID/exe kept as an
//   O_PATH fd and reopened O_WRONLY through /proc/self/fd (CVE-2019-5736);
//   tty fds and the controlling tty.
// Writes one "SEEN pid=.. comm=.. caps=.." line per observed process and
// "VIOLATION <kind> pid=.. comm=.. detail" for every breach. Never writes to
// anything it opens for writing.
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NEEDLE "VZKIT_HOST_SECRET"
#define MAX_PID (1 << 22)
#define MAX_EXE 512

static int logfd = -1;
static const char *phase = "run";
static const char *phasefile;
static char phasebuf[64];
static pid_t self;
static unsigned long long my_bnd;
static dev_t ct_pts_dev;
static int have_pts_dev;
static unsigned char *seen;
static char pid1_comm[32];

struct exe_fd {
    int fd;
    pid_t pid;
    char comm[32];
    double opened;
    int reported;
};
static struct exe_fd exes[MAX_EXE];
static int nexes;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void out(const char *fmt, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 2, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (n > (int)sizeof buf - 2)
        n = sizeof buf - 2;
    buf[n++] = '\n';
    if (write(logfd, buf, n) < 0) {
    }
}

static ssize_t read_file(const char *path, char *buf, size_t len) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t got = 0;
    while (got < len) {
        ssize_t r = read(fd, buf + got, len - got);
        if (r <= 0)
            break;
        got += r;
    }
    close(fd);
    return got;
}

static unsigned long long status_hex(const char *status, const char *key) {
    const char *p = strstr(status, key);
    if (!p)
        return 0;
    return strtoull(p + strlen(key), NULL, 16);
}

static int status_int(const char *status, const char *key) {
    const char *p = strstr(status, key);
    if (!p)
        return -1;
    return atoi(p + strlen(key));
}

// The "comm" (between the parentheses) and the fields after it of /proc/PID/stat.
static int read_stat_sid(pid_t pid, char *comm, size_t commlen, pid_t *ppid, int *tty_nr, int *sid) {
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    ssize_t n = read_file(path, buf, sizeof buf - 1);
    if (n <= 0)
        return -1;
    buf[n] = 0;
    char *l = strchr(buf, '('), *r = strrchr(buf, ')');
    if (!l || !r)
        return -1;
    size_t cl = r - l - 1;
    if (cl >= commlen)
        cl = commlen - 1;
    memcpy(comm, l + 1, cl);
    comm[cl] = 0;
    for (size_t i = 0; i < cl; i++)
        if (!isgraph((unsigned char)comm[i]))
            comm[i] = '_';
    char state;
    int pgrp, session;
    if (sscanf(r + 2, "%c %d %d %d %d", &state, ppid, &pgrp, &session, tty_nr) != 5)
        return -1;
    if (sid)
        *sid = session;
    return 0;
}

static int read_stat(pid_t pid, char *comm, size_t commlen, pid_t *ppid, int *tty_nr) {
    return read_stat_sid(pid, comm, commlen, ppid, tty_nr, NULL);
}

// Does PID hold an fd that is the CT pty RDEV?
static int holds_ct_pty(pid_t pid, dev_t rdev) {
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/fd", pid);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    int found = 0;
    while (!found && (e = readdir(d))) {
        char path[320];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (e->d_name[0] != '.' && stat(path, &st) == 0 && S_ISCHR(st.st_mode) &&
            st.st_rdev == rdev && have_pts_dev && st.st_dev == ct_pts_dev)
            found = 1;
    }
    closedir(d);
    return found;
}

static void search(pid_t pid, const char *comm, const char *what, const char *buf, size_t len) {
    if (len && memmem(buf, len, NEEDLE, strlen(NEEDLE)))
        out("VIOLATION env pid=%d comm=%s %s contains " NEEDLE, pid, comm, what);
}

static void read_stack(pid_t pid, const char *comm, int attached) {
    char path[64], maps[65536];
    snprintf(path, sizeof path, "/proc/%d/maps", pid);
    ssize_t n = read_file(path, maps, sizeof maps - 1);
    if (n <= 0)
        return;
    maps[n] = 0;
    char *line = strstr(maps, "[stack]");
    if (!line)
        return;
    while (line > maps && line[-1] != '\n')
        line--;
    unsigned long lo, hi;
    if (sscanf(line, "%lx-%lx", &lo, &hi) != 2)
        return;
    if (hi - lo > (8u << 20))
        lo = hi - (8u << 20);
    snprintf(path, sizeof path, "/proc/%d/mem", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    size_t len = hi - lo;
    char *buf = malloc(len);
    if (buf) {
        ssize_t got = pread(fd, buf, len, lo);
        if (got > 0) {
            char what[64];
            snprintf(what, sizeof what, "[stack]%s", attached ? "(attached)" : "");
            search(pid, comm, what, buf, got);
        }
        free(buf);
    }
    close(fd);
}

// 1: a tty device (by major).
static int tty_major(unsigned maj) {
    return maj == 3 || maj == 4 || maj == 5 || (maj >= 136 && maj <= 143) || maj == 204;
}

// Is this character-device fd a tty of the container? The container's ptys
// live on its own devpts; anything else must at least be the container's own
// device node (same dev/ino when its path is resolved inside), and never a
// host console or virtual terminal.
static int ct_tty(const struct stat *st, const char *link) {
    unsigned maj = major(st->st_rdev), min = minor(st->st_rdev);
    if (maj >= 136 && maj <= 143)
        return have_pts_dev && st->st_dev == ct_pts_dev;
    if (maj == 5 && (min == 0 || min == 2)) {
        struct stat in;
        return link[0] == '/' && stat(link, &in) == 0 && in.st_dev == st->st_dev &&
               in.st_ino == st->st_ino;
    }
    return 0;
}

static void check_ttys(pid_t pid, const char *comm, int tty_nr, int sid) {
    char dir[64];
    snprintf(dir, sizeof dir, "/proc/%d/fd", pid);
    DIR *d = opendir(dir);
    int ctty_on_ct = 0;
    unsigned tmaj = (tty_nr >> 8) & 0xfff, tmin = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            char path[320], link[256];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            struct stat st;
            if (stat(path, &st) != 0 || !S_ISCHR(st.st_mode) || !tty_major(major(st.st_rdev)))
                continue;
            ssize_t l = readlink(path, link, sizeof link - 1);
            link[l > 0 ? l : 0] = 0;
            if (!ct_tty(&st, link))
                out("VIOLATION tty pid=%d comm=%s fd %s is %u:%u dev %u:%u (%s), not on the CT devpts",
                    pid, comm, e->d_name, major(st.st_rdev), minor(st.st_rdev), major(st.st_dev),
                    minor(st.st_dev), link);
            else if (tty_nr && st.st_rdev == makedev(tmaj, tmin))
                ctty_on_ct = 1;
        }
        closedir(d);
    }
    if (tty_nr && sid == 0) {
        // The session is not in the container's pid namespace: the terminal
        // is whoever runs the host command's.
        out("VIOLATION tty pid=%d comm=%s controlling tty %u:%u belongs to a session outside the CT",
            pid, comm, tmaj, tmin);
    } else if (tty_nr && !ctty_on_ct && !holds_ct_pty(sid, makedev(tmaj, tmin))) {
        // Neither it nor its session leader shows the controlling tty: it
        // must at least be one of the container's ptys (that index exists).
        char pts[64];
        struct stat st;
        snprintf(pts, sizeof pts, "/dev/pts/%u", (tmaj - 136) * 256 + tmin);
        int ok = tmaj >= 136 && tmaj <= 143 && stat(pts, &st) == 0 && have_pts_dev &&
                 st.st_dev == ct_pts_dev && st.st_rdev == makedev(tmaj, tmin);
        // A session that just ended hangs its pty up, which clears the
        // controlling tty of its processes and removes the index: only a tty
        // that is still theirs counts.
        int now_tty = 0;
        char c2[32];
        pid_t p2;
        if (!ok && read_stat(pid, c2, sizeof c2, &p2, &now_tty) == 0 && now_tty == tty_nr)
            out("VIOLATION tty pid=%d comm=%s controlling tty %u:%u is not a CT pty", pid, comm,
                tmaj, tmin);
    }
}

static void attack(pid_t pid) {
    char comm[32], path[64];
    pid_t ppid = 0;
    int tty_nr = 0, sid = -1;
    // The exe first: the window before a helper's execve is short.
    snprintf(path, sizeof path, "/proc/%d/exe", pid);
    int exefd = open(path, O_PATH | O_CLOEXEC);
    if (read_stat_sid(pid, comm, sizeof comm, &ppid, &tty_nr, &sid) != 0) {
        if (exefd >= 0)
            close(exefd);
        return;
    }
    if (ppid == self) {
        if (exefd >= 0)
            close(exefd);
        return;
    }
    if (phasefile) {
        // The host names what it is doing right now (exec, enter, start...).
        ssize_t pn = read_file(phasefile, phasebuf, sizeof phasebuf - 1);
        if (pn > 0) {
            phasebuf[pn] = 0;
            phasebuf[strcspn(phasebuf, " \n")] = 0;
            phase = phasebuf;
        }
    }
    int attached = 0;
    if (ptrace(PTRACE_SEIZE, pid, 0, 0) == 0) {
        attached = 1;
        if (ptrace(PTRACE_INTERRUPT, pid, 0, 0) == 0) {
            int st;
            if (waitpid(pid, &st, __WALL) == pid && (WIFEXITED(st) || WIFSIGNALED(st)))
                attached = 2; // gone
        }
    }
    char status[4096] = "";
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    ssize_t n = read_file(path, status, sizeof status - 1);
    status[n > 0 ? n : 0] = 0;
    unsigned long long prm = status_hex(status, "CapPrm:"), eff = status_hex(status, "CapEff:"),
                       bnd = status_hex(status, "CapBnd:");
    int seccomp = status_int(status, "Seccomp:");
    char exelink[256] = "";
    if (exefd >= 0) {
        snprintf(path, sizeof path, "/proc/self/fd/%d", exefd);
        ssize_t l = readlink(path, exelink, sizeof exelink - 1);
        exelink[l > 0 ? l : 0] = 0;
    }
    out("SEEN phase=%s pid=%d ppid=%d comm=%s caps=%016llx prm=%016llx bnd=%016llx seccomp=%d "
        "ptrace=%s exe=%s",
        phase, pid, ppid, comm, eff, prm, bnd, seccomp,
        attached == 1 ? "attached" : attached == 2 ? "attached-exited" : "refused",
        exelink[0] ? exelink : "-");
    if (n > 0 && ((prm | eff) & ~my_bnd))
        out("VIOLATION caps pid=%d comm=%s CapPrm=%016llx CapEff=%016llx outside CT bounding set "
            "%016llx",
            pid, comm, prm, eff, my_bnd);

    static char buf[1 << 17];
    snprintf(path, sizeof path, "/proc/%d/environ", pid);
    n = read_file(path, buf, sizeof buf);
    if (n > 0)
        search(pid, comm, "environ", buf, n);
    snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
    n = read_file(path, buf, sizeof buf);
    if (n > 0)
        search(pid, comm, "cmdline", buf, n);
    read_stack(pid, comm, attached == 1);
    check_ttys(pid, comm, tty_nr, sid);
    if (attached == 1)
        ptrace(PTRACE_DETACH, pid, 0, 0);

    // The container's own binaries are its own business: reopening them for
    // writing would only make its own execs fail (ETXTBSY). Only what is not
    // reachable by a path inside (a host file, a memfd) is kept for the retry.
    if (exefd >= 0) {
        struct stat st, in;
        if (exelink[0] == '/' && fstat(exefd, &st) == 0 && st.st_nlink > 0 &&
            stat(exelink, &in) == 0 && in.st_dev == st.st_dev && in.st_ino == st.st_ino) {
            close(exefd);
            exefd = -1;
        }
    }
    if (exefd >= 0) {
        if (nexes < MAX_EXE) {
            exes[nexes].fd = exefd;
            exes[nexes].pid = pid;
            snprintf(exes[nexes].comm, sizeof exes[nexes].comm, "%s", comm);
            exes[nexes].opened = now();
            exes[nexes].reported = 0;
            nexes++;
        } else {
            close(exefd);
        }
    }
}

// CVE-2019-5736: reopen the kept exe fds for writing. A container binary is
// fine, a sealed memfd (nlink 0) is fine; a host file is a breach. Nothing is
// written.
static void retry_exes(double keep_for) {
    double t = now();
    for (int i = 0; i < nexes;) {
        struct exe_fd *x = &exes[i];
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", x->fd);
        int w = open(path, O_WRONLY | O_CLOEXEC);
        if (w >= 0) {
            struct stat st, in;
            char link[512];
            snprintf(path, sizeof path, "/proc/self/fd/%d", w);
            ssize_t l = readlink(path, link, sizeof link - 1);
            link[l > 0 ? l : 0] = 0;
            int r = fstat(w, &st);
            close(w);
            if (r == 0 && st.st_nlink > 0 && !x->reported) {
                int own = link[0] == '/' && stat(link, &in) == 0 && in.st_dev == st.st_dev &&
                          in.st_ino == st.st_ino;
                if (!own) {
                    out("VIOLATION exe pid=%d comm=%s opened %s for writing (dev %u:%u ino %lu "
                        "nlink %lu)",
                        x->pid, x->comm, link, major(st.st_dev), minor(st.st_dev),
                        (unsigned long)st.st_ino, (unsigned long)st.st_nlink);
                    x->reported = 1;
                }
            }
        }
        if (x->reported || t - x->opened > keep_for) {
            close(x->fd);
            exes[i] = exes[--nexes];
            continue;
        }
        i++;
    }
}

int main(int argc, char **argv) {
    const char *log = NULL, *pidfile = NULL;
    double duration = 0;
    int opt;
    while ((opt = getopt(argc, argv, "o:t:p:P:w:")) != -1) {
        switch (opt) {
        case 'o': log = optarg; break;
        case 't': duration = atof(optarg); break;
        case 'p': phase = optarg; break;
        case 'P': phasefile = optarg; break;
        case 'w': pidfile = optarg; break;
        default: return 2;
        }
    }
    if (!log)
        return 2;
    logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (logfd < 0)
        return 1;
    self = getpid();
    if (pidfile) {
        FILE *f = fopen(pidfile, "w");
        if (f) {
            fprintf(f, "%d\n", self);
            fclose(f);
        }
    }
    signal(SIGPIPE, SIG_IGN);
    char status[4096];
    ssize_t n = read_file("/proc/self/status", status, sizeof status - 1);
    status[n > 0 ? n : 0] = 0;
    my_bnd = status_hex(status, "CapBnd:");
    struct stat st;
    if (stat("/dev/pts/ptmx", &st) == 0) {
        ct_pts_dev = st.st_dev;
        have_pts_dev = 1;
    }
    seen = calloc(MAX_PID / 8, 1);
    if (!seen)
        return 1;
    // Which boot of the container this is: the start time of its pid 1.
    char st1[1024] = "";
    unsigned long long init_start = 0;
    n = read_file("/proc/1/stat", st1, sizeof st1 - 1);
    st1[n > 0 ? n : 0] = 0;
    char *r1 = strrchr(st1, ')');
    if (r1) {
        int field = 2;
        for (char *q = r1 + 1; *q && field < 22; q++)
            if (*q == ' ' && ++field == 22)
                init_start = strtoull(q + 1, NULL, 10);
    }
    out("START phase=%s pid=%d bnd=%016llx pts=%s boot=%llu", phase, self, my_bnd,
        have_pts_dev ? "yes" : "no", init_start);
    double start = now(), last_retry = 0;
    unsigned long scans = 0;
    for (;;) {
        DIR *d = opendir("/proc");
        if (!d)
            return 1;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!isdigit((unsigned char)e->d_name[0]))
                continue;
            long pid = atol(e->d_name);
            if (pid <= 0 || pid >= MAX_PID || pid == self)
                continue;
            if (pid == 1) {
                // pid 1 is re-attacked whenever it execs something new.
                char c[32];
                pid_t pp;
                int tn;
                if (read_stat(1, c, sizeof c, &pp, &tn) == 0 && strcmp(c, pid1_comm) != 0) {
                    snprintf(pid1_comm, sizeof pid1_comm, "%s", c);
                    seen[0] |= 2;
                    attack(1);
                }
                continue;
            }
            if (seen[pid / 8] & (1 << (pid % 8)))
                continue;
            seen[pid / 8] |= 1 << (pid % 8);
            attack(pid);
        }
        closedir(d);
        scans++;
        // Reap whatever tracing left behind without blocking.
        while (waitpid(-1, NULL, __WALL | WNOHANG) > 0) {
        }
        double t = now();
        if (t - last_retry > 0.05) {
            retry_exes(20.0);
            last_retry = t;
        }
        if (duration > 0 && t - start > duration)
            break;
        sched_yield();
    }
    out("END phase=%s scans=%lu", phase, scans);
    return 0;
}
