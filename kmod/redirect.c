// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel functions answered from the caller's container: views.c (the
 * host's /proc files and syscalls) and quotactl.c (quotactl(2) on the
 * container's own file system) redirect functions through here.
 *
 * Each is redirected the way livepatch redirects a function: an ftrace
 * callback with IPMODIFY points the return of its fentry call at vzkit's
 * version, but only when the current task lives in a pid namespace below the
 * host's while containers are registered. The host's calls, and vzkit's own
 * calls of the original (recognised by the caller's address), run the
 * original untouched.
 *
 * A version runs inside an SRCU read side that unloading waits for (the
 * instructions before it is entered and after it is left are covered by
 * the RCU-tasks wait of unregister_ftrace_function) and with a reference on
 * the container.
 */
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/srcu.h>

#include "vzkit.h"

/* The address of a kernel symbol, or 0: what kprobes resolve it to. */
unsigned long vzkit_symbol(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	unsigned long addr;

	if (register_kprobe(&kp))
		return 0;
	addr = (unsigned long)kp.addr;
	unregister_kprobe(&kp);
	return addr;
}

/*
 * Callers inside a version: unloading waits for them (vzkit_redirect_sync).
 * Per-CPU counters, where a module reference would be one atomic shared by
 * every container's callers.
 */
DEFINE_STATIC_SRCU(vzkit_redirect_srcu);

struct vzkit_ub *vzkit_redirect_enter(int *srcu)
{
	struct vzkit_ub *ub;

	*srcu = srcu_read_lock(&vzkit_redirect_srcu);
	ub = vzkit_reader_ub();
	if (!ub)
		srcu_read_unlock(&vzkit_redirect_srcu, *srcu);
	return ub;
}

void vzkit_redirect_leave(struct vzkit_ub *ub, int srcu)
{
	vzkit_ub_put(ub);
	srcu_read_unlock(&vzkit_redirect_srcu, srcu);
}

void vzkit_redirect_sync(void)
{
	synchronize_srcu(&vzkit_redirect_srcu);
}

static void notrace vzkit_redirect_hook(unsigned long ip, unsigned long parent_ip,
					struct ftrace_ops *ops, struct ftrace_regs *fregs)
{
	struct vzkit_redirect *r = container_of(ops, struct vzkit_redirect, ops);
	struct pid_namespace *ns;
	struct pt_regs *regs;

	/* The host's answer: no container, a host task, or vzkit's own call. */
	if (!atomic_read(&vzkit_nr_ve))
		return;
	ns = vzkit_current_pidns();
	if (!ns || ns->level == 0 || within_module(parent_ip, THIS_MODULE))
		return;
	regs = ftrace_get_regs(fregs);
	if (regs)
		regs->ip = (unsigned long)r->to;
}

int vzkit_redirect_on(struct vzkit_redirect *r)
{
	int err;

	r->orig = vzkit_symbol(r->name);
	if (!r->orig)
		return -ENOENT;
	r->ops.func = vzkit_redirect_hook;
	r->ops.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY | FTRACE_OPS_FL_RECURSION;
	err = ftrace_set_filter_ip(&r->ops, r->orig, 0, 0);
	if (err)
		return err;
	err = register_ftrace_function(&r->ops);
	if (err) {
		ftrace_set_filter_ip(&r->ops, r->orig, 1, 0);
		return err;
	}
	r->on = true;
	return 0;
}

void vzkit_redirect_off(struct vzkit_redirect *r)
{
	if (!r->on)
		return;
	unregister_ftrace_function(&r->ops);
	ftrace_set_filter_ip(&r->ops, r->orig, 1, 0);
	r->on = false;
}
