// SPDX-License-Identifier: GPL-2.0
/*
 * vzkit-ubctest: what the module scenarios do inside a container (built
 * static: a busybox container has no C library) and at /dev/vzctl.
 *
 *   ubctest files|tcp|udp|unix|flock|pty N [DIR] [-- CMD|SECONDS]
 *       takes up to N objects of that kind, prints "taken K errno E NAME"
 *       (E is 0 when all N were taken), runs "sh -c CMD" (or sleeps, which
 *       needs no new file) while holding them, then releases them.
 *   ubctest ioctl-in PID
 *       opens /dev/vzctl here, enters the pid namespace of PID and, from
 *       a child there, calls every ioctl; prints "NAME errno E" for each.
 *   ubctest abi VEID
 *       checks the ABI's answers to good and bad requests (VEID: a running
 *       registered container); prints "NAME errno E" for each.
 *   ubctest fuzz N SEED
 *       N ioctls with random numbers, sizes and arguments; prints how many
 *       returned each errno.
 *   ubctest quota-register ID DIR | quota-unregister ID
 *       registers quota ID (its tree: DIR) with the module or forgets it;
 *       prints "errno E" and exits 0 only when the request succeeded.
 *   ubctest quotactl CMD u|g|p ID SPECIAL [KB]
 *       one quotactl(2) on SPECIAL, or quotactl_fd(2) on fd N for "fd:N"
 *       or on PATH opened O_PATH for "fd:PATH". CMD: get, next, set (KB
 *       as soft and hard block limit), setinfo (grace times 1 day), off,
 *       xset (XFS's Q_XSETQLIM); prints "errno E" (and "id I blimit KB" for
 *       get and next) and exits 0 only when the call succeeded.
 *   ubctest mem MIB SECONDS
 *       touches MIB of anonymous memory and holds it; on SIGUSR1 checks it
 *       and prints "intact MIB" or "corrupt at OFFSET".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/quota.h>
#include <linux/dqblk_xfs.h>
#include <linux/vzkit.h>
#include <sys/syscall.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static int take_one(const char *kind, const char *dir, int i)
{
	char path[4096];
	int fd;

	if (!strcmp(kind, "files"))
		return open("/dev/null", O_RDONLY);
	if (!strcmp(kind, "tcp"))
		return socket(AF_INET, SOCK_STREAM, 0);
	if (!strcmp(kind, "udp"))
		return socket(AF_INET, SOCK_DGRAM, 0);
	if (!strcmp(kind, "unix"))
		return socket(AF_UNIX, SOCK_STREAM, 0);
	if (!strcmp(kind, "pty"))
		return open("/dev/ptmx", O_RDWR | O_NOCTTY);
	if (!strcmp(kind, "flock")) {
		snprintf(path, sizeof(path), "%s/ubctest.lock.%d", dir, i);
		fd = open(path, O_RDWR | O_CREAT, 0600);
		if (fd < 0)
			return -1;
		unlink(path);
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		i = errno;
		close(fd);
		errno = i;
		return -1;
	}
	errno = EINVAL;
	return -1;
}

static int hold(int argc, char **argv)
{
	const char *kind = argv[1], *dir = "/tmp", *cmd = NULL;
	int n = atoi(argv[2]), taken = 0, err = 0, i;
	int *fds = calloc(n > 0 ? n : 1, sizeof(int));

	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--") && i + 1 < argc)
			cmd = argv[++i];
		else
			dir = argv[i];
	}
	while (taken < n) {
		int fd = take_one(kind, dir, taken);

		if (fd < 0) {
			err = errno;
			break;
		}
		fds[taken++] = fd;
	}
	printf("taken %d errno %d %s\n", taken, err, err ? strerror(err) : "-");
	fflush(stdout);
	if (cmd && cmd[0] >= '0' && cmd[0] <= '9') {
		sleep(atoi(cmd));
	} else if (cmd && fork() == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	wait(NULL);
	for (i = 0; i < taken; i++)
		close(fds[i]);
	free(fds);
	return 0;
}

/*
 * mem MIB SECONDS: MIB of anonymous memory, touched, held that long. A wait
 * cut short goes on: criu's restore returns EINTR from the call it caught
 * (it cannot carry the kernel's restart block over). SIGUSR1 asks it to read
 * its pages back and print "intact MIB" or "corrupt at OFFSET".
 */
