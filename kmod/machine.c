// SPDX-License-Identifier: GPL-2.0
/*
 * The machine a container sees: its memory from its memory cgroup (or the
 * MEMINFO mode vzctl set), its processors (the reader's CPUs, at most the
 * CPU count vzctl set), its CPU time from its cgroup, its uptime since it
 * was registered, its tasks from its pid namespace and its memory
 * cgroup's statistics as /proc/vmstat counts them. views.c prints these
 * figures where the host's would be.
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
#include <linux/vmstat.h>

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

/* The container's memory cgroup, with a reference (mem_cgroup_put), or NULL. */
static struct mem_cgroup *vzkit_ct_memcg(struct vzkit_ub *ub)
{
	struct cgroup_subsys_state *css;

	rcu_read_lock();
	css = rcu_dereference(ub->cgrp->subsys[memory_cgrp_id]);
	if (css && !css_tryget(css))
		css = NULL;
	rcu_read_unlock();
	return css ? mem_cgroup_from_css(css) : NULL;
}

bool vzkit_ct_mem(struct vzkit_ub *ub, struct vzkit_mem *mem)
{
	struct mem_cgroup *memcg;
	unsigned long total, used, reclaimable;
	bool ours = false;

	memset(mem, 0, sizeof(*mem));
	memcg = vzkit_ct_memcg(ub);
	if (!memcg)
		return false;
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
	mem_cgroup_put(memcg);
	return ours;
}

/* The zone lines of /proc/vmstat that the container's memory gives, by its node lines. */
static const struct {
	enum zone_stat_item zone;
	enum node_stat_item node;
} vzkit_zone_lists[] = {
	{ NR_ZONE_INACTIVE_ANON, NR_INACTIVE_ANON },
	{ NR_ZONE_ACTIVE_ANON, NR_ACTIVE_ANON },
	{ NR_ZONE_INACTIVE_FILE, NR_INACTIVE_FILE },
	{ NR_ZONE_ACTIVE_FILE, NR_ACTIVE_FILE },
	{ NR_ZONE_UNEVICTABLE, NR_UNEVICTABLE },
	{ NR_MLOCK, NR_UNEVICTABLE },	/* as meminfo's Mlocked: an upper bound */
};

/*
 * /proc/vmstat's figures for a container whose /proc/meminfo is its own
 * (false: the host's, as its meminfo), in the units vmstat_start() gives:
 * every node line from its memory cgroup (the lines it does not count read
 * 0), the free pages and LRU lists of the zone lines from the same figures
 * as meminfo, and the events its memory cgroup counts. Events it does not
 * count are the host's activity and read 0, so do pgpgin and pgpgout: the
 * host counts kB read and written from block devices there, memory.stat
 * pages charged and uncharged, not the same figure. The NUMA events read
 * 0; the dirty thresholds stay the host's.
 */
bool vzkit_ct_vmstat(struct vzkit_ub *ub, unsigned long *zone, unsigned long *numa,
		     unsigned long *node, unsigned long *events)
{
	struct mem_cgroup *memcg;
	struct vzkit_mem mem;
	int i;

	if (!vzkit_ct_mem(ub, &mem))
		return false;
	memcg = vzkit_ct_memcg(ub);
	if (!memcg)
		return false;
	for (i = 0; i < NR_VM_NODE_STAT_ITEMS; i++) {
		node[i] = vzkit_memcg_sum(memcg, i);
		if (vmstat_item_in_bytes(i))
			node[i] >>= PAGE_SHIFT;
		if (vmstat_item_print_in_thp(i))
			node[i] /= HPAGE_PMD_NR;
	}
	memset(zone, 0, NR_VM_ZONE_STAT_ITEMS * sizeof(*zone));
	zone[NR_FREE_PAGES] = mem.free;
	for (i = 0; i < ARRAY_SIZE(vzkit_zone_lists); i++)
		zone[vzkit_zone_lists[i].zone] = node[vzkit_zone_lists[i].node];
	zone[NR_ZONE_WRITE_PENDING] = node[NR_FILE_DIRTY] + node[NR_WRITEBACK];
	memset(numa, 0, NR_VM_NUMA_EVENT_ITEMS * sizeof(*numa));
	memset(events, 0, NR_VM_EVENT_ITEMS * sizeof(*events));
	vzkit_memcg_events(memcg, events);
	events[PGPGIN] = 0;
	events[PGPGOUT] = 0;
	mem_cgroup_put(memcg);
	return true;
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
