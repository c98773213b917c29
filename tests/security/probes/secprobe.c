// secprobe OP [ARGS] ...: one attack per operation, as container root, each
// printing "name=OK|ERRNO" (or a measured value). Several operations may be
// given in one call, separated by "--".
//   read PATH            read=<bytes>B or ERRNO
//   count PATH           directory entries (without . and ..)
//   write PATH DATA      OK or ERRNO
//   openw PATH           open O_WRONLY only (nothing is written): OK or ERRNO
//   umount PATH          OK or ERRNO (MNT_DETACH)
//   dev b|c MAJ MIN DIR  mknod DIR/node then open O_RDWR (mknod=.. open=..)
//   syslog kmsg keyctl add_key request_key open_by_handle_at bpf_map bpf_prog
//   perf init_module finit_module iopl ioperm settimeofday
//   connect NAME         connect to the abstract unix socket @NAME
//   shm KEY              shmget(KEY, 0, 0)
//   kill PID             kill(PID, SIGKILL)
//   chroot DIR MARKER    chroot-escape attempt, then stat(MARKER) and whether
//                        the escape left the container's root (chroot_left)
//   reboot PIDNS_INODE   reboot(RB_POWER_OFF), only if our pid namespace is
//                        not the initial one and is PIDNS_INODE
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ipc.h>
#include <sys/klog.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <signal.h>
#include <unistd.h>

static const char *en(int e) {
    const char *n = strerrorname_np(e);
    return n ? n : "E?";
}
static void res(const char *name, long rc) {
    printf("%s=%s\n", name, rc >= 0 ? "OK" : en(errno));
}