static int hold_mem(long mib, int seconds)
{
	size_t len = (size_t)mib << 20;
	time_t end = time(NULL) + seconds;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	sigset_t usr1;
	size_t i;

	if (p == MAP_FAILED) {
		printf("taken 0 errno %d %s\n", errno, strerror(errno));
		return 1;
	}
	memset(p, 0x5a, len);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	printf("taken %ld errno 0 -\n", mib);
	fflush(stdout);
	while (time(NULL) < end) {
		struct timespec left = { .tv_sec = end - time(NULL) };

		if (sigtimedwait(&usr1, NULL, &left) != SIGUSR1)
			continue;
		for (i = 0; i < len && p[i] == 0x5a; i++)
			;
		if (i == len)
			printf("intact %ld\n", mib);
		else
			printf("corrupt at %zu\n", i);
		fflush(stdout);
	}
	munmap(p, len);
	return 0;
}

struct call {
	const char *name;
	unsigned long cmd;
};

static int ioctl_in(const char *pid)
{
	static const struct call calls[] = {
		{ "ENV_REGISTER", VZCTL_ENV_REGISTER },
		{ "ENV_UNREGISTER", VZCTL_ENV_UNREGISTER },
		{ "ENV_TEST", VZCTL_ENV_TEST },
		{ "ENV_CREATE", VZCTL_ENV_CREATE },
		{ "SETUBLIMIT", VZCTL_SETUBLIMIT },
		{ "GETBC", VZCTL_GETBC },
		{ "SETBC_HISTORY", VZCTL_SETBC_HISTORY },
		{ "GET_VERSION", VZCTL_GET_VERSION },
		{ "QUOTA_REGISTER", VZCTL_QUOTA_REGISTER },
		{ "QUOTA_UNREGISTER", VZCTL_QUOTA_UNREGISTER },
		{ "VE_VIEW", VZCTL_VE_VIEW },
		{ "GET_CPUSTAT", VZCTL_GET_CPUSTAT },
		{ "VE_UGID_QUOTA", VZCTL_VE_UGID_QUOTA },
	};
	char path[64], buf[256];
	int dev, ns, status;
	size_t i;
	pid_t child;

	dev = open(VZKIT_DEVICE, O_RDWR);
	snprintf(path, sizeof(path), "/proc/%s/ns/pid", pid);
	ns = open(path, O_RDONLY);
	if (dev < 0 || ns < 0 || setns(ns, CLONE_NEWPID) < 0) {
		perror("ioctl-in");
		return 1;
	}
	child = fork();
	if (child == 0) {
		for (i = 0; i < ARRAY_SIZE(calls); i++) {
			memset(buf, 0, sizeof(buf));
			errno = 0;
			ioctl(dev, calls[i].cmd, buf);
			printf("%s errno %d\n", calls[i].name, errno);
		}
		fflush(stdout);
		_exit(0);
	}
	waitpid(child, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static void report(const char *name, int rc)
{
	printf("%s errno %d\n", name, rc < 0 ? errno : 0);
}

/* The quota requests' refusals; quota ids 999990.. are never registered. */
static void abi_quota(int dev)
{
	struct vzctl_quota_register reg = { .quota_id = 999990, .fd = -1 };
	struct vzctl_quota q = { .quota_id = 999991 };
	int root = open("/", O_RDONLY | O_DIRECTORY);

	report("QUOTA_REGISTER_NULL", ioctl(dev, VZCTL_QUOTA_REGISTER, NULL));
	report("QUOTA_REGISTER_BADFD", ioctl(dev, VZCTL_QUOTA_REGISTER, &reg));
	reg.fd = dev;
	report("QUOTA_REGISTER_NOTDIR", ioctl(dev, VZCTL_QUOTA_REGISTER, &reg));
	reg.fd = root;
	report("QUOTA_REGISTER_NOQUOTA", ioctl(dev, VZCTL_QUOTA_REGISTER, &reg));
	reg.flags = 1;
	report("QUOTA_REGISTER_FLAGS", ioctl(dev, VZCTL_QUOTA_REGISTER, &reg));
	reg.flags = 0;
	reg.reserved = 1;
	report("QUOTA_REGISTER_RESERVED", ioctl(dev, VZCTL_QUOTA_REGISTER, &reg));
	reg.reserved = 0;
	reg.quota_id = 0;
	report("QUOTA_REGISTER_ID0", ioctl(dev, VZCTL_QUOTA_REGISTER, &reg));
	reg.quota_id = 0xffffffff;
	report("QUOTA_REGISTER_IDMAX", ioctl(dev, VZCTL_QUOTA_REGISTER, &reg));
	report("QUOTA_UNREGISTER_NULL", ioctl(dev, VZCTL_QUOTA_UNREGISTER, NULL));
	report("QUOTA_UNREGISTER_NOENT", ioctl(dev, VZCTL_QUOTA_UNREGISTER, &q));
	q.reserved = 1;
	report("QUOTA_UNREGISTER_RESERVED", ioctl(dev, VZCTL_QUOTA_UNREGISTER, &q));
	close(root);
}

/* Second-level quota's refusals; veid 999992 never runs. */
static void abi_ugid_quota(int dev, unsigned int veid)
{
	struct vzctl_ve_ugid_quota u = { .veid = 999992, .fd = -1 };
	int proc = open("/proc", O_PATH | O_DIRECTORY);

	report("UGID_QUOTA_NULL", ioctl(dev, VZCTL_VE_UGID_QUOTA, NULL));
	report("UGID_QUOTA_NOCT", ioctl(dev, VZCTL_VE_UGID_QUOTA, &u));
	u.flags = 1;
	report("UGID_QUOTA_FLAGS", ioctl(dev, VZCTL_VE_UGID_QUOTA, &u));
	u.flags = 0;
	u.reserved = 1;
	report("UGID_QUOTA_RESERVED", ioctl(dev, VZCTL_VE_UGID_QUOTA, &u));
	u.reserved = 0;
	u.veid = veid;
	u.fd = 12345;
	report("UGID_QUOTA_BADFD", ioctl(dev, VZCTL_VE_UGID_QUOTA, &u));
	u.fd = proc;
	report("UGID_QUOTA_NOBDEV", ioctl(dev, VZCTL_VE_UGID_QUOTA, &u));
	u.fd = -1;
	report("UGID_QUOTA_FORGET", ioctl(dev, VZCTL_VE_UGID_QUOTA, &u));
	close(proc);
}

static int abi(unsigned int veid)
{
	struct vzkit_ubparm parms[UB_RESOURCES];
	struct vzctl_setublimit lim = { .veid = veid, .resource = 99 };
	struct vzctl_env_register reg = { .veid = veid + 1, .init_pid = 1 };
	struct vzctl_env_create test = { .veid = veid, .flags = VE_TEST };
	struct vzctl_getbc get = { .veid = veid, .count = UB_RESOURCES };
	struct vzctl_env env = { .veid = veid };
	struct vzctl_ve_view view = { .veid = veid };
	struct vzctl_cpustat stat = { .veid = veid };
	__u32 version = 0;
	int dev = open(VZKIT_DEVICE, O_RDWR);

	if (dev < 0) {
		perror(VZKIT_DEVICE);
		return 1;
	}
	report("GET_VERSION", ioctl(dev, VZCTL_GET_VERSION, &version));
	printf("version %u\n", version);
	report("UNKNOWN", ioctl(dev, _IO(VZCTLTYPE, 200), 0));
	report("OTHER_TYPE", ioctl(dev, _IOW('x', 5, struct vzctl_env), &env));
	report("GETBC_NULL", ioctl(dev, VZCTL_GETBC, NULL));
	report("GETBC_BADPTR", ioctl(dev, VZCTL_GETBC, (void *)16));
	get.parms = 16;
	report("GETBC_BADPARMS", ioctl(dev, VZCTL_GETBC, &get));
	get.parms = (unsigned long)parms;
	report("GETBC", ioctl(dev, VZCTL_GETBC, &get));
	printf("count %u numproc %llu numfile_barrier %llu\n", get.count,
	       (unsigned long long)parms[UB_NUMPROC].held,
	       (unsigned long long)parms[UB_NUMFILE].barrier);
	report("SETBC_HISTORY_NULL", ioctl(dev, VZCTL_SETBC_HISTORY, NULL));
	get.parms = 16;
	report("SETBC_HISTORY_BADPARMS", ioctl(dev, VZCTL_SETBC_HISTORY, &get));
	memset(parms, 0, sizeof(parms));
	get.parms = (unsigned long)parms;
	get.veid = 0;
	report("SETBC_HISTORY_HOST", ioctl(dev, VZCTL_SETBC_HISTORY, &get));
	get.veid = 999999;
	report("SETBC_HISTORY_NOCT", ioctl(dev, VZCTL_SETBC_HISTORY, &get));
	get.veid = veid;
	get.count = UB_RESOURCES;
	report("SETBC_HISTORY_ZERO", ioctl(dev, VZCTL_SETBC_HISTORY, &get));
	report("SETUBLIMIT_BADRES", ioctl(dev, VZCTL_SETUBLIMIT, &lim));
	lim.resource = UB_NUMFILE;
	lim.barrier = 10;
	lim.limit = 5;
	report("SETUBLIMIT_BAR_GT_LIM", ioctl(dev, VZCTL_SETUBLIMIT, &lim));
	lim.barrier = lim.limit = UB_MAXVALUE + 1;
	report("SETUBLIMIT_TOOBIG", ioctl(dev, VZCTL_SETUBLIMIT, &lim));
	lim.veid = 999999;
	lim.barrier = lim.limit = 10;
	report("SETUBLIMIT_NOCT", ioctl(dev, VZCTL_SETUBLIMIT, &lim));
	report("REGISTER_HOSTNS", ioctl(dev, VZCTL_ENV_REGISTER, &reg));
	reg.init_pid = 0x3ffffff;
	report("REGISTER_NOPID", ioctl(dev, VZCTL_ENV_REGISTER, &reg));
	reg.flags = 1;
	report("REGISTER_FLAGS", ioctl(dev, VZCTL_ENV_REGISTER, &reg));
	report("ENV_TEST", ioctl(dev, VZCTL_ENV_TEST, &env));
	report("VE_TEST", ioctl(dev, VZCTL_ENV_CREATE, &test));
	env.veid = test.veid = 999999;
	report("ENV_TEST_NOCT", ioctl(dev, VZCTL_ENV_TEST, &env));
	report("VE_TEST_NOCT", ioctl(dev, VZCTL_ENV_CREATE, &test));
	report("UNREGISTER_NOCT", ioctl(dev, VZCTL_ENV_UNREGISTER, &env));
	env.reserved = 1;
	report("ENV_RESERVED", ioctl(dev, VZCTL_ENV_TEST, &env));
	abi_quota(dev);
	abi_ugid_quota(dev, veid);
	view.meminfo_mode = 9;
	report("VIEW_BADMODE", ioctl(dev, VZCTL_VE_VIEW, &view));
	view.meminfo_mode = VZKIT_MEMINFO_PAGES;
	report("VIEW_ZEROPAGES", ioctl(dev, VZCTL_VE_VIEW, &view));
	view.meminfo_mode = VZKIT_MEMINFO_CGROUP;
	view.reserved = 1;
	report("VIEW_RESERVED", ioctl(dev, VZCTL_VE_VIEW, &view));
	view.reserved = 0;
	view.veid = 999999;
	report("VIEW_NOCT", ioctl(dev, VZCTL_VE_VIEW, &view));
	report("CPUSTAT", ioctl(dev, VZCTL_GET_CPUSTAT, &stat));
	printf("cpustat tasks %u uptime_s %llu\n", stat.nr_tasks,
	       (unsigned long long)(stat.uptime_ns / 1000000000ULL));
	stat.veid = 999999;
	report("CPUSTAT_NOCT", ioctl(dev, VZCTL_GET_CPUSTAT, &stat));
	close(dev);
	return 0;
}

static unsigned long rnd(void)
{
	return ((unsigned long)random() << 31) ^ (unsigned long)random();
}

/* A request: often a real one, often near one, sometimes anything. */
static unsigned long fuzz_cmd(void)
{
	static const unsigned long real[] = {
		VZCTL_ENV_REGISTER, VZCTL_ENV_UNREGISTER, VZCTL_ENV_TEST, VZCTL_ENV_CREATE,
		VZCTL_SETUBLIMIT, VZCTL_GETBC, VZCTL_SETBC_HISTORY, VZCTL_GET_VERSION, VZCTL_VE_VIEW,
		VZCTL_GET_CPUSTAT, VZCTL_QUOTA_REGISTER, VZCTL_QUOTA_UNREGISTER,
		VZCTL_VE_UGID_QUOTA,
	};

	switch (random() % 4) {
	case 0:
		return real[random() % ARRAY_SIZE(real)];
	case 1:
		return _IOC(random() % 4, VZCTLTYPE, random() % 256, random() % 512);
	case 2:
		return real[random() % ARRAY_SIZE(real)] ^ (1UL << (random() % 32));
	default:
		return (unsigned int)rnd();
	}
}

static unsigned long fuzz_arg(unsigned char *buf, size_t len)
{
	size_t i;

	switch (random() % 5) {
	case 0:
		return 0;
	case 1:
		return rnd();
	case 2:
		return (unsigned long)-1L - random() % 4096;
	default:
		for (i = 0; i < len; i++)
			buf[i] = random();
		/* Half the time, small fields so that range checks are reached. */
		if (random() % 2)
			for (i = 0; i < len; i += 4)
				buf[i + 1] = buf[i + 2] = buf[i + 3] = 0;
		/*
		 * Never a real container or quota (4001-4999), never the
		 * host's limits.
		 */
		buf[0] |= 0x80;
		buf[1] = buf[2] = 0xff;
		return (unsigned long)buf;
	}
}

static int fuzz(int n, unsigned int seed)
{
	unsigned long counts[256] = { 0 };
	unsigned char *buf;
	int dev, i;

	dev = open(VZKIT_DEVICE, O_RDWR);
	buf = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (dev < 0 || buf == MAP_FAILED) {
		perror("fuzz");
		return 1;
	}
	srandom(seed);
	for (i = 0; i < n; i++) {
		long rc;

		errno = 0;
		rc = ioctl(dev, fuzz_cmd(), fuzz_arg(buf, 4096));
		counts[rc < 0 ? (errno & 0xff) : 0]++;
	}
	for (i = 0; i < 256; i++)
		if (counts[i])
			printf("errno %d %s: %lu\n", i, i ? strerror(i) : "-", counts[i]);
	close(dev);
	return 0;
}

static int quota_request(int argc, char **argv)
{
	struct vzctl_quota_register reg = { .quota_id = strtoul(argv[2], NULL, 10) };
	struct vzctl_quota q = { .quota_id = reg.quota_id };
	int dev = open(VZKIT_DEVICE, O_RDWR);
	int rc;

	if (dev < 0) {
		perror(VZKIT_DEVICE);
		return 1;
	}
	if (!strcmp(argv[1], "quota-register")) {
		reg.fd = argc > 3 ? open(argv[3], O_RDONLY | O_DIRECTORY) : -1;
		if (reg.fd < 0) {
			perror(argc > 3 ? argv[3] : "quota-register: no DIR");
			return 1;
		}
		rc = ioctl(dev, VZCTL_QUOTA_REGISTER, &reg);
		close(reg.fd);
	} else {
		rc = ioctl(dev, VZCTL_QUOTA_UNREGISTER, &q);
	}
	printf("errno %d\n", rc < 0 ? errno : 0);
	close(dev);
	return rc < 0;
}

#ifndef SYS_quotactl_fd
#define SYS_quotactl_fd 443
#endif

static const struct {
	const char *name;
	int cmd;
} quota_cmds[] = {
	{ "get", Q_GETQUOTA }, { "next", Q_GETNEXTQUOTA }, { "set", Q_SETQUOTA },
	{ "setinfo", Q_SETINFO }, { "off", Q_QUOTAOFF }, { "xset", Q_XSETQLIM },
};

static int quota_call(int argc, char **argv)
{
	int type = argv[3][0] == 'u' ? USRQUOTA : argv[3][0] == 'g' ? GRPQUOTA : PRJQUOTA;
	unsigned int id = strtoul(argv[4], NULL, 10);
	const char *special = argv[5];
	struct if_nextdqblk dq;
	struct fs_disk_quota xdq;
	struct if_dqinfo info;
	void *addr = &dq;
	int cmd = -1, fd;
	size_t i;
	long rc;

	for (i = 0; i < ARRAY_SIZE(quota_cmds); i++)
		if (!strcmp(argv[2], quota_cmds[i].name))
			cmd = quota_cmds[i].cmd;
	if (cmd < 0)
		return 2;
	memset(&dq, 0, sizeof(dq));
	memset(&xdq, 0, sizeof(xdq));
	memset(&info, 0, sizeof(info));
	if (cmd == Q_SETQUOTA) {
		dq.dqb_bsoftlimit = dq.dqb_bhardlimit = argc > 6 ? strtoull(argv[6], NULL, 10) : 0;
		dq.dqb_valid = QIF_BLIMITS;
	} else if (cmd == Q_SETINFO) {
		info.dqi_bgrace = info.dqi_igrace = 86400;
		info.dqi_valid = IIF_BGRACE | IIF_IGRACE;
		addr = &info;
	} else if (cmd == Q_XSETQLIM) {
		xdq.d_version = FS_DQUOT_VERSION;
		xdq.d_id = id;
		xdq.d_blk_softlimit = xdq.d_blk_hardlimit = 2 * (argc > 6 ? strtoull(argv[6], NULL, 10) : 0);
		xdq.d_fieldmask = FS_DQ_BSOFT | FS_DQ_BHARD;
		addr = &xdq;
	}
	if (!strncmp(special, "fd:", 3)) {
		special += 3;
		fd = *special >= '0' && *special <= '9' ? atoi(special) : open(special, O_PATH);
		rc = syscall(SYS_quotactl_fd, fd, QCMD(cmd, type), id, addr);
	} else {
		rc = syscall(SYS_quotactl, QCMD(cmd, type), special, id, addr);
	}
	printf("errno %d\n", rc < 0 ? errno : 0);
	if (!rc && (cmd == Q_GETQUOTA || cmd == Q_GETNEXTQUOTA))
		printf("id %u blimit %llu\n", cmd == Q_GETNEXTQUOTA ? dq.dqb_id : id,
		       (unsigned long long)dq.dqb_bhardlimit);
	return rc < 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "abi"))
		return abi(strtoul(argv[2], NULL, 10));
	if (argc >= 3 && !strcmp(argv[1], "ioctl-in"))
		return ioctl_in(argv[2]);
	if (argc >= 4 && !strcmp(argv[1], "fuzz"))
		return fuzz(atoi(argv[2]), strtoul(argv[3], NULL, 10));
	if (argc >= 3 && (!strcmp(argv[1], "quota-register") ||
			  !strcmp(argv[1], "quota-unregister")))
		return quota_request(argc, argv);
	if (argc >= 6 && !strcmp(argv[1], "quotactl"))
		return quota_call(argc, argv);
	if (argc >= 4 && !strcmp(argv[1], "mem"))
		return hold_mem(atol(argv[2]), atoi(argv[3]));
	if (argc >= 3)
		return hold(argc, argv);
	fprintf(stderr, "usage: ubctest files|tcp|udp|unix|flock|pty N [DIR] [-- CMD]\n"
		"       ubctest mem MIB SECONDS\n"
		"       ubctest ioctl-in PID | abi VEID | fuzz N SEED\n"
		"       ubctest quota-register ID DIR | quota-unregister ID\n"
		"       ubctest quotactl CMD u|g|p ID SPECIAL|fd:N|fd:PATH [KB]\n");
	return 2;
}
