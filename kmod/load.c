// SPDX-License-Identifier: GPL-2.0
/*
 * Each container's load average, kept the way the kernel keeps the host's
 * (kernel/sched/loadavg.c): every LOAD_FREQ the tasks of the container that
 * are running or in uninterruptible sleep are counted, and the 1, 5 and 15
 * minute averages move towards that count by calc_load()'s fixed-point
 * exponential decay. A load on the host never counts for a container.
 */
#include <linux/sched/loadavg.h>
#include <linux/workqueue.h>

#include "vzkit.h"

static void vzkit_load_sample(struct work_struct *work);
static DECLARE_DELAYED_WORK(vzkit_load_work, vzkit_load_sample);

static void vzkit_load_update(struct vzkit_ub *ub)
{
	static const unsigned long exp[3] = { EXP_1, EXP_5, EXP_15 };
	struct vzkit_tasks t;
	unsigned long active;
	int i;

	vzkit_ct_tasks(ub, &t);
	active = (t.running + t.blocked) * FIXED_1;
	for (i = 0; i < 3; i++)
		WRITE_ONCE(ub->avenrun[i], calc_load(READ_ONCE(ub->avenrun[i]), exp[i], active));
}

static void vzkit_load_sample(struct work_struct *work)
{
	struct vzkit_ub *ub;

	mutex_lock(&vzkit_ve_mutex);
	list_for_each_entry(ub, &vzkit_ve_list, ve_node)
		if (vzkit_ve_alive(ub))
			vzkit_load_update(ub);
	mutex_unlock(&vzkit_ve_mutex);
	schedule_delayed_work(&vzkit_load_work, LOAD_FREQ);
}

int vzkit_load_init(void)
{
	schedule_delayed_work(&vzkit_load_work, LOAD_FREQ);
	return 0;
}

void vzkit_load_exit(void)
{
	cancel_delayed_work_sync(&vzkit_load_work);
}
