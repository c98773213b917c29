// SPDX-License-Identifier: GPL-2.0
/*
 * The machine a container sees: its memory from its memory cgroup (or the
 * MEMINFO mode vzctl set), its processors (the reader's CPUs, at most the
 * CPU count vzctl set), its CPU time from its cgroup, its uptime since it
 * was registered and its tasks from its pid namespace. views.c prints
 * these figures where the host's would be.
 */
#include <linux/cpumask.h>
#include <linux/idr.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/page_counter.h>
#include <linux/sched.h>
#include <linux/sched/cputime.h>
#include <linux/swap.h>
#include <linux/timekeeping.h>

#include "compat.h"
#include "vzkit.h"

/* si_swapinfo() is not exported: views.c finds it when it starts. */
static void (*vzkit_si_swapinfo)(struct sysinfo *si);

void vzkit_machine_init(void)
{
	vzkit_si_swapinfo = (void *)vzkit_symbol("si_swapinfo");
}

/* The host's swap in pages; without si_swapinfo() only what is free. */
void vzkit_host_swap(unsigned long *total, unsigned long *free)
{
	struct sysinfo si = {};

	if (vzkit_si_swapinfo) {
		vzkit_si_swapinfo(&si);
		*total = si.totalswap;
		*free = si.freeswap;
		return;
	}
	*free = get_nr_swap_pages();
	*total = *free;
}

static unsigned long vzkit_memcg_sum(struct mem_cgroup *memcg, enum node_stat_item item)
{
	unsigned long sum = 0;
	int nid;

	for_each_node_state(nid, N_MEMORY)
		sum += vzkit_memcg_node_stat(memcg, nid, item);
	return sum;
}

/* The lowest of the limits on the way up, in pages (PAGE_COUNTER_MAX: none). */
static unsigned long vzkit_memcg_limit(struct mem_cgroup *memcg, bool swap)
{
	unsigned long limit = PAGE_COUNTER_MAX;

	for (; memcg; memcg = parent_mem_cgroup(memcg)) {
		if (swap)
			limit = min(limit, vzkit_memcg_swap_max(memcg));
		else
			limit = min(limit, READ_ONCE(memcg->memory.max));
	}
	return limit;
}

static void vzkit_memcg_lists(struct mem_cgroup *memcg, struct vzkit_mem *mem)
{
	mem->active_anon = vzkit_memcg_sum(memcg, NR_ACTIVE_ANON);
	mem->inactive_anon = vzkit_memcg_sum(memcg, NR_INACTIVE_ANON);
	mem->active_file = vzkit_memcg_sum(memcg, NR_ACTIVE_FILE);
	mem->inactive_file = vzkit_memcg_sum(memcg, NR_INACTIVE_FILE);
	mem->unevictable = vzkit_memcg_sum(memcg, NR_UNEVICTABLE);
	mem->cached = vzkit_memcg_sum(memcg, NR_FILE_PAGES);
	mem->shmem = vzkit_memcg_sum(memcg, NR_SHMEM);
	mem->mapped = vzkit_memcg_sum(memcg, NR_FILE_MAPPED);
	mem->dirty = vzkit_memcg_sum(memcg, NR_FILE_DIRTY);
	mem->writeback = vzkit_memcg_sum(memcg, NR_WRITEBACK);
	mem->anon = vzkit_memcg_sum(memcg, NR_ANON_MAPPED);
	mem->slab_reclaimable = vzkit_memcg_sum(memcg, NR_SLAB_RECLAIMABLE_B) >> PAGE_SHIFT;
	mem->slab_unreclaimable = vzkit_memcg_sum(memcg, NR_SLAB_UNRECLAIMABLE_B) >> PAGE_SHIFT;
	mem->kernel_stack_kb = vzkit_memcg_sum(memcg, NR_KERNEL_STACK_KB);
	mem->page_tables = vzkit_memcg_sum(memcg, NR_PAGETABLE);
}

/*
 * Swap: the container's own limit, however much swap the host has (OpenVZ's
 * VSwap is virtual too); an unlimited container sees the host's swap, less
 * nothing of its own use.
 */
static void vzkit_memcg_swap(struct mem_cgroup *memcg, struct vzkit_mem *mem)
{
	unsigned long limit = vzkit_memcg_limit(memcg, true);
	unsigned long used = vzkit_memcg_swap_usage(memcg);

	if (limit >= PAGE_COUNTER_MAX) {
		vzkit_host_swap(&mem->swap_total, &mem->swap_free);
		return;
	}
	mem->swap_total = limit;
	mem->swap_free = limit > used ? limit - used : 0;
	mem->swap_own = true;
}

/*
 * Total and used memory by the container's MEMINFO mode; false when the
 * container sees the host's memory (mode none, or no limit at all).
 */
static bool vzkit_mem_total(struct vzkit_ub *ub, struct mem_cgroup *memcg,
			    unsigned long *total, unsigned long *used)
{
	u64 val = READ_ONCE(ub->meminfo_val);

	switch (READ_ONCE(ub->meminfo_mode)) {
	case VZKIT_MEMINFO_NONE:
		return false;
	case VZKIT_MEMINFO_PAGES:
		*total = val;
		*used = page_counter_read(&memcg->memory);
		return val > 0;
	case VZKIT_MEMINFO_PRIVVMPAGES:
		if (READ_ONCE(ub->parm[UB_PRIVVMPAGES].limit) >= UB_MAXVALUE)
			return false;
		vzkit_ub_refresh(ub);
		*total = READ_ONCE(ub->parm[UB_PRIVVMPAGES].limit) * val;
		*used = READ_ONCE(ub->parm[UB_PRIVVMPAGES].held);
		return *total > 0;
	default:
		*total = vzkit_memcg_limit(memcg, false);
		*used = page_counter_read(&memcg->memory);
		return *total < PAGE_COUNTER_MAX;
	}
}

