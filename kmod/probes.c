// SPDX-License-Identifier: GPL-2.0
/*
 * Where the charges happen. A module cannot add LSM hooks on a stock
 * kernel, so vzkit hooks the functions where OpenVZ charged:
 *
 *   numfile       security_file_alloc (refused: -ENFILE) / security_file_free
 *   numtcpsock,   refused at security_socket_create (ENOBUFS for inet,
 *   numothersock  ENOMEM for unix, like OpenVZ) and at the entry of
 *                 sk_alloc, which then returns NULL (unix connect);
 *                 charged at cgroup_sk_alloc, which sk_alloc calls once the
 *                 socket is made (user sockets only); return of
 *                 sk_clone_lock (accepted children, charged to the
 *                 listener's payer) / security_sk_free
 *   numflock      locks_copy_lock (the copy an inode keeps) /
 *                 locks_unlink_lock_ctx; new locks refused at
 *                 security_file_lock (-ENOLCK)
 *   numpty        devpts_new_index / devpts_kill_index; refused at
 *                 ptmx_open (-ENOMEM)
 *   numproc       return of pids_can_fork (charged, or failcnt when the
 *                 pids controller refused the fork) / pids_cancel_fork,
 *                 pids_release
 *
 * Entry hooks are ftrace callbacks on the function's fentry call, without
 * FTRACE_OPS_FL_SAVE_REGS: the argument registers are saved anyway, and a
 * hook that refuses points the return of the fentry call at a stub that
 * only returns (IPMODIFY, as livepatch redirects a function). A kprobe on
 * the same place costs the same callback plus the kprobe's own look-up and
 * bookkeeping, and a kretprobe also hijacks the return; what kmod/README.md
 * says about each resource's attach point is measured in docs/benchmarks.md.
 * Frees of sockets may run in softirq context while another hook runs on
 * the same CPU: ftrace's recursion guard is per context, so they are seen.
 */
#include <linux/file.h>
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/trace_recursion.h>
#include <net/sock.h>

#include "compat.h"
#include "vzkit.h"

/*
 * For measuring only (the issue-15 section of docs/benchmarks.md): how far
 * the hot hooks (files, sockets) go, so that a run can tell the attach
 * point's cost from the container look-up's, the charge's and the
 * tracking's. The default, 0, is the module's real work; any other stage
 * leaves files and sockets uncounted.
 */
enum vzkit_stage {
	VZKIT_STAGE_FULL,
	VZKIT_STAGE_ATTACH,	/* the hooks return at once */
	VZKIT_STAGE_LOOKUP,	/* ... after looking up the container */
	VZKIT_STAGE_CHARGE,	/* ... after a charge and its uncharge, untracked */
};

static int vzkit_cost_stage;
module_param_named(cost_stage, vzkit_cost_stage, int, 0444);
MODULE_PARM_DESC(cost_stage, "measuring only: 1 attach, 2 +lookup, 3 +charge; 0 (default) counts");

static bool vzkit_stop_at(enum vzkit_stage stage)
{
	return unlikely(vzkit_cost_stage == stage);
}

/*
 * Ties a charge of ub for res to obj, so that its free uncharges it; an
 * object that cannot be tracked is not charged at all.
 */
static void vzkit_keep_charge(const void *obj, unsigned long aux, struct vzkit_ub *ub, int res)
{
	if (vzkit_track(obj, aux, ub, res))
		vzkit_uncharge(ub, res, 1);
}

/*
 * Makes the hooked call return ret at once when ub is at its barrier for
 * res, and counts the failure.
 */
static void vzkit_refuse_at_barrier(struct ftrace_regs *fregs, struct vzkit_ub *ub, int res,
				    unsigned long ret)
{
	if (vzkit_over_barrier(ub, res, 1)) {
		vzkit_fail(ub, res);
		vzkit_hook_return(fregs, ret);
	}
}

/* ---- entry hooks ------------------------------------------------------ */

/*
 * Hooks are registered uncharging first and unregistered charging first, so
 * that no charge goes unseen; a hook that may refuse the call needs
 * IPMODIFY.
 */
