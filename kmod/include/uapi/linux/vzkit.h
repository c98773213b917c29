/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vzkit: the ABI of /dev/vzctl, shared by the kernel module and user space.
 *
 * Resource ids, the "unlimited" value and the ioctl magic are OpenVZ's
 * (include/bc/beancounter.h, include/linux/vzcalluser.h) so that tools
 * written for OpenVZ keep their numbering. The ioctls that replace OpenVZ's
 * setluid/setublimit/ubstat syscalls use numbers OpenVZ never assigned.
 */
#ifndef _UAPI_LINUX_VZKIT_H
#define _UAPI_LINUX_VZKIT_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define VZKIT_DEVICE		"/dev/vzctl"
/*
 * Changes when an existing request changes its layout or meaning. A new
 * request is an addition and keeps the version: a module that predates it
 * answers ENOTTY.
 */
#define VZKIT_ABI_VERSION	1

/* Beancounter resources, numbered as /proc/user_beancounters lists them. */
#define UB_KMEMSIZE		0
#define UB_LOCKEDPAGES		1
#define UB_PRIVVMPAGES		2
#define UB_SHMPAGES		3
#define UB_DUMMY4		4
#define UB_NUMPROC		5
#define UB_PHYSPAGES		6
#define UB_VMGUARPAGES		7
#define UB_OOMGUARPAGES		8
#define UB_NUMTCPSOCK		9
#define UB_NUMFLOCK		10
#define UB_NUMPTY		11
#define UB_NUMSIGINFO		12
#define UB_TCPSNDBUF		13
#define UB_TCPRCVBUF		14
#define UB_OTHERSOCKBUF		15
#define UB_DGRAMRCVBUF		16
#define UB_NUMOTHERSOCK		17
#define UB_DCACHESIZE		18
#define UB_NUMFILE		19
#define UB_DUMMY20		20
#define UB_DUMMY21		21
#define UB_DUMMY22		22
#define UB_NUMIPTENT		23
#define UB_SWAPPAGES		24
/* Rows of /proc/user_beancounters; swappages is only in /proc/bc/. */
#define UB_RESOURCES_COMPAT	24
#define UB_RESOURCES		25

/* "Unlimited": LONG_MAX of a 64-bit kernel, as OpenVZ prints it. */
#define UB_MAXVALUE		0x7fffffffffffffffULL

/* One resource of one beancounter. */
struct vzkit_ubparm {
	__u64 held;
	__u64 maxheld;
	__u64 barrier;
	__u64 limit;
	__u64 failcnt;
};

#define VZCTLTYPE		'.'

/* OpenVZ's VZCTL_ENV_CREATE; only its VE_TEST query is served. */
struct vzctl_env_create {
	__u32 veid;
	__u32 flags;
	__u32 class_id;
};

#define VE_TEST			8
#define VZCTL_ENV_CREATE	_IOW(VZCTLTYPE, 5, struct vzctl_env_create)

/*
 * Binds container veid to the pid namespace of init_pid (a pid as the
 * caller sees it) and to the cgroup whose directory cgroup_fd is open on.
 * Everything a task of that pid namespace (or of one nested in it) does is
 * charged to the container's beancounter. flags must be 0.
 */
struct vzctl_env_register {
	__u32 veid;
	__s32 init_pid;
	__s32 cgroup_fd;
	__u32 flags;
};

/* A container, for UNREGISTER and TEST; reserved must be 0. */
struct vzctl_env {
	__u32 veid;
	__u32 reserved;
};

/* OpenVZ's setublimit(2): barrier and limit of one resource. */
struct vzctl_setublimit {
	__u32 veid;
	__u32 resource;
	__u64 barrier;
	__u64 limit;
};

/*
 * Reads a beancounter (veid 0 is the host): fills min(count, UB_RESOURCES)
 * entries of the array at parms, indexed by resource id, and sets count
 * to UB_RESOURCES.
 */
struct vzctl_getbc {
	__u32 veid;
	__u32 count;
	__u64 parms;
};

/*
 * What a container sees of its machine: /proc/meminfo and sysinfo(2) by
 * meminfo_mode (OpenVZ's MEMINFO: from the memory cgroup, the host's,
 * meminfo_val pages, or meminfo_val times the privvmpages limit), and at
 * most cpus processors (0: every one it may run on) in /proc/cpuinfo,
 * /proc/stat, sched_getaffinity(2) and /sys/devices/system/cpu/online.
 * reserved must be 0.
 */
#define VZKIT_MEMINFO_CGROUP		0
#define VZKIT_MEMINFO_NONE		1
#define VZKIT_MEMINFO_PAGES		2
#define VZKIT_MEMINFO_PRIVVMPAGES	3

