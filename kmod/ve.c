// SPDX-License-Identifier: GPL-2.0
/*
 * The registry of containers: CTID -> beancounter, bound to the pid
 * namespace of the container's init and to its cgroup. Writers hold
 * vzkit_ve_mutex; probe handlers look up by pid namespace under RCU.
 *
 * Every registered container pins the module, so that it cannot be unloaded
 * while a container's objects are charged to it.
 */
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rculist.h>
#include <linux/sched/task.h>

#include "vzkit.h"

DEFINE_MUTEX(vzkit_ve_mutex);
LIST_HEAD(vzkit_ve_list);
atomic_t vzkit_nr_ve = ATOMIC_INIT(0);
static DEFINE_HASHTABLE(vzkit_ns_hash, 8);

static struct vzkit_ub *vzkit_lookup_ns_rcu(struct pid_namespace *ns)
{
	struct vzkit_ub *ub;

	hash_for_each_possible_rcu(vzkit_ns_hash, ub, ns_node, (unsigned long)ns)
		if (ub->pidns == ns)
			return ub;
	return NULL;
}

/* Its own or the nearest registered ancestor's container, under RCU. */
static struct vzkit_ub *vzkit_find_pidns_rcu(struct pid_namespace *ns)
{
	struct vzkit_ub *ub;

	for (; ns && ns->level > 0; ns = ns->parent) {
		ub = vzkit_lookup_ns_rcu(ns);
		if (ub)
			return ub;
	}
	return NULL;
}

/*
 * The container a pid namespace belongs to (its own or the nearest
 * registered ancestor), with a reference; NULL for the host.
 */
struct vzkit_ub *vzkit_ub_of_pidns(struct pid_namespace *ns)
{
	struct vzkit_ub *ub;

	if (!atomic_read(&vzkit_nr_ve))
		return NULL;
	rcu_read_lock();
	ub = vzkit_find_pidns_rcu(ns);
	if (ub && !refcount_inc_not_zero(&ub->ref))
		ub = NULL;
	rcu_read_unlock();
	return ub;
}

/*
 * The current task's container without a reference, for the hooks, which
 * run in an RCU read side (the beancounter is freed after a grace period);
 * vzkit_track() takes one only while the beancounter still has others. A
 * host task costs a load and two tests.
 */
struct vzkit_ub *vzkit_ub_of_current_rcu(void)
{
	struct pid_namespace *ns;

	if (!atomic_read(&vzkit_nr_ve))
		return NULL;
	ns = vzkit_current_pidns();
	if (!ns || !ns->level)
		return NULL;
	return vzkit_find_pidns_rcu(ns);
}

struct vzkit_ub *vzkit_ub_of_task(struct task_struct *task)
{
	return vzkit_ub_of_pidns(task_active_pid_ns(task));
}

/* Whom a /proc reader or an ioctl caller belongs to: NULL is the host. */
struct vzkit_ub *vzkit_reader_ub(void)
{
	return vzkit_ub_of_task(current);
}

bool vzkit_pidns_within(struct pid_namespace *ns, struct pid_namespace *top)
{
	while (ns && ns->level > top->level)
		ns = ns->parent;
	return ns == top;
}

/* Under vzkit_ve_mutex. */
struct vzkit_ub *vzkit_ve_find(u32 veid)
{
	struct vzkit_ub *ub;

	list_for_each_entry(ub, &vzkit_ve_list, ve_node)
		if (ub->id == veid)
			return ub;
	return NULL;
}

/* Init runs as long as its pid namespace still hands out pids. */
bool vzkit_ve_alive(struct vzkit_ub *ub)
{
	return ub->pidns && (READ_ONCE(ub->pidns->pid_allocated) & PIDNS_ADDING);
}

/* Under vzkit_ve_mutex. pinned: the entry holds a module reference. */
static void __vzkit_ve_remove(struct vzkit_ub *ub, bool pinned)
{
	ub->registered = false;
	hash_del_rcu(&ub->ns_node);
	list_del_rcu(&ub->ve_node);
	atomic_dec(&vzkit_nr_ve);
	vzkit_proc_del_ve(ub);
	vzkit_ub_retire(ub);
	if (pinned)
		module_put(THIS_MODULE);
}

static void vzkit_ve_remove(struct vzkit_ub *ub)
{
	__vzkit_ve_remove(ub, true);
}

/* Keeps the list sorted by CTID, the order /proc shows. */
static void vzkit_ve_insert(struct vzkit_ub *ub)
{
	struct vzkit_ub *pos;

	list_for_each_entry(pos, &vzkit_ve_list, ve_node) {
		if (pos->id > ub->id) {
			list_add_tail_rcu(&ub->ve_node, &pos->ve_node);
			goto hashed;
		}
	}
	list_add_tail_rcu(&ub->ve_node, &vzkit_ve_list);
hashed:
	hash_add_rcu(vzkit_ns_hash, &ub->ns_node, (unsigned long)ub->pidns);
	ub->registered = true;
	atomic_inc(&vzkit_nr_ve);
	__module_get(THIS_MODULE);
}