enum vzkit_hook_class {
	VZKIT_UNCHARGES,
	VZKIT_CHARGES,
	VZKIT_REFUSES,
	VZKIT_NR_CLASSES,
};

struct vzkit_hook {
	const char *sym;
	bool required;
	enum vzkit_hook_class class;
	unsigned long untrack;	/* vzkit_untrack_hook: the aux of what arg 0 frees */
	void (*handler)(struct vzkit_hook *h, struct ftrace_regs *fregs);
};

/*
 * A class's hooks share one ftrace_ops: unloading waits for an RCU-tasks
 * grace period per ops, which one ops per hook made most of an unload's time
 * (docs/benchmarks.md, "Issue 15, the module's load and unload"). The
 * callback finds its hook by the fentry address it was called from. An
 * optional hook that may refuse has an ops of its own: IPMODIFY is exclusive
 * (a livepatch of the same function is refused it), and such a conflict must
 * cost that hook alone, not the load.
 */
#define VZKIT_CLASS_MAX 8
#define VZKIT_NR_OPS (VZKIT_NR_CLASSES + 2)

struct vzkit_hook_ops {
	struct ftrace_ops ops;
	int n;
	unsigned long ip[VZKIT_CLASS_MAX];
	struct vzkit_hook *hook[VZKIT_CLASS_MAX];
	bool on;
};

static struct vzkit_hook_ops vzkit_hook_ops[VZKIT_NR_OPS];
static int vzkit_nr_ops = VZKIT_NR_CLASSES;

/*
 * The ftrace callback of every hook. Without FTRACE_OPS_FL_RECURSION ftrace
 * calls it directly; it guards recursion itself, which also disables
 * preemption: handlers run in an RCU read side.
 */
static void notrace vzkit_hook_entry(unsigned long ip, unsigned long parent_ip,
				     struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
	struct vzkit_hook_ops *c = container_of(ops, struct vzkit_hook_ops, ops);
	struct vzkit_hook *h;
	int i, bit;

	for (i = 0; i < c->n && c->ip[i] != ip; i++)
		;
	if (i == c->n)
		return;
	h = c->hook[i];
	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0)
		return;
	h->handler(h, fregs);
	ftrace_test_recursion_unlock(bit);
}

/* ---- numfile ---------------------------------------------------------- */

static void vzkit_file_alloc(struct vzkit_hook *h, struct ftrace_regs *fregs)
{
	struct file *file = (struct file *)vzkit_hook_arg(fregs, 0);
	struct vzkit_ub *ub;

	if (vzkit_stop_at(VZKIT_STAGE_ATTACH))
		return;
	ub = vzkit_ub_of_current_rcu();
	if (!ub || vzkit_stop_at(VZKIT_STAGE_LOOKUP))
		return;
	if (vzkit_charge(ub, UB_NUMFILE, 1, VZKIT_HARD)) {
		vzkit_hook_return(fregs, (unsigned long)-ENFILE);
		return;
	}
	if (vzkit_stop_at(VZKIT_STAGE_CHARGE))
		vzkit_uncharge(ub, UB_NUMFILE, 1);
	else
		vzkit_keep_charge(file, VZKIT_AUX(VZKIT_OBJ_FILE, 0), ub, UB_NUMFILE);
}

/* ---- sockets ---------------------------------------------------------- */

/* OpenVZ's numtcpsock: PF_INET/PF_INET6 stream sockets. */
static bool vzkit_is_tcp(unsigned long family, const struct proto *prot)
{
	static const char *const names[] = { "TCP", "TCPv6", "MPTCP", "MPTCPv6" };
	int i;

	/* Every name starts with T or M: most sockets are told apart at once. */
	if ((family != AF_INET && family != AF_INET6) ||
	    (prot->name[0] != 'T' && prot->name[0] != 'M'))
		return false;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(prot->name, names[i]))
			return true;
	return false;
}

static int vzkit_sock_res(unsigned long family, const struct proto *prot)
{
	return vzkit_is_tcp(family, prot) ? UB_NUMTCPSOCK : UB_NUMOTHERSOCK;
}

/*
 * security_socket_create(family, type, protocol, kern) runs before a
 * socket(2) or socketpair(2) allocates anything: a container at its
 * barrier is refused there with OpenVZ's errno, ENOBUFS for inet and
 * packet sockets and ENOMEM for the others.
 */
