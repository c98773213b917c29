// SPDX-License-Identifier: GPL-2.0
/*
 * The beancounter core: five figures per resource, charged and uncharged
 * under the beancounter's lock, with OpenVZ's severities.
 */
#include <linux/jiffies.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "vzkit.h"

const char *const vzkit_res_names[UB_RESOURCES] = {
	"kmemsize", "lockedpages", "privvmpages", "shmpages", "dummy",
	"numproc", "physpages", "vmguarpages", "oomguarpages", "numtcpsock",
	"numflock", "numpty", "numsiginfo", "tcpsndbuf", "tcprcvbuf",
	"othersockbuf", "dgramrcvbuf", "numothersock", "dcachesize", "numfile",
	"dummy", "dummy", "dummy", "numiptent", "swappages",
};

struct vzkit_ub vzkit_ub0;
static struct kmem_cache *vzkit_ub_cache;

/* OpenVZ's defaults for a beancounter nobody configured: no limits. */
static void vzkit_ub_setup(struct vzkit_ub *ub, u32 id)
{
	int i;

	ub->id = id;
	refcount_set(&ub->ref, 1);
	spin_lock_init(&ub->lock);
	INIT_LIST_HEAD(&ub->socks);
	INIT_LIST_HEAD(&ub->sock_slots);
	INIT_LIST_HEAD(&ub->ve_node);
	INIT_HLIST_NODE(&ub->ns_node);
	for (i = 0; i < UB_RESOURCES; i++) {
		ub->parm[i].barrier = UB_MAXVALUE;
		ub->parm[i].limit = UB_MAXVALUE;
	}
	ub->parm[UB_VMGUARPAGES].barrier = 0;
	ub->start_jiffies = jiffies;
	ub->start_ns = ktime_get_ns();
	ub->start_boot_ns = ktime_get_boottime_ns();
}

int vzkit_ub_init(void)
{
	vzkit_ub_cache = KMEM_CACHE(vzkit_ub, 0);
	if (!vzkit_ub_cache)
		return -ENOMEM;
	vzkit_ub_setup(&vzkit_ub0, 0);
	return 0;
}

void vzkit_ub_exit(void)
{
	/* Beancounters are freed after a grace period: wait for the last. */
	rcu_barrier();
	kmem_cache_destroy(vzkit_ub_cache);
}

struct vzkit_ub *vzkit_ub_alloc(u32 id)
{
	struct vzkit_ub *ub = kmem_cache_zalloc(vzkit_ub_cache, GFP_KERNEL);

	if (ub)
		vzkit_ub_setup(ub, id);
	return ub;
}

static void vzkit_ub_free_rcu(struct rcu_head *head)
{
	struct vzkit_ub *ub = container_of(head, struct vzkit_ub, rcu);

	if (ub->pidns)
		put_pid_ns(ub->pidns);
	if (ub->cgrp)
		cgroup_put(ub->cgrp);
	kmem_cache_free(vzkit_ub_cache, ub);
}

/* The last reference may go in atomic context (a probe handler). */
void vzkit_ub_put(struct vzkit_ub *ub)
{
	if (ub != &vzkit_ub0 && refcount_dec_and_test(&ub->ref))
		call_rcu(&ub->rcu, vzkit_ub_free_rcu);
}

static void vzkit_update_maxheld(struct vzkit_parm *p)
{
	if (p->held > p->maxheld)
		p->maxheld = p->held;
}

/*
 * Adds val to held unless that crosses the barrier (HARD) or the limit
 * (SOFT); a refused charge bumps failcnt and returns -ENOMEM.
 */
int vzkit_charge(struct vzkit_ub *ub, int res, unsigned long val, enum vzkit_severity sev)
{
	struct vzkit_parm *p = &ub->parm[res];
	unsigned long flags, held;
	int ret = 0;

	spin_lock_irqsave(&ub->lock, flags);
	held = p->held + val;
	if ((sev == VZKIT_HARD && held > p->barrier) ||
	    (sev == VZKIT_SOFT && held > p->limit)) {
		p->failcnt++;
		ret = -ENOMEM;
	} else {
		p->held = held;
		vzkit_update_maxheld(p);
	}
	spin_unlock_irqrestore(&ub->lock, flags);
	return ret;
}

void vzkit_uncharge(struct vzkit_ub *ub, int res, unsigned long val)
{
	struct vzkit_parm *p = &ub->parm[res];
	unsigned long flags;

	spin_lock_irqsave(&ub->lock, flags);
	p->held = p->held > val ? p->held - val : 0;
	spin_unlock_irqrestore(&ub->lock, flags);
}

/* True when held + extra is above the barrier: the next charge would fail. */
bool vzkit_over_barrier(struct vzkit_ub *ub, int res, unsigned long extra)
{
	return READ_ONCE(ub->parm[res].held) + extra > READ_ONCE(ub->parm[res].barrier);
}

void vzkit_fail(struct vzkit_ub *ub, int res)
{
	unsigned long flags;

	spin_lock_irqsave(&ub->lock, flags);
	ub->parm[res].failcnt++;
	spin_unlock_irqrestore(&ub->lock, flags);
}

/* OpenVZ's setublimit checks: a known resource, values up to LONG_MAX. */
int vzkit_set_limit(struct vzkit_ub *ub, int res, u64 barrier, u64 limit)
{
	unsigned long flags;

	if (res < 0 || res >= UB_RESOURCES || barrier > UB_MAXVALUE ||
	    limit > UB_MAXVALUE || barrier > limit)
		return -EINVAL;
	spin_lock_irqsave(&ub->lock, flags);
	ub->parm[res].barrier = barrier;
	ub->parm[res].limit = limit;
	spin_unlock_irqrestore(&ub->lock, flags);
	return 0;
}

void vzkit_snapshot(struct vzkit_ub *ub, struct vzkit_parm *out)
{
	unsigned long flags;

	spin_lock_irqsave(&ub->lock, flags);
	memcpy(out, ub->parm, sizeof(ub->parm));
	spin_unlock_irqrestore(&ub->lock, flags);
}
