// nsprobe basic | nest | forkbomb MAX
//   basic: user and cgroup namespaces and cgroup mounts as container root;
//          one "name=OK|ERRNO" line each (every attempt runs in a child).
//   nest:  with user namespaces allowed (nesting): unshare(USER|NS|CGROUP),
//          map root, mount cgroup2 (and v1 pids/memory where possible) and
//          look for more than the container's own subtree; try to raise
//          pids.max/memory.max/memory.limit_in_bytes everywhere in it.
//          Lines: "nest.<step>=OK|ERRNO", "LEAK ...", "cgpid <mnt> <pid>",
//          "raise <file>=OK|ERRNO".
//   forkbomb MAX: forks sleeping children until fork fails or MAX; prints
//          "forked=N errno=E", then kills them.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *en(int e) {
    const char *n = strerrorname_np(e);
    return n ? n : "E?";
}

// Runs fn in a child so nothing it changes sticks; returns its errno (0 = OK).
static int in_child(int (*fn)(void *), void *arg) {
    int p[2];
    if (pipe(p) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        int e = fn(arg);
        if (write(p[1], &e, sizeof e) < 0) {
        }
        _exit(0);
    }
    close(p[1]);
    int e = -1;
    if (read(p[0], &e, sizeof e) != sizeof e)
        e = -1;
    close(p[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    if (e == -1 && WIFSIGNALED(st))
        e = -1000 - WTERMSIG(st);
    return e;
}

static void report(const char *name, int e) {
    if (e <= -1000)
        printf("%s=SIG%s\n", name, sigabbrev_np(-1000 - e));
    else
        printf("%s=%s\n", name, e == 0 ? "OK" : e < 0 ? "CRASH" : en(e));
}

static int do_unshare(void *flags) { return unshare((long)flags) == 0 ? 0 : errno; }

static int do_clone(void *flags) {
    long pid = syscall(SYS_clone, (long)flags | SIGCHLD, 0, 0, 0, 0);
    if (pid == 0)
        _exit(0);
    if (pid < 0)
        return errno;
    waitpid(pid, NULL, __WALL);
    return 0;
}

static int do_clone3(void *flags) {
    struct clone_args a;
    memset(&a, 0, sizeof a);
    a.flags = (long)flags;
    a.exit_signal = SIGCHLD;
    long pid = syscall(SYS_clone3, &a, sizeof a);
    if (pid == 0)
        _exit(0);
    if (pid < 0)
        return errno;
    waitpid(pid, NULL, __WALL);
    return 0;
}

static long int80(long nr, long b, long c, long d) {
    long ret;
    // int $0x80 from 64-bit code clobbers r8-r11.
    __asm__ volatile("int $0x80"
                     : "=a"(ret)
                     : "a"(nr), "b"(b), "c"(c), "d"(d)
                     : "memory", "r8", "r9", "r10", "r11");
    return ret;
}
static int do_i386_unshare(void *unused) {
    (void)unused;
    long r = int80(310, 0x10000000, 0, 0);
    return r == 0 ? 0 : (int)-r;
}
static int do_i386_keyctl(void *unused) {
    (void)unused;
    long r = int80(288, 0 /* KEYCTL_GET_KEYRING_ID */, -4 /* user keyring */, 0);
    return r >= 0 ? 0 : (int)-r;
}

static const char *mntdir = "/tmp/nsprobe-mnt";
static int do_mount(void *arg) {
    const char **a = arg; // fstype, data
    mkdir(mntdir, 0755);
    if (mount(a[0], mntdir, a[0], 0, a[1]) != 0)
        return errno;
    umount2(mntdir, MNT_DETACH);
    return 0;
}

// Every file named NAME under /sys/fs/cgroup (depth <= 4), opened for writing.
static int cg_found, cg_bad;
static void cg_write_walk(const char *dir, int depth) {
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (depth < 4)
                cg_write_walk(path, depth + 1);
            continue;
        }
        if (strcmp(e->d_name, "pids.max") && strcmp(e->d_name, "cgroup.procs") &&
            strcmp(e->d_name, "memory.max") && strcmp(e->d_name, "memory.limit_in_bytes") &&
            strcmp(e->d_name, "cgroup.subtree_control") && strcmp(e->d_name, "release_agent"))
            continue;
        cg_found++;
        int fd = open(path, O_WRONLY);
        int err = fd < 0 ? errno : 0;
        if (fd >= 0)
            close(fd);
        if (err != EROFS)
            cg_bad++;
        printf("cgwrite %s=%s\n", path, err ? en(err) : "OK");
    }
    closedir(d);
}

