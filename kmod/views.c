// SPDX-License-Identifier: GPL-2.0
/*
 * The host's answers, given from the reader's container: /proc/meminfo,
 * /proc/stat, /proc/uptime, /proc/loadavg, /proc/cpuinfo, /proc/swaps,
 * /proc/vmstat, sysinfo(2), sched_getaffinity(2) and
 * /sys/devices/system/cpu/{online,present}.
 *
 * Each kernel function that produces one of them is redirected to vzkit's
 * version for the tasks of containers (redirect.c). The answer depends on
 * who reads, not on which mount is read, so nothing a container's root does
 * to its mounts brings the host's figures back.
 */
#include <linux/cpumask.h>
#include <linux/mm.h>
#include <linux/sched/loadavg.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/swap.h>
#include <linux/sysinfo.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmstat.h>

#include "compat.h"
#include "vzkit.h"

enum vzkit_view_fn {
	VZKIT_FN_MEMINFO,
	VZKIT_FN_STAT,
	VZKIT_FN_UPTIME,
	VZKIT_FN_LOADAVG,
	VZKIT_FN_CPUINFO,
	VZKIT_FN_SYSINFO,
	VZKIT_FN_AFFINITY,
	VZKIT_FN_CPUS_ATTR,
	VZKIT_FN_SWAPS,
	VZKIT_FN_VMSTAT,
	VZKIT_FN_COUNT,
};

static struct vzkit_redirect vzkit_redirects[VZKIT_FN_COUNT];

/* The original of a redirected function, to be called with its prototype. */
static void *vzkit_orig(enum vzkit_view_fn fn)
{
	return (void *)vzkit_redirects[fn].orig;
}

static u64 vzkit_ns_to_clock_t(u64 ns)
{
	return div_u64(ns, NSEC_PER_SEC / USER_HZ);
}

/* ---- /proc/meminfo ---------------------------------------------------- */

/*
 * The lines the container's figures replace, in the order the kernel
 * prints them; every other line (Committed_AS, Vmalloc*, HugePages_*...)
 * passes as the kernel printed it. Values in kB.
 */
static const char *const vzkit_meminfo_keys[] = {
	"MemTotal:", "MemFree:", "MemAvailable:", "Buffers:", "Cached:", "SwapCached:",
	"Active:", "Inactive:", "Active(anon):", "Inactive(anon):", "Active(file):",
	"Inactive(file):", "Unevictable:", "Mlocked:", "SwapTotal:", "SwapFree:", "Dirty:",
	"Writeback:", "AnonPages:", "Mapped:", "Shmem:", "KReclaimable:", "Slab:",
	"SReclaimable:", "SUnreclaim:", "KernelStack:", "PageTables:",
};

#define VZKIT_KB(pages) ((pages) << (PAGE_SHIFT - 10))

static void vzkit_meminfo_values(const struct vzkit_mem *mem, unsigned long *kb)
{
	unsigned long slab = mem->slab_reclaimable + mem->slab_unreclaimable;
	unsigned long v[] = {
		mem->total, mem->free, mem->available, 0, mem->cached, 0,
		mem->active_anon + mem->active_file, mem->inactive_anon + mem->inactive_file,
		mem->active_anon, mem->inactive_anon, mem->active_file, mem->inactive_file,
		mem->unevictable, mem->unevictable, mem->swap_total, mem->swap_free, mem->dirty,
		mem->writeback, mem->anon, mem->mapped, mem->shmem, mem->slab_reclaimable, slab,
		mem->slab_reclaimable, mem->slab_unreclaimable, 0, mem->page_tables,
	};
	int i;

	BUILD_BUG_ON(ARRAY_SIZE(v) != ARRAY_SIZE(vzkit_meminfo_keys));
	for (i = 0; i < ARRAY_SIZE(v); i++)
		kb[i] = VZKIT_KB(v[i]);
	kb[ARRAY_SIZE(v) - 2] = mem->kernel_stack_kb;
}

