// SPDX-License-Identifier: GPL-2.0
/*
 * OpenVZ's /proc files: /proc/user_beancounters, /proc/bc/resources,
 * /proc/bc/<id>/resources, /proc/vz/{veinfo,vestat,version}. The entries
 * exist in every procfs instance, so each read is filtered by the reader:
 * the host sees every beancounter, a container only its own (OpenVZ's
 * ub_accessible()).
 */
#include <linux/capability.h>
#include <linux/jiffies.h>
#include <linux/mutex.h>
#include <linux/sched/clock.h>
#include <linux/seq_file.h>
#include <linux/timekeeping.h>

#include "compat.h"
#include "vzkit.h"

/* The 64-bit layout of OpenVZ's kernel. */
#define VZKIT_HEAD_FMT "%10s  %-12s %20s %20s %20s %20s %20s\n"
#define VZKIT_RES_FMT "%10s  %-12s %20lu %20lu %20lu %20lu %20lu\n"
#define VZKIT_VESTAT_WIDTH (12 * 21 - 1)

static struct proc_dir_entry *vzkit_proc_bc;
static struct proc_dir_entry *vzkit_proc_vz;

enum vzkit_rows {
	VZKIT_ROWS_COMPAT,	/* ids 0..23 with the dummy rows */
	VZKIT_ROWS_ALL,		/* every real resource, swappages included */
};

static void vzkit_show_ub(struct seq_file *m, struct vzkit_ub *ub, enum vzkit_rows rows,
			  bool with_id)
{
	int last = rows == VZKIT_ROWS_COMPAT ? UB_RESOURCES_COMPAT : UB_RESOURCES;
	struct vzkit_parm *parm;
	char id[16] = "";
	int res;

	parm = kmalloc_array(UB_RESOURCES, sizeof(*parm), GFP_KERNEL);
	if (!parm)
		return;
	vzkit_ub_refresh(ub);
	vzkit_snapshot(ub, parm);
	if (with_id)
		snprintf(id, sizeof(id), "%u:", ub->id);
	for (res = 0; res < last; res++) {
		const struct vzkit_parm *p = &parm[res];
		bool dummy = !strcmp(vzkit_res_names[res], "dummy");

		if (dummy && rows == VZKIT_ROWS_ALL)
			continue;
		seq_printf(m, VZKIT_RES_FMT, id, vzkit_res_names[res], dummy ? 0 : p->held,
			   dummy ? 0 : p->maxheld, p->barrier, p->limit, p->failcnt);
		id[0] = '\0';
	}
	kfree(parm);
}

static void vzkit_show_header(struct seq_file *m)
{
	seq_puts(m, "Version: 2.5\n");
	seq_printf(m, VZKIT_HEAD_FMT, "uid", "resource", "held", "maxheld", "barrier", "limit",
		   "failcnt");
}

/* What one beancounter contributes to a file. */
enum vzkit_view {
	VZKIT_VIEW_COMPAT,	/* /proc/user_beancounters */
	VZKIT_VIEW_ALL,		/* /proc/bc/resources */
	VZKIT_VIEW_VEINFO,	/* /proc/vz/veinfo */
	VZKIT_VIEW_VESTAT,	/* /proc/vz/vestat */
};

static void vzkit_show_veinfo(struct seq_file *m, struct vzkit_ub *ub);
static void vzkit_show_vestat(struct seq_file *m, struct vzkit_ub *ub);

static void vzkit_show_one(struct seq_file *m, struct vzkit_ub *ub, enum vzkit_view view)
{
	switch (view) {
	case VZKIT_VIEW_COMPAT:
		vzkit_show_ub(m, ub, VZKIT_ROWS_COMPAT, true);
		break;
	case VZKIT_VIEW_ALL:
		vzkit_show_ub(m, ub, VZKIT_ROWS_ALL, true);
		break;
	case VZKIT_VIEW_VEINFO:
		vzkit_show_veinfo(m, ub);
		break;
	case VZKIT_VIEW_VESTAT:
		if (ub != &vzkit_ub0)
			vzkit_show_vestat(m, ub);
		break;
	}
}

/*
 * Shows every beancounter the reader may see: the host sees its own and
 * every container's, a container only its own.
 */
static void vzkit_show_visible(enum vzkit_view view, struct seq_file *m)
{
	struct vzkit_ub *reader = vzkit_reader_ub();
	struct vzkit_ub *ub;

	if (reader) {
		vzkit_show_one(m, reader, view);
		vzkit_ub_put(reader);
		return;
	}
	vzkit_show_one(m, &vzkit_ub0, view);
	mutex_lock(&vzkit_ve_mutex);
	list_for_each_entry(ub, &vzkit_ve_list, ve_node)
		vzkit_show_one(m, ub, view);
	mutex_unlock(&vzkit_ve_mutex);
}

static int vzkit_ubc_show(struct seq_file *m, void *v)
{
	vzkit_show_header(m);
	vzkit_show_visible(VZKIT_VIEW_COMPAT, m);
	return 0;
}

static int vzkit_bc_resources_show(struct seq_file *m, void *v)
{
	vzkit_show_header(m);
	vzkit_show_visible(VZKIT_VIEW_ALL, m);
	return 0;
}

static int vzkit_bc_one_show(struct seq_file *m, void *v)
{
	vzkit_show_ub(m, m->private, VZKIT_ROWS_ALL, false);
	return 0;
}

/* /proc/vz/veinfo: veid, class (always 0), number of tasks. */
static void vzkit_show_veinfo(struct seq_file *m, struct vzkit_ub *ub)
{
	if (ub != &vzkit_ub0 && !vzkit_ve_alive(ub))
		return;
	vzkit_ub_refresh(ub);
	seq_printf(m, "%10u %5u %5lu\n", ub->id, 0, READ_ONCE(ub->parm[UB_NUMPROC].held));
}

