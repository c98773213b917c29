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

/*
 * The address of a kernel symbol (its fentry call, where ftrace calls back),
 * or 0: what kprobes resolve it to. The probe is never armed; it is kept
 * until vzkit_symbols_release(), which unregisters every probe of the
 * module's start at once: each unregistration waits for an RCU grace period,
 * one per symbol was most of a load's time (docs/benchmarks.md, "Issue 15,
 * the module's load and unload").
 */
static struct kprobe vzkit_sym_probes[32];
static int vzkit_nr_sym_probes;

unsigned long vzkit_symbol(const char *name)
{
	struct kprobe *kp;

	if (vzkit_nr_sym_probes == ARRAY_SIZE(vzkit_sym_probes))
		vzkit_symbols_release();
	kp = &vzkit_sym_probes[vzkit_nr_sym_probes];
	*kp = (struct kprobe){ .symbol_name = name, .flags = KPROBE_FLAG_DISABLED };
	if (register_kprobe(kp))
		return 0;
	vzkit_nr_sym_probes++;
	return (unsigned long)kp->addr;
}

void vzkit_symbols_release(void)
{
	struct kprobe *kps[ARRAY_SIZE(vzkit_sym_probes)];
	int i;

	for (i = 0; i < vzkit_nr_sym_probes; i++)
		kps[i] = &vzkit_sym_probes[i];
	if (vzkit_nr_sym_probes)
		unregister_kprobes(kps, vzkit_nr_sym_probes);
	vzkit_nr_sym_probes = 0;
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
	struct vzkit_redirect_set *set = container_of(ops, struct vzkit_redirect_set, ops);
	struct pid_namespace *ns;
	struct pt_regs *regs;
	int i;

	/* The host's answer: no container, a host task, or vzkit's own call. */
	if (!atomic_read(&vzkit_nr_ve))
		return;
	ns = vzkit_current_pidns();
	if (!ns || ns->level == 0 || within_module(parent_ip, THIS_MODULE))
		return;
	regs = ftrace_get_regs(fregs);
	if (!regs)
		return;
	for (i = 0; i < set->n; i++) {
		if (set->r[i].orig == ip) {
			regs->ip = (unsigned long)set->r[i].to;
			return;
		}
	}
}

/*
 * A set's functions share one ftrace_ops: each ops costs its unloading an
 * RCU-tasks grace period. Those that cannot be resolved, traced or
 * registered stay the kernel's (orig 0), each said once, not fatal.
 */
static void vzkit_redirect_failed(struct vzkit_redirect_set *set, struct vzkit_redirect *r,
				  int err)
{
	r->orig = 0;
	pr_info("vzkit: %s cannot be redirected (%d): %s\n", r->name, err, set->without);
}

void vzkit_redirects_on(struct vzkit_redirect_set *set)
{
	int i, n = 0, err;

	set->ops.func = vzkit_redirect_hook;
	set->ops.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY | FTRACE_OPS_FL_RECURSION;
	for (i = 0; i < set->n; i++) {
		struct vzkit_redirect *r = &set->r[i];

		r->orig = vzkit_symbol(r->name);
		err = r->orig ? ftrace_set_filter_ip(&set->ops, r->orig, 0, 0) : -ENOENT;
		if (err)
			vzkit_redirect_failed(set, r, err);
		else
			n++;
	}
	/* An ops without a filter would trace every function. */
	if (!n)
		return;
	err = register_ftrace_function(&set->ops);
	if (err) {
		ftrace_free_filter(&set->ops);
		for (i = 0; i < set->n; i++)
			if (set->r[i].orig)
				vzkit_redirect_failed(set, &set->r[i], err);
		return;
	}
	set->on = true;
}

void vzkit_redirects_off(struct vzkit_redirect_set *set)
{
	if (!set->on)
		return;
	unregister_ftrace_function(&set->ops);
	ftrace_free_filter(&set->ops);
	set->on = false;
}