/* Which key a line has (its key being len bytes, colon included), from *next on. */
static int vzkit_meminfo_key(const char *line, size_t len, int *next)
{
	int i;

	for (i = *next; i < ARRAY_SIZE(vzkit_meminfo_keys); i++) {
		if (strlen(vzkit_meminfo_keys[i]) == len &&
		    !memcmp(line, vzkit_meminfo_keys[i], len)) {
			*next = i + 1;
			return i;
		}
	}
	return -1;
}

/* "%*lu kB\n" without vsnprintf: the rewrite prints some 30 of these a read. */
static void vzkit_put_kb(struct seq_file *m, unsigned long kb, size_t width)
{
	char buf[32];
	char *p = buf + sizeof(buf);

	*--p = '\n';
	memcpy(p -= 3, " kB", 3);
	do {
		*--p = '0' + kb % 10;
		kb /= 10;
	} while (kb);
	while (p > buf && (size_t)(buf + sizeof(buf) - 4 - p) < width)
		*--p = ' ';
	seq_write(m, p, buf + sizeof(buf) - p);
}

/*
 * Prints the kernel's text again from start with the container's values
 * on its lines, each number right-aligned where the kernel's ended.
 */
static int vzkit_meminfo_rewrite(struct seq_file *m, size_t start, const struct vzkit_mem *mem)
{
	unsigned long kb[ARRAY_SIZE(vzkit_meminfo_keys)];
	size_t len = m->count - start;
	char *copy, *line, *end, *colon;
	int next = 0, key;

	copy = kmemdup(m->buf + start, len, GFP_KERNEL);
	m->count = start;
	if (!copy)
		return -ENOMEM;
	vzkit_meminfo_values(mem, kb);
	for (line = copy; line < copy + len; line = end + 1) {
		end = memchr(line, '\n', copy + len - line);
		if (!end)
			break;
		colon = memchr(line, ':', end - line);
		key = colon ? vzkit_meminfo_key(line, colon - line + 1, &next) : -1;
		if (key < 0 || end - line < 4 || memcmp(end - 3, " kB", 3)) {
			seq_write(m, line, end - line + 1);
			continue;
		}
		seq_write(m, line, colon - line + 1);
		vzkit_put_kb(m, kb[key], end - 3 - colon - 1);
	}
	kfree(copy);
	return 0;
}

static int vzkit_meminfo_show(struct seq_file *m, void *v)
{
	int (*orig)(struct seq_file *m, void *v) = vzkit_orig(VZKIT_FN_MEMINFO);
	int srcu;
	struct vzkit_ub *ub = vzkit_redirect_enter(&srcu);
	struct vzkit_mem mem;
	size_t start = m->count;
	int err;

	if (!ub)
		return orig(m, v);
	err = orig(m, v);
	/* An overflowing buffer is shown again, larger: rewrite the last one. */
	if (!err && !seq_has_overflowed(m) && vzkit_ct_mem(ub, &mem))
		err = vzkit_meminfo_rewrite(m, start, &mem);
	vzkit_redirect_leave(ub, srcu);
	return err;
}

/* ---- /proc/stat ------------------------------------------------------- */

static void vzkit_stat_cpu(struct seq_file *p, const char *name, u64 user, u64 sys, u64 idle)
{
	seq_printf(p, "%s %llu 0 %llu %llu 0 0 0 0 0 0\n", name, vzkit_ns_to_clock_t(user),
		   vzkit_ns_to_clock_t(sys), vzkit_ns_to_clock_t(idle));
}

/*
 * The container's own: its CPU time (split evenly over its processors: the
 * cgroup keeps no per-CPU total of its subtree), its context switches,
 * tasks and start. No interrupts: they are the host's.
 */