static int vzkit_veinfo_show(struct seq_file *m, void *v)
{
	vzkit_show_visible(VZKIT_VIEW_VEINFO, m);
	return 0;
}

/* CPU time of the container's cgroup, as of its last statistics flush. */
static void vzkit_show_vestat(struct seq_file *m, struct vzkit_ub *ub)
{
	const struct cgroup_base_stat *bs = &ub->cgrp->bstat;
	u64 user = div_u64(bs->cputime.utime, NSEC_PER_SEC / USER_HZ);
	u64 sys = div_u64(bs->cputime.stime, NSEC_PER_SEC / USER_HZ);
	u64 up_ns = ktime_get_ns() - ub->start_ns;

	if (!vzkit_ve_alive(ub))
		return;
	seq_printf(m, "%20u %20llu %20llu %20llu %20llu %20llu %20llu %20llu %20llu %20llu %20llu %20lu\n",
		   ub->id, user, 0ULL, sys,
		   (u64)jiffies_to_clock_t(jiffies - ub->start_jiffies), 0ULL, 0ULL, up_ns,
		   (u64)bs->cputime.sum_exec_runtime, 0ULL, 0ULL, 0UL);
}

static int vzkit_vestat_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%-*s\n", VZKIT_VESTAT_WIDTH, "Version: 2.2");
	seq_printf(m, "%20s %20s %20s %20s %20s %20s %20s %20s %20s %20s %20s %20s\n",
		   "VEID", "user", "nice", "system", "uptime", "idle", "strv", "uptime", "used",
		   "maxlat", "totlat", "numsched");
	vzkit_show_visible(VZKIT_VIEW_VESTAT, m);
	return 0;
}

static int vzkit_version_show(struct seq_file *m, void *v)
{
	seq_puts(m, "vzkit-" VZKIT_VERSION "\n");
	return 0;
}

/* OpenVZ's rule for the beancounter files: both DAC capabilities. */
static int vzkit_may_read(void)
{
	return capable(CAP_DAC_OVERRIDE) && capable(CAP_DAC_READ_SEARCH) ? 0 : -EACCES;
}

#define VZKIT_PROC_OPS(name, show)						\
static int name##_open(struct inode *inode, struct file *file)			\
{										\
	int err = vzkit_may_read();						\
										\
	return err ? err : single_open(file, show, NULL);			\
}										\
static const struct proc_ops name##_ops = {					\
	.proc_open = name##_open,						\
	.proc_read = seq_read,							\
	.proc_lseek = seq_lseek,						\
	.proc_release = single_release,					\
}

VZKIT_PROC_OPS(vzkit_ubc, vzkit_ubc_show);
VZKIT_PROC_OPS(vzkit_bc_resources, vzkit_bc_resources_show);

/* /proc/bc/<id>/resources: only the host and the container itself. */
static int vzkit_bc_one_open(struct inode *inode, struct file *file)
{
	struct vzkit_ub *ub = pde_data(inode);
	struct vzkit_ub *reader;
	int err = vzkit_may_read();

	if (err)
		return err;
	reader = vzkit_reader_ub();
	if (reader) {
		vzkit_ub_put(reader);
		if (reader != ub)
			return -ENOENT;
	}
	return single_open(file, vzkit_bc_one_show, ub);
}

static const struct proc_ops vzkit_bc_one_ops = {
	.proc_open = vzkit_bc_one_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = single_release,
};

int vzkit_proc_add_ve(struct vzkit_ub *ub)
{
	struct proc_dir_entry *dir;
	char name[16];

	snprintf(name, sizeof(name), "%u", ub->id);
	dir = proc_mkdir_data(name, 0500, vzkit_proc_bc, ub);
	if (!dir)
		return -ENOMEM;
	if (!proc_create_data("resources", 0400, dir, &vzkit_bc_one_ops, ub)) {
		proc_remove(dir);
		return -ENOMEM;
	}
	ub->proc = dir;
	return 0;
}

/* Waits for readers of the container's files to finish. */
void vzkit_proc_del_ve(struct vzkit_ub *ub)
{
	proc_remove(ub->proc);
	ub->proc = NULL;
}

/* /proc/vz, where quota.c adds vzquota. */
struct proc_dir_entry *vzkit_proc_vz_dir(void)
{
	return vzkit_proc_vz;
}

int vzkit_proc_init(void)
{
	vzkit_proc_bc = proc_mkdir("bc", NULL);
	vzkit_proc_vz = proc_mkdir("vz", NULL);
	if (!vzkit_proc_bc || !vzkit_proc_vz)
		goto fail;
	if (!proc_create("user_beancounters", 0400, NULL, &vzkit_ubc_ops) ||
	    !proc_create("resources", 0400, vzkit_proc_bc, &vzkit_bc_resources_ops) ||
	    !proc_create_single("veinfo", 0400, vzkit_proc_vz, vzkit_veinfo_show) ||
	    !proc_create_single("vestat", 0400, vzkit_proc_vz, vzkit_vestat_show) ||
	    !proc_create_single("version", 0444, vzkit_proc_vz, vzkit_version_show) ||
	    vzkit_proc_add_ve(&vzkit_ub0))
		goto fail;
	return 0;
fail:
	vzkit_proc_exit();
	return -ENOMEM;
}

void vzkit_proc_exit(void)
{
	remove_proc_entry("user_beancounters", NULL);
	proc_remove(vzkit_proc_bc);
	proc_remove(vzkit_proc_vz);
	vzkit_proc_bc = NULL;
	vzkit_proc_vz = NULL;
}
