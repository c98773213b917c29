// SPDX-License-Identifier: GPL-2.0
/*
 * Where the charges happen. A module cannot add LSM hooks on a stock
 * kernel, so vzkit probes the functions where OpenVZ charged:
 *
 *   numfile       security_file_alloc (refused: -ENFILE) / security_file_free
 *   numtcpsock,   refused at security_socket_create (ENOBUFS for inet,
 *   numothersock  ENOMEM for unix, like OpenVZ); charged at the return of
 *                 sk_alloc (user sockets; over the barrier the socket is
 *                 freed and sk_alloc returns NULL),
 *                 return of sk_clone_lock (accepted children, charged to
 *                 the listener's payer) / security_sk_free
 *   numflock      locks_copy_lock (the copy an inode keeps) /
 *                 locks_unlink_lock_ctx; new locks refused at
 *                 security_file_lock (-ENOLCK)
 *   numpty        devpts_new_index / devpts_kill_index; refused at
 *                 ptmx_open (-ENOMEM)
 *   numproc       return of pids_can_fork (charged, or failcnt when the
 *                 pids controller refused the fork) / pids_cancel_fork,
 *                 pids_release
 *
 * Frees of sockets may run in softirq context while another probe handler
 * is active on the same CPU, where a kprobe would be skipped; that hook is
 * an ftrace callback, whose recursion guard is per context.
 */
#include <linux/file.h>
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <net/sock.h>

#include "compat.h"
#include "vzkit.h"

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
 * Refuses the probed call with err when ub is at its barrier for res (and
 * counts the failure), then drops the caller's reference to ub. Returns
 * whether it refused: the kprobe then skips the function.
 */
static int vzkit_refuse_at_barrier(struct pt_regs *regs, struct vzkit_ub *ub, int res, long err)
{
	int refuse = vzkit_over_barrier(ub, res, 1);

	if (refuse) {
		vzkit_fail(ub, res);
		vzkit_override_return(regs, (unsigned long)err);
	}
	vzkit_ub_put(ub);
	return refuse;
}

/* ---- numfile ---------------------------------------------------------- */

static int vzkit_file_alloc_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct file *file = (struct file *)vzkit_arg(regs, 0);
	struct vzkit_ub *ub = vzkit_ub_of_task(current);

	if (!ub)
		return 0;
	if (vzkit_charge(ub, UB_NUMFILE, 1, VZKIT_HARD)) {
		vzkit_ub_put(ub);
		vzkit_override_return(regs, (unsigned long)-ENFILE);
		return 1;
	}
	vzkit_keep_charge(file, VZKIT_AUX(VZKIT_OBJ_FILE, 0), ub, UB_NUMFILE);
	vzkit_ub_put(ub);
	return 0;
}

/* ---- sockets ---------------------------------------------------------- */

/* OpenVZ's numtcpsock: PF_INET/PF_INET6 stream sockets. */
static bool vzkit_is_tcp(unsigned long family, const struct proto *prot)
{
	static const char *const names[] = { "TCP", "TCPv6", "MPTCP", "MPTCPv6" };
	int i;

	if (family != AF_INET && family != AF_INET6)
		return false;
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(prot->name, names[i]))
			return true;
	return false;
}

/*
 * security_socket_create(family, type, protocol, kern) runs before a
 * socket(2) or socketpair(2) allocates anything: a container at its
 * barrier is refused there with OpenVZ's errno, ENOBUFS for inet and
 * packet sockets and ENOMEM for the others. The charge in sk_alloc below
 * stays the exact limit for every path (connect of unix sockets, races).
 */
static int vzkit_socket_create_pre(struct kprobe *kp, struct pt_regs *regs)
{
	unsigned long family = vzkit_arg(regs, 0), type = vzkit_arg(regs, 1);
	bool inet = family == AF_INET || family == AF_INET6;
	struct vzkit_ub *ub;

	if (vzkit_arg(regs, 3))
		return 0;
	ub = vzkit_ub_of_task(current);
	if (!ub)
		return 0;
	return vzkit_refuse_at_barrier(regs, ub,
				       inet && type == SOCK_STREAM ? UB_NUMTCPSOCK : UB_NUMOTHERSOCK,
				       inet || family == AF_PACKET ? -ENOBUFS : -ENOMEM);
}

/* sk_alloc(net, family, priority, prot, kern): kernel sockets are free. */
static int vzkit_sk_alloc_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vzkit_krp_data *d = vzkit_data(ri);
	const struct proto *prot = (const struct proto *)vzkit_arg(regs, 3);

	if (vzkit_arg(regs, 4))
		return 1;
	d->ub = vzkit_ub_of_task(current);
	if (!d->ub)
		return 1;
	d->res = vzkit_is_tcp(vzkit_arg(regs, 1), prot) ? UB_NUMTCPSOCK : UB_NUMOTHERSOCK;
	return 0;
}