static int vzkit_stat_show(struct seq_file *p, void *v)
{
	int (*orig)(struct seq_file *m, void *v) = vzkit_orig(VZKIT_FN_STAT);
	int srcu;
	struct vzkit_ub *ub = vzkit_redirect_enter(&srcu);
	u64 user, sys, idle, up, btime;
	cpumask_var_t cpus;
	struct vzkit_tasks t;
	unsigned int n;
	char name[16];
	int cpu;

	if (!ub)
		return orig(p, v);
	if (!zalloc_cpumask_var(&cpus, GFP_KERNEL)) {
		vzkit_redirect_leave(ub, srcu);
		return -ENOMEM;
	}
	n = vzkit_ct_cpus(ub, cpus);
	vzkit_ct_cputime(ub, &user, &sys);
	idle = vzkit_ct_idle_ns(ub, n);
	vzkit_stat_cpu(p, "cpu ", user, sys, idle);
	for_each_cpu(cpu, cpus) {
		snprintf(name, sizeof(name), "cpu%d", cpu);
		vzkit_stat_cpu(p, name, div_u64(user, n), div_u64(sys, n), div_u64(idle, n));
	}
	vzkit_ct_tasks(ub, &t);
	up = vzkit_ct_uptime_ns(ub);
	btime = ktime_get_real_seconds() - div_u64(up, NSEC_PER_SEC);
	seq_printf(p, "intr 0\nctxt %lu\nbtime %llu\nprocesses %d\nprocs_running %lu\n"
		   "procs_blocked %lu\nsoftirq 0 0 0 0 0 0 0 0 0 0 0\n",
		   t.ctxt, btime, max(t.last_pid, 0), t.running, t.blocked);
	free_cpumask_var(cpus);
	vzkit_redirect_leave(ub, srcu);
	return 0;
}

/* ---- /proc/uptime, /proc/loadavg --------------------------------------- */

static unsigned int vzkit_cpu_count(struct vzkit_ub *ub)
{
	cpumask_var_t cpus;
	unsigned int n;

	if (!zalloc_cpumask_var(&cpus, GFP_KERNEL))
		return num_online_cpus();
	n = vzkit_ct_cpus(ub, cpus);
	free_cpumask_var(cpus);
	return n;
}

static int vzkit_uptime_show(struct seq_file *m, void *v)
{
	int (*orig)(struct seq_file *m, void *v) = vzkit_orig(VZKIT_FN_UPTIME);
	int srcu;
	struct vzkit_ub *ub = vzkit_redirect_enter(&srcu);
	struct timespec64 up, idle;

	if (!ub)
		return orig(m, v);
	up = ns_to_timespec64(vzkit_ct_uptime_ns(ub));
	idle = ns_to_timespec64(vzkit_ct_idle_ns(ub, vzkit_cpu_count(ub)));
	seq_printf(m, "%lu.%02lu %lu.%02lu\n", (unsigned long)up.tv_sec,
		   up.tv_nsec / (NSEC_PER_SEC / 100), (unsigned long)idle.tv_sec,
		   idle.tv_nsec / (NSEC_PER_SEC / 100));
	vzkit_redirect_leave(ub, srcu);
	return 0;
}

/* The load averages with the kernel's rounding (get_avenrun(.., FIXED_1/200, ..)). */
static void vzkit_ct_avenrun(struct vzkit_ub *ub, unsigned long *loads, unsigned long offset,
			     int shift)
{
	int i;

	for (i = 0; i < 3; i++)
		loads[i] = (READ_ONCE(ub->avenrun[i]) + offset) << shift;
}

static int vzkit_loadavg_show(struct seq_file *m, void *v)
{
	int (*orig)(struct seq_file *m, void *v) = vzkit_orig(VZKIT_FN_LOADAVG);
	int srcu;
	struct vzkit_ub *ub = vzkit_redirect_enter(&srcu);
	unsigned long a[3];
	struct vzkit_tasks t;

	if (!ub)
		return orig(m, v);
	vzkit_ct_avenrun(ub, a, FIXED_1 / 200, 0);
	vzkit_ct_tasks(ub, &t);
	seq_printf(m, "%lu.%02lu %lu.%02lu %lu.%02lu %lu/%lu %d\n", LOAD_INT(a[0]), LOAD_FRAC(a[0]),
		   LOAD_INT(a[1]), LOAD_FRAC(a[1]), LOAD_INT(a[2]), LOAD_FRAC(a[2]),
		   t.running, t.threads, t.last_pid);
	vzkit_redirect_leave(ub, srcu);
	return 0;
}

