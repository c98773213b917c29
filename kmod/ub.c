// SPDX-License-Identifier: GPL-2.0
/*
 * The beancounter core: five figures per resource, charged and uncharged
 * with OpenVZ's severities.
 *
 * held, maxheld and failcnt of a charged resource change by cmpxchg, not
 * under the beancounter's lock: a charge checks the barrier against the
 * held it replaces, so refusals are exactly those the lock gave, and the
 * charge of every open() and socket() in a container costs one atomic
 * instead of a lock with interrupts off. maxheld is raised right after
 * held: a snapshot shows the larger of the two. The lock still orders
 * whole-beancounter changes (limits, the refreshed figures, snapshots).
 */
#include <linux/jiffies.h>
#include <linux/percpu-refcount.h>
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
/* Beancounters that may pay for tracked objects (see vzkit_ub_alloc). */
atomic_t vzkit_nr_payers = ATOMIC_INIT(0);

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

/* The last object went after vzkit_ub_retire(): the reference objs held. */
static void vzkit_ub_objs_release(struct percpu_ref *objs)
{
	struct vzkit_ub *ub = container_of(objs, struct vzkit_ub, objs);

	atomic_dec(&vzkit_nr_payers);
	vzkit_ub_put(ub);
}

/*
 * A container's beancounter: one reference for its registration, and one
 * that objs holds. Each tracked object takes a reference on objs (per-CPU
 * counters while the container is registered: no shared atomic per open()
 * or socket()); objs holds its own on the beancounter until its last
 * object is gone after vzkit_ub_retire().
 */
struct vzkit_ub *vzkit_ub_alloc(u32 id)
{
	struct vzkit_ub *ub = kmem_cache_zalloc(vzkit_ub_cache, GFP_KERNEL);

	if (!ub)
		return NULL;
	vzkit_ub_setup(ub, id);
	if (percpu_ref_init(&ub->objs, vzkit_ub_objs_release, 0, GFP_KERNEL)) {
		kmem_cache_free(vzkit_ub_cache, ub);
		return NULL;
	}
	refcount_inc(&ub->ref);
	atomic_inc(&vzkit_nr_payers);
	return ub;
}

/*
 * Drops the registration's reference: no object is charged to ub from now
 * on, and the beancounter goes once the objects it pays for are freed.
 */
void vzkit_ub_retire(struct vzkit_ub *ub)
{
	percpu_ref_kill(&ub->objs);
	vzkit_ub_put(ub);
}

static void vzkit_ub_free_rcu(struct rcu_head *head)
{
	struct vzkit_ub *ub = container_of(head, struct vzkit_ub, rcu);

	percpu_ref_exit(&ub->objs);
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

/* Raises *max to at least val, without a lock. */
static void vzkit_raise(unsigned long *max, unsigned long val)
{
	unsigned long old = READ_ONCE(*max);

	while (old < val && !try_cmpxchg(max, &old, val))
		;
}

/* Adds val to *count, without a lock. */
static void vzkit_add(unsigned long *count, unsigned long val)
{
	unsigned long old = READ_ONCE(*count);

	while (!try_cmpxchg(count, &old, old + val))
		;
}

/*
 * Adds val to held unless that crosses the barrier (HARD) or the limit
 * (SOFT); a refused charge bumps failcnt and returns -ENOMEM.
 */
int vzkit_charge(struct vzkit_ub *ub, int res, unsigned long val, enum vzkit_severity sev)
{
	struct vzkit_parm *p = &ub->parm[res];
	unsigned long old = READ_ONCE(p->held), held, bound = ULONG_MAX;

	if (sev == VZKIT_HARD)
		bound = READ_ONCE(p->barrier);
	else if (sev == VZKIT_SOFT)
		bound = READ_ONCE(p->limit);
	do {
		held = old + val;
		if (held > bound) {
			vzkit_add(&p->failcnt, 1);
			return -ENOMEM;
		}
	} while (!try_cmpxchg(&p->held, &old, held));
	vzkit_raise(&p->maxheld, held);
	return 0;
}

void vzkit_uncharge(struct vzkit_ub *ub, int res, unsigned long val)
{
	struct vzkit_parm *p = &ub->parm[res];
	unsigned long old = READ_ONCE(p->held);

	while (!try_cmpxchg(&p->held, &old, old > val ? old - val : 0))
		;
}

/* True when held + extra is above the barrier: the next charge would fail. */
bool vzkit_over_barrier(struct vzkit_ub *ub, int res, unsigned long extra)
{
	return READ_ONCE(ub->parm[res].held) + extra > READ_ONCE(ub->parm[res].barrier);
}

void vzkit_fail(struct vzkit_ub *ub, int res)
{
	vzkit_add(&ub->parm[res].failcnt, 1);
}

/*
 * A restored container's history (VZCTL_SETBC_HISTORY): the larger
 * maxheld, failcnt added, and added to the base of a failcnt the cgroup
 * counts (stats.c).
 */
void vzkit_add_history(struct vzkit_ub *ub, int res, unsigned long maxheld,
		       unsigned long failcnt)
{
	struct vzkit_parm *p = &ub->parm[res];
	unsigned long flags;

	spin_lock_irqsave(&ub->lock, flags);
	vzkit_raise(&p->maxheld, maxheld);
	vzkit_add(&p->failcnt, failcnt);
	p->failcnt_base += failcnt;
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
	int i;

	spin_lock_irqsave(&ub->lock, flags);
	for (i = 0; i < UB_RESOURCES; i++) {
		const struct vzkit_parm *p = &ub->parm[i];

		/* Charges change these three without the lock. */
		out[i].held = READ_ONCE(p->held);
		out[i].maxheld = max(READ_ONCE(p->maxheld), out[i].held);
		out[i].failcnt = READ_ONCE(p->failcnt);
		out[i].barrier = p->barrier;
		out[i].limit = p->limit;
		out[i].failcnt_base = p->failcnt_base;
	}
	spin_unlock_irqrestore(&ub->lock, flags);
}