static int op(int argc, char **argv) {
    const char *o = argv[0];
    char name[512];
    if (!strcmp(o, "read") && argc > 1) {
        snprintf(name, sizeof name, "read %s", argv[1]);
        int fd = open(argv[1], O_RDONLY | O_NONBLOCK);
        if (fd < 0) {
            res(name, -1);
            return 2;
        }
        char buf[65536];
        long total = 0;
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0 && total < (64L << 20))
            total += n;
        if (n < 0 && total == 0)
            printf("%s=%s\n", name, errno == EAGAIN ? "0B" : en(errno));
        else
            printf("%s=%ldB\n", name, total);
        close(fd);
        return 2;
    }
    if (!strcmp(o, "count") && argc > 1) {
        DIR *d = opendir(argv[1]);
        if (!d) {
            printf("count %s=%s\n", argv[1], en(errno));
            return 2;
        }
        int n = 0;
        struct dirent *e;
        while ((e = readdir(d)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                n++;
        closedir(d);
        printf("count %s=%d\n", argv[1], n);
        return 2;
    }
    if (!strcmp(o, "write") && argc > 2) {
        snprintf(name, sizeof name, "write %s", argv[1]);
        int fd = open(argv[1], O_WRONLY);
        if (fd < 0) {
            res(name, -1);
            return 3;
        }
        long rc = write(fd, argv[2], strlen(argv[2]));
        res(name, rc);
        close(fd);
        return 3;
    }
    if (!strcmp(o, "openw") && argc > 1) {
        snprintf(name, sizeof name, "openw %s", argv[1]);
        int fd = open(argv[1], O_WRONLY);
        res(name, fd);
        if (fd >= 0)
            close(fd);
        return 2;
    }
    if (!strcmp(o, "umount") && argc > 1) {
        snprintf(name, sizeof name, "umount %s", argv[1]);
        res(name, umount2(argv[1], MNT_DETACH));
        return 2;
    }
    if (!strcmp(o, "dev") && argc > 4) {
        char path[256];
        int blk = argv[1][0] == 'b';
        snprintf(path, sizeof path, "%s/secprobe-%s-%s-%s", argv[4], argv[1], argv[2], argv[3]);
        unlink(path);
        int m = mknod(path, (blk ? S_IFBLK : S_IFCHR) | 0600,
                      makedev(atoi(argv[2]), atoi(argv[3])));
        int me = errno;
        printf("dev %s:%s:%s mknod=%s", argv[1], argv[2], argv[3], m == 0 ? "OK" : en(me));
        if (m == 0) {
            int fd = open(path, O_RDWR | O_NONBLOCK | O_NOCTTY);
            if (fd < 0 && (errno == EROFS || errno == EACCES))
                fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
            printf(" open=%s", fd >= 0 ? "OK" : en(errno));
            if (fd >= 0)
                close(fd);
            unlink(path);
        }
        printf("\n");
        return 5;
    }
    if (!strcmp(o, "syslog")) {
        char buf[4096];
        res("syslog", klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof buf));
        return 1;
    }
    if (!strcmp(o, "kmsg")) {
        int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
        res("kmsg", fd);
        if (fd >= 0)
            close(fd);
        return 1;
    }
    if (!strcmp(o, "keyctl")) {
        res("keyctl", syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -4, 0));
        return 1;
    }
    if (!strcmp(o, "add_key")) {
        res("add_key", syscall(SYS_add_key, "user", "secprobe", "x", 1, -4));
        return 1;
    }
    if (!strcmp(o, "request_key")) {
        res("request_key", syscall(SYS_request_key, "user", "vzkit-host-key", NULL, 0));
        return 1;
    }
    if (!strcmp(o, "open_by_handle_at")) {
        struct { unsigned int bytes; int type; unsigned char h[128]; } fh = {8, 1, {0}};
        res("open_by_handle_at", syscall(SYS_open_by_handle_at, AT_FDCWD, &fh, O_RDONLY));
        return 1;
    }
    if (!strcmp(o, "bpf_map")) {
        union bpf_attr a;
        memset(&a, 0, sizeof a);
        a.map_type = BPF_MAP_TYPE_ARRAY;
        a.key_size = 4;
        a.value_size = 4;
        a.max_entries = 1;
        long fd = syscall(SYS_bpf, BPF_MAP_CREATE, &a, sizeof a);
        res("bpf_map", fd);
        if (fd >= 0)
            close(fd);
        return 1;
    }
    if (!strcmp(o, "bpf_prog")) {
        struct bpf_insn insns[] = {
            {.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = 0},
            {.code = BPF_JMP | BPF_EXIT},
        };
        union bpf_attr a;
        memset(&a, 0, sizeof a);
        a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
        a.insns = (unsigned long)insns;
        a.insn_cnt = 2;
        a.license = (unsigned long)"GPL";
        long fd = syscall(SYS_bpf, BPF_PROG_LOAD, &a, sizeof a);
        res("bpf_prog", fd);
        if (fd >= 0)
            close(fd);
        return 1;
    }
    if (!strcmp(o, "perf")) {
        struct perf_event_attr a;
        memset(&a, 0, sizeof a);
        a.size = sizeof a;
        a.type = PERF_TYPE_SOFTWARE;
        a.config = PERF_COUNT_SW_CPU_CLOCK;
        long fd = syscall(SYS_perf_event_open, &a, -1, 0, -1, 0);
        res("perf", fd);
        if (fd >= 0)
            close(fd);
        return 1;
    }
    if (!strcmp(o, "init_module")) {
        res("init_module", syscall(SYS_init_module, "\0\0\0\0", 4, ""));
        return 1;
    }
    if (!strcmp(o, "finit_module")) {
        int fd = open("/proc/self/exe", O_RDONLY);
        res("finit_module", syscall(SYS_finit_module, fd, "", 0));
        close(fd);
        return 1;
    }
    if (!strcmp(o, "iopl")) {
        res("iopl", iopl(3));
        return 1;
    }
    if (!strcmp(o, "ioperm")) {
        res("ioperm", ioperm(0x80, 1, 1));
        return 1;
    }
    if (!strcmp(o, "settimeofday")) {
        // The current time: harmless even if it went through.
        struct timeval tv;
        gettimeofday(&tv, NULL);
        res("settimeofday", settimeofday(&tv, NULL));
        return 1;
    }
    if (!strcmp(o, "connect") && argc > 1) {
        int s = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un a = {.sun_family = AF_UNIX};
        size_t l = strlen(argv[1]);
        memcpy(a.sun_path + 1, argv[1], l);
        res("connect", connect(s, (struct sockaddr *)&a, offsetof(struct sockaddr_un, sun_path) + 1 + l));
        close(s);
        return 2;
    }
    if (!strcmp(o, "shm") && argc > 1) {
        res("shm", shmget((key_t)strtol(argv[1], NULL, 0), 0, 0));
        return 2;
    }
    if (!strcmp(o, "kill") && argc > 1) {
        res("kill", kill(atoi(argv[1]), SIGKILL));
        return 2;
    }
    if (!strcmp(o, "chroot") && argc > 2) {
        struct stat root_before, root_after;
        if (stat("/", &root_before) != 0) {
            res("chroot", -1);
            return 3;
        }
        mkdir(argv[1], 0755);
        if (chroot(argv[1]) != 0) {
            res("chroot", -1);
            return 3;
        }
        for (int i = 0; i < 64; i++)
            if (chdir("..") != 0)
                break;
        long rc = chroot(".");
        printf("chroot_dot=%s\n", rc == 0 ? "OK" : en(errno));
        struct stat st;
        res("chroot_marker", stat(argv[2], &st));
        // Where ".." stopped: the container's own root, or something below it.
        if (stat("/", &root_after) == 0)
            printf("chroot_left=%s\n", root_after.st_dev == root_before.st_dev &&
                                                root_after.st_ino == root_before.st_ino
                                            ? "no"
                                            : "YES");
        return 3;
    }
    if (!strcmp(o, "reboot") && argc > 1) {
        char link[64], want[64];
        ssize_t n = readlink("/proc/self/ns/pid", link, sizeof link - 1);
        link[n > 0 ? n : 0] = 0;
        snprintf(want, sizeof want, "pid:[%s]", argv[1]);
        // 4026531836 is the initial pid namespace: never reboot that.
        if (strcmp(link, want) || !strcmp(link, "pid:[4026531836]")) {
            printf("reboot=REFUSED-by-probe (%s, want %s)\n", link, want);
            return 2;
        }
        fflush(stdout);
        sync();
        res("reboot", reboot(RB_POWER_OFF));
        return 2;
    }
    printf("%s=UNKNOWN-OP\n", o);
    return 1;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    int i = 1;
    while (i < argc) {
        int end = i;
        while (end < argc && strcmp(argv[end], "--"))
            end++;
        op(end - i, argv + i);
        i = end + 1;
    }
    return 0;
}