/* ---- /proc/cpuinfo, CPU count ------------------------------------------ */

/* x86's show_cpuinfo(m, cpuinfo_x86 *): only the container's processors. */
static int vzkit_cpuinfo_show(struct seq_file *m, void *v)
{
	int (*orig)(struct seq_file *m, void *v) = vzkit_orig(VZKIT_FN_CPUINFO);
	int srcu;
	struct vzkit_ub *ub = vzkit_redirect_enter(&srcu);
	struct cpuinfo_x86 *c = v;
	cpumask_var_t cpus;
	int err = 0;

	if (!ub)
		return orig(m, v);
	if (!zalloc_cpumask_var(&cpus, GFP_KERNEL)) {
		err = -ENOMEM;
	} else {
		vzkit_ct_cpus(ub, cpus);
		if (cpumask_test_cpu(c->cpu_index, cpus))
			err = orig(m, v);
		free_cpumask_var(cpus);
	}
	vzkit_redirect_leave(ub, srcu);
	return err;
}

static long vzkit_getaffinity(pid_t pid, struct cpumask *mask)
{
	long (*orig)(pid_t pid, struct cpumask *mask) = vzkit_orig(VZKIT_FN_AFFINITY);
	int srcu;
	struct vzkit_ub *ub = vzkit_redirect_enter(&srcu);
	long err = orig(pid, mask);

	if (!ub)
		return err;
	if (!err)
		vzkit_ct_trim_cpus(ub, mask);
	vzkit_redirect_leave(ub, srcu);
	return err;
}

/*
 * /sys/devices/system/cpu/online and present: lscpu counts its "CPU(s)" from
 * present and lists online. possible stays the host's: it bounds every CPU
 * number a task can meet (sched_getcpu(), rseq, /proc/<pid>/stat) and sizes
 * per-CPU arrays and affinity masks (glibc's _SC_NPROCESSORS_CONF), and a
 * container's tasks may run on any of the host's CPUs (CPUS does not pin).
 */
static ssize_t vzkit_cpus_attr_show(struct device *dev, struct device_attribute *attr, char *buf)
{
	ssize_t (*orig)(struct device *dev, struct device_attribute *attr, char *buf) =
		vzkit_orig(VZKIT_FN_CPUS_ATTR);
	struct vzkit_cpu_attr *ca = container_of(attr, struct vzkit_cpu_attr, attr);
	struct vzkit_ub *ub;
	int srcu;
	cpumask_var_t cpus;
	ssize_t ret;

	if (ca->map != cpu_online_mask && ca->map != cpu_present_mask)
		return orig(dev, attr, buf);
	ub = vzkit_redirect_enter(&srcu);
	if (!ub)
		return orig(dev, attr, buf);
	if (!zalloc_cpumask_var(&cpus, GFP_KERNEL)) {
		ret = -ENOMEM;
	} else {
		vzkit_ct_cpus(ub, cpus);
		ret = bitmap_print_to_pagebuf(true, buf, cpumask_bits(cpus), nr_cpu_ids);
		free_cpumask_var(cpus);
	}
	vzkit_redirect_leave(ub, srcu);
	return ret;
}

/* ---- /proc/swaps ---------------------------------------------------------- */

/*
 * swap_show(m, swap_info_struct * or SEQ_START_TOKEN): a container with a
 * swap limit of its own sees one virtual device of that size (OpenVZ showed
 * its VSwap the same way) and none of the host's; one without sees the host's.
 */