static void vzkit_socket_create(struct vzkit_hook *h, struct ftrace_regs *fregs)
{
	unsigned long family = vzkit_hook_arg(fregs, 0), type = vzkit_hook_arg(fregs, 1);
	bool inet = family == AF_INET || family == AF_INET6;
	struct vzkit_ub *ub;

	if (vzkit_hook_arg(fregs, 3) || vzkit_stop_at(VZKIT_STAGE_ATTACH))
		return;
	ub = vzkit_ub_of_current_rcu();
	if (!ub || vzkit_stop_at(VZKIT_STAGE_LOOKUP))
		return;
	vzkit_refuse_at_barrier(fregs, ub,
				inet && type == SOCK_STREAM ? UB_NUMTCPSOCK : UB_NUMOTHERSOCK,
				(unsigned long)(inet || family == AF_PACKET ? -ENOBUFS : -ENOMEM));
}

/*
 * sk_alloc(net, family, priority, prot, kern) of a user socket in a
 * container at its barrier returns NULL before allocating anything, and its
 * caller fails (unix and netlink: ENOMEM, as OpenVZ): the sockets unix
 * connect(2) makes, and whatever passed security_socket_create in a race.
 * Kernel sockets and allocations in interrupt context (nobody's task) are
 * free.
 *
 * The charge itself is made once the socket exists (cgroup_sk_alloc
 * below): concurrent allocations of one container may pass this check
 * together and take it past its barrier by as many; held is exact.
 */
static void vzkit_sk_alloc(struct vzkit_hook *h, struct ftrace_regs *fregs)
{
	const struct proto *prot = (const struct proto *)vzkit_hook_arg(fregs, 3);
	struct vzkit_ub *ub;

	if (vzkit_hook_arg(fregs, 4) || !in_task() || vzkit_stop_at(VZKIT_STAGE_ATTACH))
		return;
	ub = vzkit_ub_of_current_rcu();
	if (!ub || vzkit_stop_at(VZKIT_STAGE_LOOKUP))
		return;
	vzkit_refuse_at_barrier(fregs, ub, vzkit_sock_res(vzkit_hook_arg(fregs, 1), prot), 0);
}

/*
 * cgroup_sk_alloc(&sk->sk_cgrp_data) runs in sk_alloc, and only there, once
 * the socket is allocated and its family, protocol and kern flag are set:
 * a user socket made by a container's task is charged here, where no return
 * has to be hooked.
 */
static void vzkit_sk_made(struct vzkit_hook *h, struct ftrace_regs *fregs)
{
	struct sock *sk = container_of((struct sock_cgroup_data *)vzkit_hook_arg(fregs, 0),
				       struct sock, sk_cgrp_data);
	struct vzkit_ub *ub;
	int res;

	if (sk->sk_kern_sock || !in_task() || vzkit_stop_at(VZKIT_STAGE_ATTACH))
		return;
	ub = vzkit_ub_of_current_rcu();
	if (!ub || vzkit_stop_at(VZKIT_STAGE_LOOKUP))
		return;
	res = vzkit_sock_res(sk->sk_family, sk->sk_prot);
	vzkit_charge(ub, res, 1, VZKIT_FORCE);
	if (vzkit_stop_at(VZKIT_STAGE_CHARGE))
		vzkit_uncharge(ub, res, 1);
	else
		vzkit_keep_charge(sk, VZKIT_AUX(VZKIT_OBJ_SOCK, 0), ub, res);
}

/* ---- numflock ------------------------------------------------------- */

/*
 * A lock an inode holds is a copy of the request (locks_copy_lock), made
 * right before it is inserted; it leaves with locks_unlink_lock_ctx. The
 * allocator itself is inlined into the file-lock code and cannot be hooked.
 */
static void vzkit_lock_copy(struct vzkit_hook *h, struct ftrace_regs *fregs)
{
	void *fl = (void *)vzkit_hook_arg(fregs, 0);
	struct vzkit_ub *ub = vzkit_ub_of_current_rcu();

	if (!ub)
		return;
	vzkit_charge(ub, UB_NUMFLOCK, 1, VZKIT_FORCE);
	vzkit_keep_charge(fl, VZKIT_AUX(VZKIT_OBJ_LOCK, 0), ub, UB_NUMFLOCK);
}

