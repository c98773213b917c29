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

static int __init vzkit_init(void)
{
	int err;

	err = vzkit_ub_init();
	if (err)
		return err;
	err = vzkit_track_init();
	if (err)
		goto out_ub;
	err = vzkit_proc_init();
	if (err)
		goto out_track;
	err = vzkit_dev_init();
	if (err)
		goto out_proc;
	err = vzkit_probes_init();
	if (err)
		goto out_dev;
	pr_info("vzkit: version %s loaded\n", VZKIT_VERSION);
	return 0;

out_dev:
	vzkit_dev_exit();
out_proc:
	vzkit_proc_exit();
out_track:
	vzkit_track_exit();
out_ub:
	vzkit_ub_exit();
	return err;
}

static void __exit vzkit_exit(void)
{
	vzkit_probes_exit();
	vzkit_dev_exit();
	vzkit_ve_exit();
	vzkit_proc_exit();
	vzkit_track_exit();
	vzkit_ub_exit();
	pr_info("vzkit: unloaded\n");
}

module_init(vzkit_init);
module_exit(vzkit_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vzkit: containers, user beancounters, /proc/user_beancounters");
MODULE_VERSION(VZKIT_VERSION);
