// SPDX-License-Identifier: GPL-2.0
/*
 * vzkit: OpenVZ's containers-in-the-kernel on a stock kernel. Containers
 * registered through /dev/vzctl get user beancounters: every OpenVZ
 * resource accounted, numfile, numtcpsock, numothersock, numflock and
 * numpty refused at the barrier, and the /proc files OpenVZ tools read.
 */
#include <linux/init.h>
#include <linux/module.h>

#include "vzkit.h"

/*
 * The parts of the module in the order they start; they stop in reverse.
 * Containers (ve) need no start: their list begins empty, and stopping
 * removes those still registered once /dev/vzctl is gone.
 */
static const struct {
	int (*init)(void);
	void (*exit)(void);
} vzkit_parts[] = {
	{ vzkit_ub_init, vzkit_ub_exit },
	{ vzkit_track_init, vzkit_track_exit },
	{ vzkit_proc_init, vzkit_proc_exit },
	{ NULL, vzkit_ve_exit },
	{ vzkit_quota_init, vzkit_quota_exit },
	{ vzkit_dev_init, vzkit_dev_exit },
	{ vzkit_probes_init, vzkit_probes_exit },
	{ vzkit_load_init, vzkit_load_exit },
	{ vzkit_views_init, vzkit_views_exit },
	{ vzkit_quotactl_init, vzkit_quotactl_exit },
};

/* Stops the first n parts, last first. */
static void vzkit_stop(size_t n)
{
	while (n--)
		vzkit_parts[n].exit();
}

static int __init vzkit_init(void)
{
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(vzkit_parts); i++) {
		err = vzkit_parts[i].init ? vzkit_parts[i].init() : 0;
		if (err) {
			vzkit_symbols_release();
			vzkit_stop(i);
			return err;
		}
	}
	/* The parts looked up their symbols: one grace period for all. */
	vzkit_symbols_release();
	pr_info("vzkit: version %s loaded\n", VZKIT_VERSION);
	return 0;
}

static void __exit vzkit_exit(void)
{
	/* None should be left: the probes live in the module's memory. */
	vzkit_symbols_release();
	vzkit_stop(ARRAY_SIZE(vzkit_parts));
	pr_info("vzkit: unloaded\n");
}

module_init(vzkit_init);
module_exit(vzkit_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vzkit: containers, user beancounters, /proc/user_beancounters");
MODULE_VERSION(VZKIT_VERSION);