/*
 * security_file_lock(file, type) decides on a new lock before anything is
 * inserted: refused (-ENOLCK) when the locks held reach the barrier.
 * Unlocks always pass.
 */
static void vzkit_file_lock(struct vzkit_hook *h, struct ftrace_regs *fregs)
{
	struct vzkit_ub *ub;

	if (vzkit_hook_arg(fregs, 1) == VZKIT_F_UNLCK)
		return;
	ub = vzkit_ub_of_current_rcu();
	if (ub)
		vzkit_refuse_at_barrier(fregs, ub, UB_NUMFLOCK, (unsigned long)-ENOLCK);
}

/* ---- numpty ----------------------------------------------------------- */

static void vzkit_ptmx_open(struct vzkit_hook *h, struct ftrace_regs *fregs)
{
	struct vzkit_ub *ub = vzkit_ub_of_current_rcu();

	if (ub)
		vzkit_refuse_at_barrier(fregs, ub, UB_NUMPTY, (unsigned long)-ENOMEM);
}

static void vzkit_pty_kill(struct vzkit_hook *h, struct ftrace_regs *fregs)
{
	vzkit_untrack((void *)vzkit_hook_arg(fregs, 0),
		      VZKIT_AUX(VZKIT_OBJ_PTY, vzkit_hook_arg(fregs, 1) & 0xffffffffUL));
}

/*
 * The functions that free a tracked object passed as their first argument
 * (security_file_free, security_sk_free, locks_unlink_lock_ctx,
 * pids_release, ...) uncharge it.
 */
static void vzkit_untrack_hook(struct vzkit_hook *h, struct ftrace_regs *fregs)
{
	if (!vzkit_stop_at(VZKIT_STAGE_ATTACH))
		vzkit_untrack((void *)vzkit_hook_arg(fregs, 0), h->untrack);
}

#define VZKIT_HOOK(s, fn, cls, req) \
	{ .sym = s, .handler = fn, .class = cls, .required = req }
#define VZKIT_UNTRACK_HOOK(s, kind, req) \
	{ .sym = s, .handler = vzkit_untrack_hook, .class = VZKIT_UNCHARGES, \
	  .untrack = VZKIT_AUX(kind, 0), .required = req }

/* Within a class, the hottest first: the callback searches in this order. */
static struct vzkit_hook vzkit_hooks[] = {
	VZKIT_UNTRACK_HOOK("security_file_free", VZKIT_OBJ_FILE, true),
	VZKIT_UNTRACK_HOOK("security_sk_free", VZKIT_OBJ_SOCK, true),
	VZKIT_UNTRACK_HOOK("locks_unlink_lock_ctx", VZKIT_OBJ_LOCK, false),
	VZKIT_UNTRACK_HOOK("locks_free_lock", VZKIT_OBJ_LOCK, false),
	VZKIT_HOOK("devpts_kill_index", vzkit_pty_kill, VZKIT_UNCHARGES, false),
	VZKIT_UNTRACK_HOOK("pids_cancel_fork", VZKIT_OBJ_TASK, false),
	VZKIT_UNTRACK_HOOK("pids_release", VZKIT_OBJ_TASK, false),
	VZKIT_HOOK("security_file_alloc", vzkit_file_alloc, VZKIT_REFUSES, true),
	VZKIT_HOOK("cgroup_sk_alloc", vzkit_sk_made, VZKIT_CHARGES, true),
	VZKIT_HOOK("sk_alloc", vzkit_sk_alloc, VZKIT_REFUSES, true),
	VZKIT_HOOK("security_socket_create", vzkit_socket_create, VZKIT_REFUSES, true),
	VZKIT_HOOK("security_file_lock", vzkit_file_lock, VZKIT_REFUSES, false),
	VZKIT_HOOK("locks_copy_lock", vzkit_lock_copy, VZKIT_CHARGES, false),
	VZKIT_HOOK("ptmx_open", vzkit_ptmx_open, VZKIT_REFUSES, false),
};

