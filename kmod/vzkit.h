/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vzkit internals: containers (VEs) and their user beancounters.
 *
 * A container is a beancounter bound to a pid namespace and a cgroup. What a
 * task does is charged to the container whose pid namespace is the task's
 * own or an ancestor of it; everything else belongs to the host (id 0).
 */
#ifndef VZKIT_H
#define VZKIT_H

#include <linux/cgroup.h>
#include <linux/ftrace.h>
#include <linux/list.h>
#include <linux/percpu-refcount.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/refcount.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <uapi/linux/vzkit.h>

#define VZKIT_VERSION "0.1.0"

struct vzkit_parm {
	unsigned long held;
	unsigned long maxheld;
	unsigned long barrier;
	unsigned long limit;
	unsigned long failcnt;
	/* Added to a failcnt the cgroup counts (VZCTL_SETBC_HISTORY). */
	unsigned long failcnt_base;
};

struct vzkit_ub {
	u32 id;
	refcount_t ref;
	struct percpu_ref objs;		/* one per tracked object (track.c) */
	spinlock_t lock;		/* parm (but see ub.c) and socks; taken with irqs off */
	struct vzkit_parm parm[UB_RESOURCES];
	struct list_head socks;		/* tracked sockets, see track.c */
	struct list_head sock_slots;	/* ... in the open table */
	struct pid_namespace *pidns;	/* NULL for the host */
	struct cgroup *cgrp;		/* NULL for the host */
	unsigned long start_jiffies;
	u64 start_ns;
	u64 start_boot_ns;		/* CLOCK_BOOTTIME at registration */
	/* What the container sees (VZCTL_VE_VIEW), read without a lock. */
	u32 meminfo_mode;		/* VZKIT_MEMINFO_* */
	u64 meminfo_val;
	u32 cpus;			/* 0: every CPU it may run on */
	unsigned long avenrun[3];	/* load.c, FSHIFT fixed point */
	/* Its own file system, whose user and group quota its root administers (quotactl.c). */
	dev_t ugid_quota_dev;		/* 0: none */
	/* Registry linkage, under vzkit_ve_mutex (writers) and RCU. */
	bool registered;
	struct hlist_node ns_node;
	struct list_head ve_node;
	struct proc_dir_entry *proc;
	struct rcu_head rcu;
};

/* How a charge treats the barrier and the limit (OpenVZ's severities). */
enum vzkit_severity {
	VZKIT_HARD,	/* fails above the barrier */
	VZKIT_SOFT,	/* fails above the limit */
	VZKIT_FORCE,	/* never fails */
};

extern struct vzkit_ub vzkit_ub0;
extern const char *const vzkit_res_names[UB_RESOURCES];
extern atomic_t vzkit_nr_payers;

/* ub.c */
int vzkit_ub_init(void);
void vzkit_ub_exit(void);
struct vzkit_ub *vzkit_ub_alloc(u32 id);
void vzkit_ub_retire(struct vzkit_ub *ub);
void vzkit_ub_put(struct vzkit_ub *ub);
int vzkit_charge(struct vzkit_ub *ub, int res, unsigned long val, enum vzkit_severity sev);
void vzkit_uncharge(struct vzkit_ub *ub, int res, unsigned long val);
bool vzkit_over_barrier(struct vzkit_ub *ub, int res, unsigned long extra);
void vzkit_fail(struct vzkit_ub *ub, int res);
void vzkit_add_history(struct vzkit_ub *ub, int res, unsigned long maxheld,
		       unsigned long failcnt);
int vzkit_set_limit(struct vzkit_ub *ub, int res, u64 barrier, u64 limit);
void vzkit_snapshot(struct vzkit_ub *ub, struct vzkit_parm *out);

/* ve.c: the registry of containers */
extern struct mutex vzkit_ve_mutex;
extern struct list_head vzkit_ve_list;
extern atomic_t vzkit_nr_ve;
struct vzkit_ub *vzkit_ub_of_pidns(struct pid_namespace *ns);
struct vzkit_ub *vzkit_ub_of_task(struct task_struct *task);
/*
 * The current task's active pid namespace, NULL once an exiting task is
 * unhashed: task_active_pid_ns() inline, where the kernel's is a call that
 * every hook would pay for.
 */
static inline struct pid_namespace *vzkit_current_pidns(void)
{
	return ns_of_pid(task_pid(current));
}

struct vzkit_ub *vzkit_ub_of_current_rcu(void);
struct vzkit_ub *vzkit_reader_ub(void);
bool vzkit_pidns_within(struct pid_namespace *ns, struct pid_namespace *top);
struct vzkit_ub *vzkit_ve_find(u32 veid);
int vzkit_ve_register(u32 veid, pid_t init_pid, int cgroup_fd);
int vzkit_ve_unregister(u32 veid);
int vzkit_ve_test(u32 veid);
bool vzkit_ve_alive(struct vzkit_ub *ub);
void vzkit_ve_exit(void);

