// SPDX-License-Identifier: GPL-2.0
/*
 * Figures that are read from the kernel rather than charged by vzkit:
 * memory from the container's memory cgroup (what the cgroup enforces),
 * tasks from its pid namespace, address space and pending signals from a
 * walk over its processes, socket buffers from its tracked sockets.
 * Refreshed whenever a beancounter is read.
 */
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <net/sock.h>

#include "compat.h"
#include "vzkit.h"

/* Held figures computed here, and which of them a refresh provides. */
struct vzkit_figures {
	unsigned long held[UB_RESOURCES];
	unsigned long maxheld[UB_RESOURCES];	/* 0: track the largest held */
	unsigned long failcnt[UB_RESOURCES];	/* used where has_failcnt */
	DECLARE_BITMAP(has_held, UB_RESOURCES);
	DECLARE_BITMAP(has_failcnt, UB_RESOURCES);
};

static void vzkit_set(struct vzkit_figures *f, int res, unsigned long held)
{
	f->held[res] = held;
	__set_bit(res, f->has_held);
}

static void vzkit_set_failcnt(struct vzkit_figures *f, int res, unsigned long failcnt)
{
	f->failcnt[res] = failcnt;
	__set_bit(res, f->has_failcnt);
}

static unsigned long vzkit_pidns_tasks(struct pid_namespace *ns)
{
	return READ_ONCE(ns->pid_allocated) & ~PIDNS_ADDING;
}

/* ---- memory cgroup ---------------------------------------------------- */

static void vzkit_memcg_counters(struct mem_cgroup *memcg, struct vzkit_figures *f)
{
	bool dfl = cgroup_subsys_on_dfl(memory_cgrp_subsys);
	unsigned long mem = page_counter_read(&memcg->memory);

	vzkit_set(f, UB_PHYSPAGES, mem);
	f->maxheld[UB_PHYSPAGES] = READ_ONCE(memcg->memory.watermark);
	if (dfl) {
		vzkit_set_failcnt(f, UB_PHYSPAGES,
				  atomic_long_read(&memcg->memory_events[MEMCG_MAX]));
		vzkit_set(f, UB_SWAPPAGES, page_counter_read(&memcg->swap));
		f->maxheld[UB_SWAPPAGES] = READ_ONCE(memcg->swap.watermark);
		vzkit_set_failcnt(f, UB_SWAPPAGES,
				  atomic_long_read(&memcg->memory_events[MEMCG_SWAP_MAX]));
	} else {
		unsigned long memsw = page_counter_read(&memcg->memsw);

		vzkit_set_failcnt(f, UB_PHYSPAGES, READ_ONCE(memcg->memory.failcnt));
		vzkit_set(f, UB_SWAPPAGES, memsw > mem ? memsw - mem : 0);
		vzkit_set_failcnt(f, UB_SWAPPAGES, READ_ONCE(memcg->memsw.failcnt));
	}
	vzkit_set_failcnt(f, UB_OOMGUARPAGES,
			  atomic_long_read(&memcg->memory_events[MEMCG_OOM_KILL]));
}

/*
 * Kernel memory as the cgroup accounts it (slab, stacks, page tables), not
 * OpenVZ's object set; dcachesize is its reclaimable slab share.
 */
static void vzkit_memcg_stats(struct mem_cgroup *memcg, struct vzkit_figures *f)
{
	unsigned long slab_r = 0, slab_u = 0, stack_kb = 0, ptes = 0;
	unsigned long shmem = 0, anon = 0, unevictable = 0;
	int nid;

	for_each_node_state(nid, N_MEMORY) {
		slab_r += vzkit_memcg_node_stat(memcg, nid, NR_SLAB_RECLAIMABLE_B);
		slab_u += vzkit_memcg_node_stat(memcg, nid, NR_SLAB_UNRECLAIMABLE_B);
		stack_kb += vzkit_memcg_node_stat(memcg, nid, NR_KERNEL_STACK_KB);
		ptes += vzkit_memcg_node_stat(memcg, nid, NR_PAGETABLE);
		shmem += vzkit_memcg_node_stat(memcg, nid, NR_SHMEM);
		anon += vzkit_memcg_node_stat(memcg, nid, NR_ANON_MAPPED);
		unevictable += vzkit_memcg_node_stat(memcg, nid, NR_UNEVICTABLE);
	}
	vzkit_set(f, UB_KMEMSIZE, slab_r + slab_u + stack_kb * 1024 + ptes * PAGE_SIZE);
	vzkit_set(f, UB_DCACHESIZE, slab_r);
	vzkit_set(f, UB_SHMPAGES, shmem);
	vzkit_set(f, UB_OOMGUARPAGES, anon + unevictable + f->held[UB_SWAPPAGES]);
}

static void vzkit_memcg_figures(struct cgroup *cgrp, struct vzkit_figures *f)
{
	struct cgroup_subsys_state *css;

	rcu_read_lock();
	css = rcu_dereference(cgrp->subsys[memory_cgrp_id]);
	if (css && css_tryget(css)) {
		rcu_read_unlock();
		vzkit_memcg_counters(mem_cgroup_from_css(css), f);
		vzkit_memcg_stats(mem_cgroup_from_css(css), f);
		css_put(css);
		return;
	}
	rcu_read_unlock();
}

/* ---- processes -------------------------------------------------------- */