/* ---- return hooks ----------------------------------------------------- */

/* What an entry handler hands its return handler. */
struct vzkit_krp_data {
	struct vzkit_ub *ub;
	int res;
	unsigned long arg;
};

static struct vzkit_krp_data *vzkit_data(struct kretprobe_instance *ri)
{
	return (struct vzkit_krp_data *)ri->data;
}

/* sk_clone_lock(sk, priority): the child pays like its listener. */
static int vzkit_sk_clone_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vzkit_krp_data *d = vzkit_data(ri);
	void *listener = (void *)vzkit_arg(regs, 0);

	d->ub = vzkit_tracked_ub(listener, VZKIT_AUX(VZKIT_OBJ_SOCK, 0), &d->res);
	return d->ub ? 0 : 1;
}

/*
 * Charges an accepted child; when the charge is refused the child is
 * released the way sk_clone_lock's own error path does, and it returns
 * NULL.
 */
static int vzkit_sk_clone_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct sock *sk = (struct sock *)regs_return_value(regs);
	struct vzkit_krp_data *d = vzkit_data(ri);

	if (sk) {
		if (vzkit_charge(d->ub, d->res, 1, VZKIT_HARD)) {
			sk_free_unlock_clone(sk);
			regs_set_return_value(regs, 0);
		} else {
			vzkit_keep_charge(sk, VZKIT_AUX(VZKIT_OBJ_SOCK, 0), d->ub, d->res);
		}
	}
	vzkit_ub_put(d->ub);
	return 0;
}

static int vzkit_current_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vzkit_krp_data *d = vzkit_data(ri);

	d->ub = vzkit_ub_of_task(current);
	d->arg = vzkit_arg(regs, 0);
	return d->ub ? 0 : 1;
}

static int vzkit_pty_new_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vzkit_krp_data *d = vzkit_data(ri);
	long index = (long)regs_return_value(regs);

	if (index >= 0) {
		vzkit_charge(d->ub, UB_NUMPTY, 1, VZKIT_FORCE);
		vzkit_keep_charge((void *)d->arg, VZKIT_AUX(VZKIT_OBJ_PTY, index), d->ub,
				  UB_NUMPTY);
	}
	vzkit_ub_put(d->ub);
	return 0;
}

/*
 * The pids controller enforces NUMPROC; the module counts the same events:
 * a task is charged when pids_can_fork() accepts it, uncharged when the
 * fork is cancelled or the task released, and a refused fork bumps failcnt.
 * The new task's pid namespace decides the container.
 */
static int vzkit_fork_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct task_struct *task = (struct task_struct *)vzkit_arg(regs, 0);
	struct vzkit_krp_data *d = vzkit_data(ri);

	d->ub = NULL;
	d->arg = (unsigned long)task;
	if (task->nsproxy)
		d->ub = vzkit_ub_of_pidns(task->nsproxy->pid_ns_for_children);
	return d->ub ? 0 : 1;
}

static int vzkit_fork_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vzkit_krp_data *d = vzkit_data(ri);

	if (regs_return_value(regs)) {
		vzkit_fail(d->ub, UB_NUMPROC);
	} else {
		vzkit_charge(d->ub, UB_NUMPROC, 1, VZKIT_FORCE);
		vzkit_keep_charge((void *)d->arg, VZKIT_AUX(VZKIT_OBJ_TASK, 0), d->ub, UB_NUMPROC);
	}
	vzkit_ub_put(d->ub);
	return 0;
}

struct vzkit_kretprobe {
	struct kretprobe krp;
	bool required;
};

#define VZKIT_KRETPROBE(sym, entry, ret, active, req) \
	{ .krp = { .kp.symbol_name = sym, .entry_handler = entry, .handler = ret, \
		   .data_size = sizeof(struct vzkit_krp_data), .maxactive = active }, \
	  .required = req }

static struct vzkit_kretprobe vzkit_kretprobes[] = {
	VZKIT_KRETPROBE("sk_clone_lock", vzkit_sk_clone_entry, vzkit_sk_clone_ret, 64, true),
	VZKIT_KRETPROBE("devpts_new_index", vzkit_current_entry, vzkit_pty_new_ret, 32, false),
	VZKIT_KRETPROBE("pids_can_fork", vzkit_fork_entry, vzkit_fork_ret, 64, false),
};