/*
 * Charges a socket that was just allocated; when the charge is refused the
 * socket is released the way its allocator's own error path would (free),
 * and the allocator returns NULL.
 */
static void vzkit_sock_charge(struct pt_regs *regs, struct vzkit_krp_data *d,
			      void (*release)(struct sock *))
{
	struct sock *sk = (struct sock *)regs_return_value(regs);

	if (sk) {
		if (vzkit_charge(d->ub, d->res, 1, VZKIT_HARD)) {
			release(sk);
			regs_set_return_value(regs, 0);
		} else {
			vzkit_keep_charge(sk, VZKIT_AUX(VZKIT_OBJ_SOCK, 0), d->ub, d->res);
		}
	}
	vzkit_ub_put(d->ub);
}

static int vzkit_sk_alloc_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	vzkit_sock_charge(regs, vzkit_data(ri), sk_free);
	return 0;
}

/* sk_clone_lock(sk, priority): the child pays like its listener. */
static int vzkit_sk_clone_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vzkit_krp_data *d = vzkit_data(ri);
	void *listener = (void *)vzkit_arg(regs, 0);

	d->ub = vzkit_tracked_ub(listener, VZKIT_AUX(VZKIT_OBJ_SOCK, 0), &d->res);
	return d->ub ? 0 : 1;
}

static int vzkit_sk_clone_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	vzkit_sock_charge(regs, vzkit_data(ri), sk_free_unlock_clone);
	return 0;
}

static void notrace vzkit_sk_free_hook(unsigned long ip, unsigned long parent_ip,
				       struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
	struct pt_regs *regs = ftrace_get_regs(fregs);

	if (regs)
		vzkit_untrack((void *)vzkit_arg(regs, 0), VZKIT_AUX(VZKIT_OBJ_SOCK, 0));
}

static struct ftrace_ops vzkit_sk_free_ops = {
	.func = vzkit_sk_free_hook,
	.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_RECURSION,
};

/* ---- numflock ------------------------------------------------------- */

/*
 * A lock an inode holds is a copy of the request (locks_copy_lock), made
 * right before it is inserted; it leaves with locks_unlink_lock_ctx. The
 * allocator itself is inlined into the file-lock code and cannot be probed.
 */
static int vzkit_lock_copy_pre(struct kprobe *kp, struct pt_regs *regs)
{
	void *fl = (void *)vzkit_arg(regs, 0);
	struct vzkit_ub *ub = vzkit_ub_of_task(current);

	if (!ub)
		return 0;
	vzkit_charge(ub, UB_NUMFLOCK, 1, VZKIT_FORCE);
	vzkit_keep_charge(fl, VZKIT_AUX(VZKIT_OBJ_LOCK, 0), ub, UB_NUMFLOCK);
	vzkit_ub_put(ub);
	return 0;
}

/*
 * security_file_lock(file, type) decides on a new lock before anything is
 * inserted: refused (-ENOLCK) when the locks held reach the barrier.
 * Unlocks always pass.
 */
static int vzkit_file_lock_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct vzkit_ub *ub;

	if (vzkit_arg(regs, 1) == VZKIT_F_UNLCK)
		return 0;
	ub = vzkit_ub_of_task(current);
	if (!ub)
		return 0;
	return vzkit_refuse_at_barrier(regs, ub, UB_NUMFLOCK, -ENOLCK);
}

/* ---- numpty ----------------------------------------------------------- */

static int vzkit_current_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct vzkit_krp_data *d = vzkit_data(ri);

	d->ub = vzkit_ub_of_task(current);
	d->arg = vzkit_arg(regs, 0);
	return d->ub ? 0 : 1;
}

static int vzkit_ptmx_open_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct vzkit_ub *ub = vzkit_ub_of_task(current);

	if (!ub)
		return 0;
	return vzkit_refuse_at_barrier(regs, ub, UB_NUMPTY, -ENOMEM);
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

static int vzkit_pty_kill_pre(struct kprobe *kp, struct pt_regs *regs)
{
	vzkit_untrack((void *)vzkit_arg(regs, 0),
		      VZKIT_AUX(VZKIT_OBJ_PTY, vzkit_arg(regs, 1) & 0xffffffffUL));
	return 0;
}

/* ---- numproc ---------------------------------------------------------- */

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

/* ---- registration ----------------------------------------------------- */

struct vzkit_kprobe {
	struct kprobe kp;
	bool required;
	unsigned long untrack;	/* vzkit_untrack_pre: the aux of what arg 0 frees */
};

/*
 * The functions that free a tracked object passed as their first argument
 * (security_file_free, locks_unlink_lock_ctx, pids_release, ...) uncharge it.
 */
static int vzkit_untrack_pre(struct kprobe *kp, struct pt_regs *regs)
{
	vzkit_untrack((void *)vzkit_arg(regs, 0), container_of(kp, struct vzkit_kprobe, kp)->untrack);
	return 0;
}

