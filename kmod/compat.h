/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version and architecture dependency of vzkit, in one place.
 * The module targets Debian 12's 6.1; where an interface it uses moved in a
 * later kernel, the difference is handled here and nowhere else.
 */
#ifndef VZKIT_COMPAT_H
#define VZKIT_COMPAT_H

#include <linux/version.h>
#include <linux/device.h>
#include <linux/ftrace.h>
#include <linux/memcontrol.h>
#include <linux/page_counter.h>
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

/* The n-th (from 0) integer argument of a kprobed function, at its entry. */
static inline unsigned long vzkit_arg(struct pt_regs *regs, unsigned int n)
{
	return regs_get_kernel_argument(regs, n);
}

/*
 * An ftrace callback at a function's entry, registered without
 * FTRACE_OPS_FL_SAVE_REGS: x86-64's ftrace_caller saves the argument
 * registers, the return value's and the instruction pointer, and restores
 * them after the callbacks ran (what livepatch relies on).
 */
#ifndef CONFIG_HAVE_DYNAMIC_FTRACE_WITH_ARGS
#error "vzkit hooks functions through ftrace with arguments (x86-64)"
#endif

static inline unsigned long vzkit_hook_arg(struct ftrace_regs *fregs, unsigned int n)
{
	return regs_get_kernel_argument(&fregs->regs, n);
}

/*
 * Make a hooked function return value without running it: the callback
 * points the instruction pointer at a stub that only returns (what the
 * kernel's own error injection does on x86).
 */
void vzkit_hook_return(struct ftrace_regs *fregs, unsigned long value);

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

/*
 * The vm events a memory cgroup counts (memory.stat's pgfault, pgmajfault,
 * the reclaim scans and steals ...), as of the last statistics flush, into
 * events[] by enum vm_event_item; returns false when this kernel's are not
 * known. 6.1's mm/memcontrol.c keeps them in its private struct
 * memcg_vmstats, after the page state, in the order of its
 * memcg_vm_event_stat[], which kept[] copies with its conditions.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0) && LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
struct vzkit_memcg_vmstats {
	long state[MEMCG_NR_STAT];
	unsigned long events[];
};

static inline bool vzkit_memcg_events(struct mem_cgroup *memcg, unsigned long *events)
{
	static const enum vm_event_item kept[] = {
		PGPGIN, PGPGOUT, PGSCAN_KSWAPD, PGSCAN_DIRECT, PGSTEAL_KSWAPD, PGSTEAL_DIRECT,
		PGFAULT, PGMAJFAULT, PGREFILL, PGACTIVATE, PGDEACTIVATE, PGLAZYFREE, PGLAZYFREED,
#if defined(CONFIG_MEMCG_KMEM) && defined(CONFIG_ZSWAP)
		ZSWPIN, ZSWPOUT,
#endif
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
		THP_FAULT_ALLOC, THP_COLLAPSE_ALLOC,
#endif
	};
	const struct vzkit_memcg_vmstats *vs = (const void *)memcg->vmstats;
	int i;

	for (i = 0; i < ARRAY_SIZE(kept); i++)
		events[kept[i]] = READ_ONCE(vs->events[i]);
	return true;
}
#else
static inline bool vzkit_memcg_events(struct mem_cgroup *memcg, unsigned long *events)
{
	return false;
}
#endif

/* Swap limit and use of a memory cgroup in pages: swap on v2, memsw less memory on v1. */
static inline unsigned long vzkit_memcg_swap_max(struct mem_cgroup *memcg)
{
	unsigned long mem, memsw;

	if (cgroup_subsys_on_dfl(memory_cgrp_subsys))
		return READ_ONCE(memcg->swap.max);
	mem = READ_ONCE(memcg->memory.max);
	memsw = READ_ONCE(memcg->memsw.max);
	if (memsw >= PAGE_COUNTER_MAX)
		return PAGE_COUNTER_MAX;
	return memsw > mem ? memsw - mem : 0;
}

static inline unsigned long vzkit_memcg_swap_usage(struct mem_cgroup *memcg)
{
	unsigned long mem, memsw;

	if (cgroup_subsys_on_dfl(memory_cgrp_subsys))
		return page_counter_read(&memcg->swap);
	mem = page_counter_read(&memcg->memory);
	memsw = page_counter_read(&memcg->memsw);
	return memsw > mem ? memsw - mem : 0;
}

/* A task's state word (task_struct.__state since 5.14). */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 14, 0)
#define vzkit_task_state(p) READ_ONCE((p)->__state)
#else
#define vzkit_task_state(p) READ_ONCE((p)->state)
#endif

/*
 * What views.c redirects, by name, with the prototypes of 6.1 (each is
 * listed in available_filter_functions there): the show functions of
 * /proc/meminfo, /proc/stat, /proc/uptime, /proc/loadavg, /proc/swaps and
 * x86's /proc/cpuinfo, the sysinfo(2) syscall's x86-64 entry (do_sysinfo is an
 * .isra clone there), sched_getaffinity(), the show function of
 * /sys/devices/system/cpu/{online,possible,present} and /proc/vmstat's
 * seq_file start, which fills the array its show prints from.
 */
#define VZKIT_SYM_MEMINFO	"meminfo_proc_show"
#define VZKIT_SYM_STAT		"show_stat"
#define VZKIT_SYM_UPTIME	"uptime_proc_show"
#define VZKIT_SYM_LOADAVG	"loadavg_proc_show"
#define VZKIT_SYM_CPUINFO	"show_cpuinfo"
#define VZKIT_SYM_SYSINFO	"__x64_sys_sysinfo"
#define VZKIT_SYM_AFFINITY	"sched_getaffinity"
#define VZKIT_SYM_CPUS_ATTR	"show_cpus_attr"
#define VZKIT_SYM_SWAPS		"swap_show"
#define VZKIT_SYM_VMSTAT	"vmstat_start"

/* drivers/base/cpu.c's private struct cpu_attr, whose show is show_cpus_attr. */
struct vzkit_cpu_attr {
	struct device_attribute attr;
	const struct cpumask *const map;
};

/*
 * quotactl.c redirects the x86-64 entries of quotactl(2) and quotactl_fd(2);
 * a 32-bit caller (__ia32_sys_*) keeps the kernel's own.
 */
#define VZKIT_SYM_QUOTACTL	"__x64_sys_quotactl"
#define VZKIT_SYM_QUOTACTL_FD	"__x64_sys_quotactl_fd"

/* The n-th (from 0, up to 5) argument of a syscall entry (__x64_sys_*(const struct pt_regs *)). */
static inline unsigned long vzkit_syscall_arg(const struct pt_regs *regs, unsigned int n)
{
	static const size_t offsets[] = {
		offsetof(struct pt_regs, di), offsetof(struct pt_regs, si),
		offsetof(struct pt_regs, dx), offsetof(struct pt_regs, r10),
		offsetof(struct pt_regs, r8), offsetof(struct pt_regs, r9),
	};

	return *(const unsigned long *)((const char *)regs + offsets[min_t(unsigned int, n, 5)]);
}

/* F_UNLCK as security_file_lock() receives it (the lock type). */
#define VZKIT_F_UNLCK 2

#endif /* VZKIT_COMPAT_H */