/* ---- registration ----------------------------------------------------- */

static void vzkit_unregister_all(void)
{
	struct kretprobe *rps[ARRAY_SIZE(vzkit_kretprobes)];
	int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(vzkit_kretprobes); i++)
		if (vzkit_kretprobes[i].krp.kp.addr)
			rps[n++] = &vzkit_kretprobes[i].krp;
	if (n)
		unregister_kretprobes(rps, n);
	for (i = vzkit_nr_ops - 1; i >= 0; i--) {
		struct vzkit_hook_ops *c = &vzkit_hook_ops[i];

		if (c->on)
			unregister_ftrace_function(&c->ops);
		c->on = false;
		if (c->n)
			ftrace_free_filter(&c->ops);
		c->n = 0;
	}
	vzkit_nr_ops = VZKIT_NR_CLASSES;
}

static int vzkit_probe_failed(const char *sym, int err, bool required)
{
	if (required) {
		pr_err("vzkit: cannot hook %s (%d)\n", sym, err);
		return err;
	}
	pr_info("vzkit: %s cannot be hooked (%d): not accounted\n", sym, err);
	return 0;
}

/* Adds h to its ops, or says why not (an error when h is required). */
static int vzkit_hook_add(struct vzkit_hook *h)
{
	bool alone = h->class == VZKIT_REFUSES && !h->required;
	struct vzkit_hook_ops *c = &vzkit_hook_ops[alone ? vzkit_nr_ops : h->class];
	unsigned long addr;
	int err;

	if (WARN_ON(alone ? vzkit_nr_ops == VZKIT_NR_OPS : c->n == VZKIT_CLASS_MAX))
		return -ENOSPC;
	addr = vzkit_symbol(h->sym);
	err = addr ? ftrace_set_filter_ip(&c->ops, addr, 0, 0) : -ENOENT;
	if (err)
		return vzkit_probe_failed(h->sym, err, h->required);
	c->ip[c->n] = addr;
	c->hook[c->n++] = h;
	if (alone)
		vzkit_nr_ops++;
	return 0;
}

int vzkit_probes_init(void)
{
	int i, err;

	/* The refusals' class and the optional refusals after it need IPMODIFY. */
	for (i = 0; i < VZKIT_NR_OPS; i++) {
		vzkit_hook_ops[i].ops.func = vzkit_hook_entry;
		vzkit_hook_ops[i].ops.flags = i >= VZKIT_REFUSES ? FTRACE_OPS_FL_IPMODIFY : 0;
	}
	for (i = 0; i < ARRAY_SIZE(vzkit_hooks); i++) {
		err = vzkit_hook_add(&vzkit_hooks[i]);
		if (err)
			goto fail;
	}
	/* Every class holds a required hook; an ops without a filter would trace everything. */
	for (i = 0; i < vzkit_nr_ops; i++) {
		struct vzkit_hook_ops *c = &vzkit_hook_ops[i];

		err = c->n ? register_ftrace_function(&c->ops) : 0;
		if (err && i >= VZKIT_NR_CLASSES) {
			vzkit_probe_failed(c->hook[0]->sym, err, false);
			ftrace_free_filter(&c->ops);
			c->n = 0;
			continue;
		}
		if (err) {
			pr_err("vzkit: cannot hook %s and the %d others of its kind (%d)\n",
			       c->hook[0]->sym, c->n - 1, err);
			goto fail;
		}
		c->on = c->n > 0;
	}
	for (i = 0; i < ARRAY_SIZE(vzkit_kretprobes); i++) {
		struct vzkit_kretprobe *p = &vzkit_kretprobes[i];

		err = register_kretprobe(&p->krp);
		if (err) {
			p->krp.kp.addr = NULL;
			err = vzkit_probe_failed(p->krp.kp.symbol_name, err, p->required);
			if (err)
				goto fail;
		}
	}
	return 0;
fail:
	vzkit_unregister_all();
	return err;
}

void vzkit_probes_exit(void)
{
	vzkit_unregister_all();
}