static int vzkit_swaps_show(struct seq_file *m, void *v)
{
	int (*orig)(struct seq_file *m, void *v) = vzkit_orig(VZKIT_FN_SWAPS);
	int srcu;
	struct vzkit_ub *ub = vzkit_redirect_enter(&srcu);
	struct vzkit_mem mem;
	unsigned long size, used;
	int err = 0;

	if (!ub)
		return orig(m, v);
	if (!vzkit_ct_mem(ub, &mem) || !mem.swap_own) {
		err = orig(m, v);
	} else if (v == SEQ_START_TOKEN) {
		err = orig(m, v);
		size = VZKIT_KB(mem.swap_total);
		used = VZKIT_KB(mem.swap_total - mem.swap_free);
		if (!err && size)
			seq_printf(m, "%-40s%s\t%lu\t%s%lu\t%s%d\n", "/dev/null", "partition", size,
				   size < 10000000 ? "\t" : "", used, used < 10000000 ? "\t" : "", -2);
	}
	vzkit_redirect_leave(ub, srcu);
	return err;
}

/* ---- /proc/vmstat ---------------------------------------------------------- */

/* Where each part of vmstat_start()'s array begins (mm/vmstat.c's order). */
#define VZKIT_VMSTAT_NUMA	NR_VM_ZONE_STAT_ITEMS
#define VZKIT_VMSTAT_NODE	(VZKIT_VMSTAT_NUMA + NR_VM_NUMA_EVENT_ITEMS)
#define VZKIT_VMSTAT_EVENTS	(VZKIT_VMSTAT_NODE + NR_VM_NODE_STAT_ITEMS + \
				 NR_VM_WRITEBACK_STAT_ITEMS)

/*
 * vmstat_start(m, pos) fills m->private with every figure, then the show
 * prints the array from pos on: the container's figures go in between, for
 * each batch a read() asks for.
 */
static void *vzkit_vmstat_start(struct seq_file *m, loff_t *pos)
{
	void *(*orig)(struct seq_file *m, loff_t *pos) = vzkit_orig(VZKIT_FN_VMSTAT);
	int srcu;
	struct vzkit_ub *ub = vzkit_redirect_enter(&srcu);
	unsigned long *v;
	void *ret;

	if (!ub)
		return orig(m, pos);
	ret = orig(m, pos);
	v = m->private;
	if (!IS_ERR_OR_NULL(ret) && v && IS_ENABLED(CONFIG_VM_EVENT_COUNTERS))
		vzkit_ct_vmstat(ub, v, v + VZKIT_VMSTAT_NUMA, v + VZKIT_VMSTAT_NODE,
				v + VZKIT_VMSTAT_EVENTS);
	vzkit_redirect_leave(ub, srcu);
	return ret;
}

/* ---- sysinfo(2) --------------------------------------------------------- */

/*
 * Memory in bytes with mem_unit 1, as do_sysinfo() gives it on 64-bit. The
 * host's figures are read only where the container's do not replace them
 * (si_meminfo counts the block devices' pages, si_swapinfo walks the swap
 * devices).
 */
static void vzkit_sysinfo_mem(struct vzkit_ub *ub, struct sysinfo *si)
{
	struct vzkit_mem mem;

	if (vzkit_ct_mem(ub, &mem)) {
		si->totalram = mem.total;
		si->freeram = mem.free;
		si->sharedram = mem.shmem;
		si->totalswap = mem.swap_total;
		si->freeswap = mem.swap_free;
	} else {
		si_meminfo(si);
		vzkit_host_swap(&si->totalswap, &si->freeswap);
	}
	si->totalram <<= PAGE_SHIFT;
	si->freeram <<= PAGE_SHIFT;
	si->sharedram <<= PAGE_SHIFT;
	si->bufferram <<= PAGE_SHIFT;
	si->totalswap <<= PAGE_SHIFT;
	si->freeswap <<= PAGE_SHIFT;
	si->totalhigh <<= PAGE_SHIFT;
	si->freehigh <<= PAGE_SHIFT;
	si->mem_unit = 1;
}