struct vzctl_ve_view {
	__u32 veid;
	__u32 meminfo_mode;
	__u64 meminfo_val;
	__u32 cpus;
	__u32 reserved;
};

/*
 * A running container's uptime, CPU time and load, as its own /proc/uptime,
 * /proc/stat and /proc/loadavg show them (vzlist's uptime and laverage).
 * avenrun is fixed point with 11 fractional bits (the kernel's FSHIFT).
 * reserved must be 0; ESRCH when the container does not run.
 */
struct vzctl_cpustat {
	__u32 veid;
	__u32 reserved;
	__u64 uptime_ns;
	__u64 user_ns;
	__u64 system_ns;
	__u32 avenrun[3];
	__u32 nr_running;
	__u32 nr_tasks;
	__u32 pad;
};

#define VZCTL_ENV_REGISTER	_IOW(VZCTLTYPE, 64, struct vzctl_env_register)
#define VZCTL_ENV_UNREGISTER	_IOW(VZCTLTYPE, 65, struct vzctl_env)
/* 0 when the container is registered and its init runs, else ESRCH. */
#define VZCTL_ENV_TEST		_IOW(VZCTLTYPE, 66, struct vzctl_env)
#define VZCTL_SETUBLIMIT	_IOW(VZCTLTYPE, 67, struct vzctl_setublimit)
#define VZCTL_GETBC		_IOWR(VZCTLTYPE, 68, struct vzctl_getbc)
/*
 * A restored container's history (what its beancounter showed at the
 * checkpoint): for the first min(count, UB_RESOURCES) entries at parms,
 * indexed by resource id, maxheld becomes the larger of the two and the
 * entry's failcnt is added; held, barrier and limit are not read. ENOENT
 * when the container is not registered; count stays as it was.
 */
#define VZCTL_SETBC_HISTORY	_IOW(VZCTLTYPE, 75, struct vzctl_getbc)
#define VZCTL_GET_VERSION	_IOR(VZCTLTYPE, 69, __u32)

/*
 * Disk quota (vzquota on the kernel's project quota): the module shows
 * /proc/vz/vzquota for the quotas registered here, from the kernel's own
 * figures for project quota_id of the file system holding the tree.
 *
 * REGISTER: fd is an O_DIRECTORY (or O_PATH) descriptor of the quota's tree
 * root, the container's private area; the module keeps a reference to that
 * directory (its mount stays busy) until UNREGISTER or unload. Registering
 * an id again replaces its tree. quota_id 0, flags or reserved not 0:
 * EINVAL; fd not open: EBADF; not a directory: ENOTDIR; a file system
 * without project quota accounted and enforced: EOPNOTSUPP.
 * UNREGISTER: ENOENT for an id that is not registered.
 */
struct vzctl_quota_register {
	__u32 quota_id;
	__s32 fd;
	__u32 flags;
	__u32 reserved;
};

/* A quota, for UNREGISTER; reserved must be 0. */
struct vzctl_quota {
	__u32 quota_id;
	__u32 reserved;
};

#define VZCTL_QUOTA_REGISTER	_IOW(VZCTLTYPE, 70, struct vzctl_quota_register)
#define VZCTL_QUOTA_UNREGISTER	_IOW(VZCTLTYPE, 71, struct vzctl_quota)
#define VZCTL_VE_VIEW		_IOW(VZCTLTYPE, 72, struct vzctl_ve_view)
#define VZCTL_GET_CPUSTAT	_IOWR(VZCTLTYPE, 73, struct vzctl_cpustat)

/*
 * Second-level quota: names the file system of container veid on which its
 * root may set and read user and group quota with quotactl(2) and
 * quotactl_fd(2) from inside (Q_GETQUOTA, Q_GETNEXTQUOTA, Q_SETQUOTA,
 * Q_SETINFO; never project quota, never quota on or off). fd is open (O_PATH
 * will do) on any file of it; the module keeps its device number, not the
 * file, until the container is unregistered. The host must name only a file
 * system that is the container's alone (its own volume): its root
 * administers every uid's and gid's quota there. fd -1 forgets it.
 * flags or reserved not 0: EINVAL; no such container: ENOENT; fd not open:
 * EBADF; a file system not on a block device: EOPNOTSUPP.
 */
struct vzctl_ve_ugid_quota {
	__u32 veid;
	__s32 fd;
	__u32 flags;
	__u32 reserved;
};

#define VZCTL_VE_UGID_QUOTA	_IOW(VZCTLTYPE, 74, struct vzctl_ve_ugid_quota)

#endif /* _UAPI_LINUX_VZKIT_H */
