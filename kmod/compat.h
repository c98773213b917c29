/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version and architecture dependency of vzkit, in one place.
 * The module targets Debian 12's 6.1; where an interface it uses moved in a
 * later kernel, the difference is handled here and nowhere else.
 */
#ifndef VZKIT_COMPAT_H
#define VZKIT_COMPAT_H

#include <linux/version.h>
#include <linux/memcontrol.h>
#include <linux/proc_fs.h>
#include <linux/ptrace.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 17, 0)
#define pde_data(inode) PDE_DATA(inode)
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
#error "vzkit needs Linux 5.11 or later (ftrace_regs, pids_can_fork(task, cset))"
#endif

#ifndef CONFIG_X86_64
#error "vzkit overrides return values through x86-64 pt_regs"
#endif

/* The n-th (from 0) integer argument of a probed function, at its entry. */
static inline unsigned long vzkit_arg(struct pt_regs *regs, unsigned int n)
{
	return regs_get_kernel_argument(regs, n);
}

/*
 * Make a probed function return value without running it: the pre-handler
 * points the instruction pointer at a stub that only returns (what the
 * kernel's own error injection does on x86).
 */
void vzkit_override_return(struct pt_regs *regs, unsigned long value);

/*
 * Per-node memory cgroup statistics (bytes or pages, by item), as of the
 * last statistics flush. Their aggregated copy is in a public header up to 6.9; later kernels keep it
 * private to the memory controller, where the figures read 0.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 10, 0)
static inline unsigned long vzkit_memcg_node_stat(struct mem_cgroup *memcg,
						  int nid, enum node_stat_item item)
{
	long x = READ_ONCE(memcg->nodeinfo[nid]->lruvec_stats.state[item]);

	return x < 0 ? 0 : x;
}
#else
static inline unsigned long vzkit_memcg_node_stat(struct mem_cgroup *memcg,
						  int nid, enum node_stat_item item)
{
	return 0;
}
#endif

/* F_UNLCK as security_file_lock() receives it (the lock type). */
#define VZKIT_F_UNLCK 2

#endif /* VZKIT_COMPAT_H */