struct vzkit_kretprobe {
	struct kretprobe krp;
	bool required;
};

#define VZKIT_KPROBE(sym, pre, req) \
	{ .kp = { .symbol_name = sym, .pre_handler = pre }, .required = req }
#define VZKIT_UNTRACK_KPROBE(sym, kind, req) \
	{ .kp = { .symbol_name = sym, .pre_handler = vzkit_untrack_pre }, .required = req, \
	  .untrack = VZKIT_AUX(kind, 0) }
#define VZKIT_KRETPROBE(sym, entry, ret, active, req) \
	{ .krp = { .kp.symbol_name = sym, .entry_handler = entry, .handler = ret, \
		   .data_size = sizeof(struct vzkit_krp_data), .maxactive = active }, \
	  .required = req }

static struct vzkit_kprobe vzkit_kprobes[] = {
	VZKIT_KPROBE("security_file_alloc", vzkit_file_alloc_pre, true),
	VZKIT_UNTRACK_KPROBE("security_file_free", VZKIT_OBJ_FILE, true),
	VZKIT_KPROBE("security_socket_create", vzkit_socket_create_pre, true),
	VZKIT_KPROBE("security_file_lock", vzkit_file_lock_pre, false),
	VZKIT_KPROBE("locks_copy_lock", vzkit_lock_copy_pre, false),
	VZKIT_UNTRACK_KPROBE("locks_unlink_lock_ctx", VZKIT_OBJ_LOCK, false),
	VZKIT_UNTRACK_KPROBE("locks_free_lock", VZKIT_OBJ_LOCK, false),
	VZKIT_KPROBE("ptmx_open", vzkit_ptmx_open_pre, false),
	VZKIT_KPROBE("devpts_kill_index", vzkit_pty_kill_pre, false),
	VZKIT_UNTRACK_KPROBE("pids_cancel_fork", VZKIT_OBJ_TASK, false),
	VZKIT_UNTRACK_KPROBE("pids_release", VZKIT_OBJ_TASK, false),
};

static struct vzkit_kretprobe vzkit_kretprobes[] = {
	VZKIT_KRETPROBE("sk_alloc", vzkit_sk_alloc_entry, vzkit_sk_alloc_ret, 256, true),
	VZKIT_KRETPROBE("sk_clone_lock", vzkit_sk_clone_entry, vzkit_sk_clone_ret, 64, true),
	VZKIT_KRETPROBE("devpts_new_index", vzkit_current_entry, vzkit_pty_new_ret, 32, false),
	VZKIT_KRETPROBE("pids_can_fork", vzkit_fork_entry, vzkit_fork_ret, 64, false),
};

static bool vzkit_sk_free_registered;

static void vzkit_unregister_all(void)
{
	int i;

	if (vzkit_sk_free_registered) {
		unregister_ftrace_function(&vzkit_sk_free_ops);
		ftrace_free_filter(&vzkit_sk_free_ops);
		vzkit_sk_free_registered = false;
	}
	for (i = 0; i < ARRAY_SIZE(vzkit_kretprobes); i++)
		if (vzkit_kretprobes[i].krp.kp.addr)
			unregister_kretprobe(&vzkit_kretprobes[i].krp);
	for (i = 0; i < ARRAY_SIZE(vzkit_kprobes); i++)
		if (vzkit_kprobes[i].kp.addr)
			unregister_kprobe(&vzkit_kprobes[i].kp);
}

static int vzkit_register_sk_free(void)
{
	char name[] = "security_sk_free";
	int err;

	err = ftrace_set_filter(&vzkit_sk_free_ops, name, strlen(name), 1);
	if (!err)
		err = register_ftrace_function(&vzkit_sk_free_ops);
	if (err) {
		ftrace_free_filter(&vzkit_sk_free_ops);
		return err;
	}
	vzkit_sk_free_registered = true;
	return 0;
}

static int vzkit_probe_failed(const char *sym, int err, bool required)
{
	if (required) {
		pr_err("vzkit: cannot probe %s (%d)\n", sym, err);
		return err;
	}
	pr_info("vzkit: %s cannot be probed (%d): not accounted\n", sym, err);
	return 0;
}

int vzkit_probes_init(void)
{
	int i, err;

	/* The uncharge side first, so that no charged object goes unseen. */
	err = vzkit_register_sk_free();
	if (err)
		return vzkit_probe_failed("security_sk_free", err, true);
	for (i = 0; i < ARRAY_SIZE(vzkit_kprobes); i++) {
		struct vzkit_kprobe *p = &vzkit_kprobes[i];

		err = register_kprobe(&p->kp);
		if (err) {
			p->kp.addr = NULL;
			err = vzkit_probe_failed(p->kp.symbol_name, err, p->required);
			if (err)
				goto fail;
		}
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