/* __x64_sys_sysinfo(regs): the container's uptime, load, tasks and memory. */
static long vzkit_sys_sysinfo(const struct pt_regs *regs)
{
	long (*orig)(const struct pt_regs *regs) = vzkit_orig(VZKIT_FN_SYSINFO);
	struct sysinfo __user *uinfo = (struct sysinfo __user *)vzkit_syscall_arg(regs, 0);
	int srcu;
	struct vzkit_ub *ub = vzkit_redirect_enter(&srcu);
	struct vzkit_tasks t;
	unsigned long procs;
	struct sysinfo si;
	long err = 0;

	if (!ub)
		return orig(regs);
	memset(&si, 0, sizeof(si));
	si.uptime = div_u64(vzkit_ct_uptime_ns(ub) + NSEC_PER_SEC - 1, NSEC_PER_SEC);
	vzkit_ct_avenrun(ub, si.loads, 0, SI_LOAD_SHIFT - FSHIFT);
	/* Its tasks as numproc counts them; walked when the fork probes are missing. */
	procs = READ_ONCE(ub->parm[UB_NUMPROC].held);
	if (!procs) {
		vzkit_ct_tasks(ub, &t);
		procs = t.threads;
	}
	si.procs = min_t(unsigned long, procs, USHRT_MAX);
	vzkit_sysinfo_mem(ub, &si);
	if (copy_to_user(uinfo, &si, sizeof(si)))
		err = -EFAULT;
	vzkit_redirect_leave(ub, srcu);
	return err;
}

/* ---- the redirects ----------------------------------------------------- */

#define VZKIT_REDIRECT(fn, sym, version) \
	[fn] = { .name = sym, .to = version }

static struct vzkit_redirect vzkit_redirects[VZKIT_FN_COUNT] = {
	VZKIT_REDIRECT(VZKIT_FN_MEMINFO, VZKIT_SYM_MEMINFO, vzkit_meminfo_show),
	VZKIT_REDIRECT(VZKIT_FN_STAT, VZKIT_SYM_STAT, vzkit_stat_show),
	VZKIT_REDIRECT(VZKIT_FN_UPTIME, VZKIT_SYM_UPTIME, vzkit_uptime_show),
	VZKIT_REDIRECT(VZKIT_FN_LOADAVG, VZKIT_SYM_LOADAVG, vzkit_loadavg_show),
	VZKIT_REDIRECT(VZKIT_FN_CPUINFO, VZKIT_SYM_CPUINFO, vzkit_cpuinfo_show),
	VZKIT_REDIRECT(VZKIT_FN_SYSINFO, VZKIT_SYM_SYSINFO, vzkit_sys_sysinfo),
	VZKIT_REDIRECT(VZKIT_FN_AFFINITY, VZKIT_SYM_AFFINITY, vzkit_getaffinity),
	VZKIT_REDIRECT(VZKIT_FN_CPUS_ATTR, VZKIT_SYM_CPUS_ATTR, vzkit_cpus_attr_show),
	VZKIT_REDIRECT(VZKIT_FN_SWAPS, VZKIT_SYM_SWAPS, vzkit_swaps_show),
	VZKIT_REDIRECT(VZKIT_FN_VMSTAT, VZKIT_SYM_VMSTAT, vzkit_vmstat_start),
};

static struct vzkit_redirect_set vzkit_views = {
	.r = vzkit_redirects,
	.n = VZKIT_FN_COUNT,
	.without = "containers see the host's",
};

/* A view that cannot be redirected is the host's: said once, not fatal. */
int vzkit_views_init(void)
{
	vzkit_machine_init();
	vzkit_redirects_on(&vzkit_views);
	return 0;
}

void vzkit_views_exit(void)
{
	vzkit_redirects_off(&vzkit_views);
	/* No new reader can enter a version now: wait for those inside. */
	vzkit_redirect_sync();
}