bool vzkit_ct_mem(struct vzkit_ub *ub, struct vzkit_mem *mem)
{
	struct cgroup_subsys_state *css;
	struct mem_cgroup *memcg;
	unsigned long total, used, reclaimable;
	bool ours = false;

	memset(mem, 0, sizeof(*mem));
	rcu_read_lock();
	css = rcu_dereference(ub->cgrp->subsys[memory_cgrp_id]);
	if (!css || !css_tryget(css)) {
		rcu_read_unlock();
		return false;
	}
	rcu_read_unlock();
	memcg = mem_cgroup_from_css(css);
	if (!vzkit_mem_total(ub, memcg, &total, &used))
		goto out;
	mem->total = min(total, totalram_pages());
	mem->free = mem->total > used ? mem->total - used : 0;
	vzkit_memcg_lists(memcg, mem);
	vzkit_memcg_swap(memcg, mem);
	/* What the container could have without swapping: free and file caches. */
	reclaimable = mem->active_file + mem->inactive_file + mem->slab_reclaimable;
	mem->available = min(mem->free + reclaimable, mem->total);
	ours = true;
out:
	css_put(css);
	return ours;
}

/*
 * The processors a container's reader may use: its own CPUs (its cpuset
 * and affinity) that are online, the first ub->cpus of them when vzctl set
 * a count (min of CPUS and CPULIMIT rounded up). Returns how many.
 */
unsigned int vzkit_ct_cpus(struct vzkit_ub *ub, struct cpumask *out)
{
	unsigned int limit = READ_ONCE(ub->cpus), n = 0;
	int cpu;

	if (!cpumask_and(out, current->cpus_ptr, cpu_online_mask))
		cpumask_copy(out, cpu_online_mask);
	if (!limit)
		return cpumask_weight(out);
	for_each_cpu(cpu, out) {
		if (n >= limit)
			cpumask_clear_cpu(cpu, out);
		else
			n++;
	}
	return n;
}

/* Trims a mask to its first ub->cpus processors (sched_getaffinity). */
void vzkit_ct_trim_cpus(struct vzkit_ub *ub, struct cpumask *mask)
{
	unsigned int limit = READ_ONCE(ub->cpus), n = 0;
	int cpu;

	if (!limit)
		return;
	for_each_cpu(cpu, mask)
		if (n++ >= limit)
			cpumask_clear_cpu(cpu, mask);
}

u64 vzkit_ct_uptime_ns(struct vzkit_ub *ub)
{
	u64 now = ktime_get_boottime_ns();

	return now > ub->start_boot_ns ? now - ub->start_boot_ns : 0;
}

/*
 * User and system time of the container's cgroup and its descendants, in
 * nanoseconds, as of the last statistics flush (at most about 2 s old:
 * the memory controller flushes them periodically).
 */
void vzkit_ct_cputime(struct vzkit_ub *ub, u64 *user, u64 *sys)
{
	const struct task_cputime *ct = &ub->cgrp->bstat.cputime;

	*user = READ_ONCE(ct->utime);
	*sys = READ_ONCE(ct->stime);
	if (!*user && !*sys)
		*user = READ_ONCE(ct->sum_exec_runtime);
}

/*
 * The container's idle time: what its processors had since it started
 * less what it used.
 */
u64 vzkit_ct_idle_ns(struct vzkit_ub *ub, unsigned int cpus)
{
	u64 user, sys, up = vzkit_ct_uptime_ns(ub) * cpus;

	vzkit_ct_cputime(ub, &user, &sys);
	return up > user + sys ? up - user - sys : 0;
}

/* Load: running, or sleeping uninterruptibly not marked NOLOAD (frozen is a state of its own). */
static bool vzkit_task_blocked(unsigned int state)
{
	return (state & TASK_UNINTERRUPTIBLE) && !(state & TASK_NOLOAD);
}

/*
 * The tasks (threads) of the container's pid namespace and those nested
 * in it: each has a pid there. The walk costs the container's own tasks,
 * not the host's.
 */
void vzkit_ct_tasks(struct vzkit_ub *ub, struct vzkit_tasks *t)
{
	struct pid_namespace *ns = ub->pidns;
	struct task_struct *p;
	struct pid *pid;
	int nr;

	memset(t, 0, sizeof(*t));
	rcu_read_lock();
	idr_for_each_entry(&ns->idr, pid, nr) {
		unsigned int state;

		p = pid_task(pid, PIDTYPE_PID);
		if (!p)
			continue;
		t->threads++;
		state = vzkit_task_state(p);
		if (state == TASK_RUNNING)
			t->running++;
		else if (vzkit_task_blocked(state))
			t->blocked++;
		t->ctxt += READ_ONCE(p->nvcsw) + READ_ONCE(p->nivcsw);
	}
	t->last_pid = idr_get_cursor(&ns->idr) - 1;
	rcu_read_unlock();
}