static unsigned long vzkit_list_len(struct list_head *head)
{
	unsigned long n = 0;
	struct list_head *pos;

	list_for_each(pos, head)
		n++;
	return n;
}

/* Queued siginfos of a process, under its siglock (lock_task_sighand). */
static unsigned long vzkit_pending_signals(struct task_struct *p)
{
	struct sighand_struct *sighand;
	struct task_struct *t;
	unsigned long flags, n = 0;

	sighand = rcu_dereference(p->sighand);
	if (!sighand)
		return 0;
	spin_lock_irqsave(&sighand->siglock, flags);
	if (sighand == rcu_access_pointer(p->sighand)) {
		n = vzkit_list_len(&p->signal->shared_pending.list);
		for_each_thread(p, t)
			n += vzkit_list_len(&t->pending.list);
	}
	spin_unlock_irqrestore(&sighand->siglock, flags);
	return n;
}

/*
 * privvmpages: private writable mappings (data + stack), lockedpages:
 * mlock()ed pages, numsiginfo: queued signals, over the processes whose
 * pid namespace lies within the container's. Each of them has a pid in the
 * container's namespace, whose pids are walked (as /proc lists them), so
 * that one container's figures cost its processes, not the host's.
 */
static void vzkit_task_figures(struct pid_namespace *ns, struct vzkit_figures *f)
{
	unsigned long priv = 0, locked = 0, sigs = 0;
	struct task_struct *p;
	struct mm_struct *mm;
	struct pid *pid;
	int nr = 1;

	rcu_read_lock();
	for (; (pid = find_ge_pid(nr, ns)); nr = pid_nr_ns(pid, ns) + 1) {
		p = pid_task(pid, PIDTYPE_TGID);
		if (!p)
			continue;
		task_lock(p);
		mm = p->mm;
		if (mm && !(p->flags & PF_KTHREAD)) {
			priv += READ_ONCE(mm->data_vm) + READ_ONCE(mm->stack_vm);
			locked += READ_ONCE(mm->locked_vm);
		}
		task_unlock(p);
		sigs += vzkit_pending_signals(p);
	}
	rcu_read_unlock();
	vzkit_set(f, UB_PRIVVMPAGES, priv);
	vzkit_set(f, UB_LOCKEDPAGES, locked);
	vzkit_set(f, UB_NUMSIGINFO, sigs);
}

static void vzkit_sock_figures(struct vzkit_ub *ub, struct vzkit_figures *f)
{
	struct vzkit_sock_usage u;

	vzkit_sock_usage(ub, &u);
	vzkit_set(f, UB_TCPSNDBUF, u.tcp_snd);
	vzkit_set(f, UB_TCPRCVBUF, u.tcp_rcv);
	vzkit_set(f, UB_OTHERSOCKBUF, u.other_snd);
	vzkit_set(f, UB_DGRAMRCVBUF, u.other_rcv);
}

/* ---- host ------------------------------------------------------------- */

static void vzkit_host_figures(struct vzkit_figures *f)
{
	struct sysinfo si;

	si_meminfo(&si);
	vzkit_set(f, UB_NUMPROC, vzkit_pidns_tasks(&init_pid_ns));
	vzkit_set(f, UB_PHYSPAGES, si.totalram - si.freeram);
}

/* ---- refresh ---------------------------------------------------------- */

static void vzkit_apply(struct vzkit_ub *ub, const struct vzkit_figures *f)
{
	unsigned long flags;
	int res;

	spin_lock_irqsave(&ub->lock, flags);
	for_each_set_bit(res, f->has_held, UB_RESOURCES) {
		struct vzkit_parm *p = &ub->parm[res];

		p->held = f->held[res];
		p->maxheld = max3(p->maxheld, p->held, f->maxheld[res]);
	}
	for_each_set_bit(res, f->has_failcnt, UB_RESOURCES)
		ub->parm[res].failcnt = ub->parm[res].failcnt_base + f->failcnt[res];
	spin_unlock_irqrestore(&ub->lock, flags);
}

void vzkit_ub_refresh(struct vzkit_ub *ub)
{
	struct vzkit_figures *f = kzalloc(sizeof(*f), GFP_KERNEL);

	if (!f)
		return;
	if (ub == &vzkit_ub0) {
		vzkit_host_figures(f);
	} else {
		vzkit_memcg_figures(ub->cgrp, f);
		vzkit_task_figures(ub->pidns, f);
		vzkit_sock_figures(ub, f);
	}
	vzkit_apply(ub, f);
	kfree(f);
}

/*
 * At registration the container's init (and anything it started) already
 * exists: charge those tasks as if their forks had been seen. Nothing in
 * the namespace forks meanwhile, its init waits for vzctl.
 */
void vzkit_adopt_tasks(struct vzkit_ub *ub)
{
	struct task_struct *p, *t;

	rcu_read_lock();
	for_each_process_thread(p, t) {
		if (!vzkit_pidns_within(task_active_pid_ns(t), ub->pidns))
			continue;
		vzkit_charge(ub, UB_NUMPROC, 1, VZKIT_FORCE);
		if (vzkit_track(t, VZKIT_AUX(VZKIT_OBJ_TASK, 0), ub, UB_NUMPROC))
			vzkit_uncharge(ub, UB_NUMPROC, 1);
	}
	rcu_read_unlock();
}