static struct pid_namespace *vzkit_get_pidns_of(pid_t nr)
{
	struct pid_namespace *ns = NULL;
	struct task_struct *task;
	struct pid *pid;

	pid = find_get_pid(nr);
	if (!pid)
		return ERR_PTR(-ESRCH);
	task = get_pid_task(pid, PIDTYPE_PID);
	put_pid(pid);
	if (!task)
		return ERR_PTR(-ESRCH);
	ns = task_active_pid_ns(task);
	if (ns && ns != &init_pid_ns)
		get_pid_ns(ns);
	put_task_struct(task);
	if (!ns || ns == &init_pid_ns)
		return ERR_PTR(-EINVAL);
	return ns;
}

/* Under vzkit_ve_mutex: EEXIST for a live CTID, EBUSY for a bound pidns. */
static int vzkit_ve_check_free(u32 veid, struct pid_namespace *ns)
{
	struct vzkit_ub *old = vzkit_ve_find(veid);

	if (old) {
		if (vzkit_ve_alive(old))
			return -EEXIST;
		/* Its init is gone without an unregister: drop the stale entry. */
		vzkit_ve_remove(old);
	}
	rcu_read_lock();
	old = vzkit_lookup_ns_rcu(ns);
	rcu_read_unlock();
	return old ? -EBUSY : 0;
}

int vzkit_ve_register(u32 veid, pid_t init_pid, int cgroup_fd)
{
	struct pid_namespace *ns;
	struct vzkit_ub *ub;
	struct cgroup *cgrp;
	int err;

	if (veid == 0 || init_pid <= 0)
		return -EINVAL;
	ns = vzkit_get_pidns_of(init_pid);
	if (IS_ERR(ns))
		return PTR_ERR(ns);
	cgrp = cgroup_get_from_fd(cgroup_fd);
	if (IS_ERR(cgrp)) {
		put_pid_ns(ns);
		return PTR_ERR(cgrp);
	}
	ub = vzkit_ub_alloc(veid);
	if (!ub) {
		cgroup_put(cgrp);
		put_pid_ns(ns);
		return -ENOMEM;
	}
	/* From here on the beancounter owns both references. */
	ub->pidns = ns;
	ub->cgrp = cgrp;

	mutex_lock(&vzkit_ve_mutex);
	err = vzkit_ve_check_free(veid, ns);
	if (!err)
		err = vzkit_proc_add_ve(ub);
	if (!err) {
		vzkit_ve_insert(ub);
		vzkit_adopt_tasks(ub);
	}
	mutex_unlock(&vzkit_ve_mutex);
	if (err)
		vzkit_ub_retire(ub);
	return err;
}

int vzkit_ve_unregister(u32 veid)
{
	struct vzkit_ub *ub;
	int err = 0;

	mutex_lock(&vzkit_ve_mutex);
	ub = vzkit_ve_find(veid);
	if (ub)
		vzkit_ve_remove(ub);
	else
		err = -ESRCH;
	mutex_unlock(&vzkit_ve_mutex);
	return err;
}

int vzkit_ve_test(u32 veid)
{
	struct vzkit_ub *ub;
	int err;

	mutex_lock(&vzkit_ve_mutex);
	ub = vzkit_ve_find(veid);
	err = ub && vzkit_ve_alive(ub) ? 0 : -ESRCH;
	mutex_unlock(&vzkit_ve_mutex);
	return err;
}

/* VZCTL_VE_VIEW: ENOENT for no such container, EINVAL for a bad mode. */
int vzkit_ve_set_view(u32 veid, u32 meminfo_mode, u64 meminfo_val, u32 cpus)
{
	struct vzkit_ub *ub;

	if (meminfo_mode > VZKIT_MEMINFO_PRIVVMPAGES ||
	    ((meminfo_mode == VZKIT_MEMINFO_PAGES || meminfo_mode == VZKIT_MEMINFO_PRIVVMPAGES) &&
	     !meminfo_val))
		return -EINVAL;
	mutex_lock(&vzkit_ve_mutex);
	ub = vzkit_ve_find(veid);
	if (ub) {
		WRITE_ONCE(ub->meminfo_mode, meminfo_mode);
		WRITE_ONCE(ub->meminfo_val, meminfo_val);
		WRITE_ONCE(ub->cpus, cpus);
	}
	mutex_unlock(&vzkit_ve_mutex);
	return ub ? 0 : -ENOENT;
}

/* Only reached with no container registered (each pins the module). */
void vzkit_ve_exit(void)
{
	struct vzkit_ub *ub, *tmp;

	mutex_lock(&vzkit_ve_mutex);
	list_for_each_entry_safe(ub, tmp, &vzkit_ve_list, ve_node)
		__vzkit_ve_remove(ub, false);
	mutex_unlock(&vzkit_ve_mutex);
}