/* track.c: which beancounter pays for a kernel object */
enum vzkit_obj_kind {
	VZKIT_OBJ_FILE = 1,
	VZKIT_OBJ_SOCK,
	VZKIT_OBJ_LOCK,
	VZKIT_OBJ_PTY,
	VZKIT_OBJ_TASK,
};

#define VZKIT_AUX(kind, index) (((unsigned long)(kind) << 32) | (index))

int vzkit_track_init(void);
void vzkit_track_exit(void);
int vzkit_track(const void *obj, unsigned long aux, struct vzkit_ub *ub, int res);
void vzkit_untrack(const void *obj, unsigned long aux);
struct vzkit_ub *vzkit_tracked_ub(const void *obj, unsigned long aux, int *res);

struct vzkit_sock_usage {
	unsigned long tcp_snd;		/* queued for sending, TCP */
	unsigned long tcp_rcv;		/* received, TCP */
	unsigned long other_snd;	/* send buffers of the other sockets */
	unsigned long other_rcv;	/* receive buffers of the other sockets */
};

void vzkit_sock_usage(struct vzkit_ub *ub, struct vzkit_sock_usage *u);

/* stats.c: figures read from the kernel rather than charged */
void vzkit_ub_refresh(struct vzkit_ub *ub);
void vzkit_adopt_tasks(struct vzkit_ub *ub);

/* probes.c */
int vzkit_probes_init(void);
void vzkit_probes_exit(void);

/* proc.c */
int vzkit_proc_init(void);
void vzkit_proc_exit(void);
int vzkit_proc_add_ve(struct vzkit_ub *ub);
void vzkit_proc_del_ve(struct vzkit_ub *ub);
struct proc_dir_entry *vzkit_proc_vz_dir(void);

/* quota.c: /proc/vz/vzquota for the quotas user space registered */
int vzkit_quota_init(void);
void vzkit_quota_exit(void);
int vzkit_quota_register(u32 id, int fd);
int vzkit_quota_unregister(u32 id);

/* machine.c: the machine a container sees */
struct vzkit_mem {		/* pages, except kernel_stack_kb */
	unsigned long total, free, available, cached, shmem;
	unsigned long active_anon, inactive_anon, active_file, inactive_file, unevictable;
	unsigned long dirty, writeback, anon, mapped;
	unsigned long slab_reclaimable, slab_unreclaimable, kernel_stack_kb, page_tables;
	unsigned long swap_total, swap_free;
	bool swap_own;		/* its own swap limit, not the host's swap */
};

struct vzkit_tasks {
	unsigned long threads, running, blocked, ctxt;
	int last_pid;
};

void vzkit_machine_init(void);
void vzkit_host_swap(unsigned long *total, unsigned long *free);
bool vzkit_ct_mem(struct vzkit_ub *ub, struct vzkit_mem *mem);
bool vzkit_ct_vmstat(struct vzkit_ub *ub, unsigned long *zone, unsigned long *numa,
		     unsigned long *node, unsigned long *events);
unsigned int vzkit_ct_cpus(struct vzkit_ub *ub, struct cpumask *out);
void vzkit_ct_trim_cpus(struct vzkit_ub *ub, struct cpumask *mask);
u64 vzkit_ct_uptime_ns(struct vzkit_ub *ub);
void vzkit_ct_cputime(struct vzkit_ub *ub, u64 *user, u64 *sys);
u64 vzkit_ct_idle_ns(struct vzkit_ub *ub, unsigned int cpus);
void vzkit_ct_tasks(struct vzkit_ub *ub, struct vzkit_tasks *t);

/* load.c: each container's load average */
int vzkit_load_init(void);
void vzkit_load_exit(void);

/* redirect.c: kernel functions answered from the caller's container */
struct vzkit_redirect {
	const char *name;
	void *to;		/* the container's version */
	unsigned long orig;	/* the original, for the host's answer; 0: not redirected */
};

/* Redirects turned on and off together, through one ftrace_ops. */
struct vzkit_redirect_set {
	struct vzkit_redirect *r;
	int n;
	const char *without;	/* what a function left unredirected means */
	struct ftrace_ops ops;
	bool on;
};

unsigned long vzkit_symbol(const char *name);
void vzkit_symbols_release(void);
void vzkit_redirects_on(struct vzkit_redirect_set *set);
void vzkit_redirects_off(struct vzkit_redirect_set *set);
struct vzkit_ub *vzkit_redirect_enter(int *srcu);
void vzkit_redirect_leave(struct vzkit_ub *ub, int srcu);
void vzkit_redirect_sync(void);

/* views.c: the host's files and syscalls answered from the reader's container */
int vzkit_views_init(void);
void vzkit_views_exit(void);
int vzkit_ve_set_view(u32 veid, u32 meminfo_mode, u64 meminfo_val, u32 cpus);

/* quotactl.c: container root's quotactl(2) on its own file system */
int vzkit_quotactl_init(void);
void vzkit_quotactl_exit(void);
int vzkit_ve_set_ugid_quota(u32 veid, int fd);

/* dev.c */
int vzkit_dev_init(void);
void vzkit_dev_exit(void);

#endif /* VZKIT_H */
