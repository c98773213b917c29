// ttyprobe [-o FILE] [-d SECONDS] [PAYLOAD]: what a container process can do
// with its terminal. -o: the report also goes to FILE (a pty mixes echoed
// input into stdout). -d: additionally leaves a child behind that keeps
// /dev/tty and fds 0-2 open and pushes PAYLOAD through each after SECONDS,
// when the host command that ran the probe has returned (it logs
// "late.<fd>=OK|ERRNO" to FILE).
// Prints key=value lines:
//   fdN=fifo|chr:MAJ:MIN:ctpts|chr:MAJ:MIN:foreign|sock|reg|...  (fds 0-2)
//   ctty=MAJ:MIN (from /proc/self/stat tty_nr, 0:0 = none)
//   devtty=ENXIO|ct|foreign|<errno>  (open("/dev/tty"); ct = the same tty as
//          one of the container's devpts ptys, proven with a unique window size)
//   tiocsti.fdN / tiocsti.devtty = EPERM|OK|<errno>, and .hi with the command's
//          upper 32 bits set (the kernel truncates the command to 32 bits)
// PAYLOAD (default: "#") is what TIOCSTI tries to push, one byte at a time,
// followed by a newline; the whole line is pushed whenever the ioctl works.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

static const char *payload = "";
static FILE *rep;

// printf to stdout and to the report file.
static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static void say(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    if (rep) {
        va_start(ap, fmt);
        vfprintf(rep, fmt, ap);
        va_end(ap);
        fflush(rep);
    }
}

static const char *en(int e) {
    const char *n = strerrorname_np(e);
    return n ? n : "E?";
}

static int pts_dev_known;
static dev_t pts_dev;

static const char *describe(int fd, char *buf, size_t len) {
    struct stat st;
    if (fstat(fd, &st) != 0)
        return "closed";
    if (S_ISFIFO(st.st_mode))
        return "fifo";
    if (S_ISSOCK(st.st_mode))
        return "sock";
    if (S_ISREG(st.st_mode))
        return "reg";
    if (S_ISCHR(st.st_mode)) {
        snprintf(buf, len, "chr:%u:%u:%s", major(st.st_rdev), minor(st.st_rdev),
                 pts_dev_known && st.st_dev == pts_dev ? "ctpts" : "foreign");
        return buf;
    }
    return "other";
}

static void sti(const char *name, int fd) {
    // Push the payload (or a harmless byte that is not a newline).
    const char *p = *payload ? payload : "#";
    int rc = ioctl(fd, TIOCSTI, p);
    int e = errno;
    say("tiocsti.%s=%s\n", name, rc == 0 ? "OK" : en(e));
    if (rc == 0) {
        for (const char *q = p + 1; *q; q++)
            ioctl(fd, TIOCSTI, q);
        ioctl(fd, TIOCSTI, "\n");
    }
    unsigned long hi = (unsigned long)TIOCSTI | 0xffffffff00000000UL;
    rc = syscall(SYS_ioctl, fd, hi, p);
    e = errno;
    say("tiocsti.%s.hi=%s\n", name, rc == 0 ? "OK" : en(e));
    if (rc == 0) {
        for (const char *q = p + 1; *q; q++)
            syscall(SYS_ioctl, fd, hi, q);
        syscall(SYS_ioctl, fd, hi, "\n");
    }
}

// Is the tty behind fd the same one as a container pty? Look up the pty with
// the same number on the container's devpts and give it a window size nobody
// else uses; read it back through fd.
static const char *same_as_ct_pty(int fd) {
    unsigned int dev;
    if (ioctl(fd, TIOCGDEV, &dev) != 0)
        return "nodev";
    unsigned maj = major(dev), min = minor(dev);
    if (maj < 136 || maj > 143)
        return "foreign";
    char path[64];
    snprintf(path, sizeof path, "/dev/pts/%u", (maj - 136) * 256 + min);
    int ct = open(path, O_RDWR | O_NOCTTY);
    if (ct < 0)
        return "foreign";
    struct stat st;
    const char *res = "foreign";
    struct winsize old, mark = {.ws_row = 173, .ws_col = 311}, got;
    if (fstat(ct, &st) == 0 && pts_dev_known && st.st_dev == pts_dev &&
        ioctl(ct, TIOCGWINSZ, &old) == 0 && ioctl(ct, TIOCSWINSZ, &mark) == 0) {
        if (ioctl(fd, TIOCGWINSZ, &got) == 0 && got.ws_row == 173 && got.ws_col == 311)
            res = "ct";
        ioctl(ct, TIOCSWINSZ, &old);
    }
    close(ct);
    return res;
}

int main(int argc, char **argv) {
    int opt;
    double delay = 0;
    while ((opt = getopt(argc, argv, "o:d:")) != -1) {
        if (opt == 'o')
            rep = fopen(optarg, "w");
        else if (opt == 'd')
            delay = atof(optarg);
        else
            return 2;
    }
    if (optind < argc)
        payload = argv[optind];
    setvbuf(stdout, NULL, _IOLBF, 0);
    struct stat st;
    if (stat("/dev/pts/ptmx", &st) == 0) {
        pts_dev = st.st_dev;
        pts_dev_known = 1;
    }
    char buf[64];
    for (int fd = 0; fd <= 2; fd++)
        say("fd%d=%s\n", fd, describe(fd, buf, sizeof buf));
    FILE *f = fopen("/proc/self/stat", "r");
    int tty_nr = -1;
    if (f) {
        char line[1024];
        if (fgets(line, sizeof line, f)) {
            char *r = strrchr(line, ')');
            char s;
            int ppid, pgrp, sess;
            if (r)
                sscanf(r + 2, "%c %d %d %d %d", &s, &ppid, &pgrp, &sess, &tty_nr);
        }
        fclose(f);
    }
    say("ctty=%u:%u\n", (tty_nr >> 8) & 0xfff, (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00));
    for (int fd = 0; fd <= 2; fd++)
        if (isatty(fd)) {
            char name[16];
            snprintf(name, sizeof name, "fd%d", fd);
            say("%s.tty=%s\n", name, same_as_ct_pty(fd));
            sti(name, fd);
        }
    int t = open("/dev/tty", O_RDWR | O_NOCTTY);
    if (t < 0) {
        say("devtty=%s\n", en(errno));
    } else {
        say("devtty=%s\n", same_as_ct_pty(t));
        sti("devtty", t);
    }
    say("done=1\n");
    if (delay > 0 && fork() == 0) {
        // Outlive the host command, then push a whole line into every tty.
        // Same session: TIOCSTI works only on the controlling tty.
        signal(SIGHUP, SIG_IGN);
        usleep((useconds_t)(delay * 1e6));
        const char *p = *payload ? payload : "#";
        int fds[4] = {0, 1, 2, t};
        for (int i = 0; i < 4; i++) {
            if (fds[i] < 0 || !isatty(fds[i]))
                continue;
            int ok = 1;
            for (const char *q = p; *q && ok; q++)
                ok = ioctl(fds[i], TIOCSTI, q) == 0;
            int e = errno;
            if (ok)
                ioctl(fds[i], TIOCSTI, "\n");
            if (rep) {
                fprintf(rep, "late.%s=%s\n", i == 3 ? "devtty" : i == 0 ? "fd0" : i == 1 ? "fd1" : "fd2",
                        ok ? "OK" : en(e));
                fflush(rep);
            }
        }
        _exit(0);
    }
    return 0;
}