static int basic(void) {
    report("unshare_user", in_child(do_unshare, (void *)(long)CLONE_NEWUSER));
    report("clone_user", in_child(do_clone, (void *)(long)CLONE_NEWUSER));
    report("clone3_user", in_child(do_clone3, (void *)(long)CLONE_NEWUSER));
    report("i386_unshare_user", in_child(do_i386_unshare, NULL));
    report("i386_keyctl", in_child(do_i386_keyctl, NULL));
    report("unshare_cgroup_ns", in_child(do_unshare, (void *)(long)(CLONE_NEWCGROUP | CLONE_NEWNS)));
    const char *cg2[] = {"cgroup2", NULL}, *cg1[] = {"cgroup", "pids"};
    report("mount_cgroup2", in_child(do_mount, cg2));
    report("mount_cgroup_pids", in_child(do_mount, cg1));
    cg_write_walk("/sys/fs/cgroup", 0);
    // A new file or directory is a write too.
    int e = mkdir("/sys/fs/cgroup/nsprobe", 0755) == 0 ? 0 : errno;
    if (e == 0)
        rmdir("/sys/fs/cgroup/nsprobe");
    report("cgroup_mkdir", e);
    printf("cgwrite_files=%d cgwrite_not_erofs=%d\n", cg_found, cg_bad);
    return 0;
}

// ---- nest ----------------------------------------------------------------
static int write_str(const char *path, const char *s) {
    int fd = open(path, O_WRONLY);
    if (fd < 0)
        return errno;
    int e = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : errno;
    close(fd);
    return e;
}

static void nest_walk(const char *root, const char *dir, int depth) {
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            if (!strcmp(e->d_name, "vz") || !strcmp(e->d_name, "system.slice") ||
                !strcmp(e->d_name, "user.slice") || !strcmp(e->d_name, "init.scope"))
                printf("LEAK dir %s\n", path);
            if (depth < 6)
                nest_walk(root, path, depth + 1);
            continue;
        }
        if (!strcmp(e->d_name, "cgroup.procs")) {
            FILE *f = fopen(path, "r");
            int pid;
            while (f && fscanf(f, "%d", &pid) == 1)
                printf("cgpid %s %d\n", path, pid);
            if (f)
                fclose(f);
        }
        if (!strcmp(e->d_name, "pids.max") || !strcmp(e->d_name, "memory.max") ||
            !strcmp(e->d_name, "memory.limit_in_bytes") ||
            !strcmp(e->d_name, "memory.memsw.limit_in_bytes")) {
            int err = write_str(path, strcmp(e->d_name, "pids.max") ? "9223372036854771712" : "max");
            if (err == EINVAL && !strcmp(e->d_name, "memory.max"))
                err = write_str(path, "max");
            if (err == EINVAL && strcmp(e->d_name, "pids.max"))
                err = write_str(path, "-1");
            printf("raise %s=%s\n", path, err ? en(err) : "OK");
        }
    }
    closedir(d);
}

static int nest(void) {
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWCGROUP) != 0) {
        report("nest.unshare", errno);
        return 1;
    }
    report("nest.unshare", 0);
    char map[64];
    snprintf(map, sizeof map, "0 %u 1", uid);
    report("nest.uid_map", write_str("/proc/self/uid_map", map));
    report("nest.setgroups", write_str("/proc/self/setgroups", "deny"));
    snprintf(map, sizeof map, "0 %u 1", gid);
    report("nest.gid_map", write_str("/proc/self/gid_map", map));
    report("nest.private", mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ? errno : 0);
    const char *v2 = "/tmp/nsprobe-cg2";
    mkdir(v2, 0755);
    int e = mount("cgroup2", v2, "cgroup2", 0, NULL) ? errno : 0;
    report("nest.mount_cgroup2", e);
    if (!e) {
        nest_walk(v2, v2, 0);
        umount2(v2, MNT_DETACH);
    }
    const char *ctl[] = {"pids", "memory"};
    for (int i = 0; i < 2; i++) {
        char dir[64], name[64];
        snprintf(dir, sizeof dir, "/tmp/nsprobe-cg1-%s", ctl[i]);
        mkdir(dir, 0755);
        e = mount("cgroup", dir, "cgroup", 0, ctl[i]) ? errno : 0;
        snprintf(name, sizeof name, "nest.mount_cgroup_%s", ctl[i]);
        report(name, e);
        if (!e) {
            nest_walk(dir, dir, 0);
            umount2(dir, MNT_DETACH);
        }
    }
    return 0;
}

static int forkbomb(int max) {
    pid_t *kids = calloc(max, sizeof *kids);
    int n = 0, err = 0;
    while (n < max) {
        pid_t p = fork();
        if (p == 0) {
            pause();
            _exit(0);
        }
        if (p < 0) {
            err = errno;
            break;
        }
        kids[n++] = p;
    }
    printf("forked=%d errno=%s\n", n, err ? en(err) : "none");
    fflush(stdout);
    for (int i = 0; i < n; i++)
        kill(kids[i], SIGKILL);
    for (int i = 0; i < n; i++)
        waitpid(kids[i], NULL, 0);
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc >= 2 && !strcmp(argv[1], "basic"))
        return basic();
    if (argc >= 2 && !strcmp(argv[1], "nest"))
        return nest();
    if (argc >= 3 && !strcmp(argv[1], "forkbomb"))
        return forkbomb(atoi(argv[2]));
    fprintf(stderr, "usage: nsprobe basic|nest|forkbomb MAX\n");
    return 2;
}
