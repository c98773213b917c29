// SPDX-License-Identifier: GPL-2.0
/*
 * Which beancounter pays for a kernel object. Stock kernels have no room
 * for OpenVZ's file->f_ub or sock_bc(sk)->ub, so a hash keyed by the
 * object's address (plus a kind and index) remembers the payer from the
 * charge to the uncharge. Uncharges thereby always reach the beancounter
 * that was charged, even after the container is gone, and an object that
 * was never charged (the host's, or one created before its container was
 * registered) is never uncharged.
 *
 * A free the probes missed leaves a stale entry behind; the next object
 * allocated at that address finds it, and it is settled then.
 */
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <net/sock.h>

#include "vzkit.h"

struct vzkit_key {
	unsigned long addr;
	unsigned long aux;	/* kind << 32 | index */
};

struct vzkit_obj {
	struct rhash_head node;
	struct vzkit_key key;
	struct vzkit_ub *ub;
	int res;
	struct list_head sock_node;	/* on ub->socks, for sockets */
	struct rcu_head rcu;
};

static const struct rhashtable_params vzkit_obj_params = {
	.key_len = sizeof(struct vzkit_key),
	.key_offset = offsetof(struct vzkit_obj, key),
	.head_offset = offsetof(struct vzkit_obj, node),
	.automatic_shrinking = true,
};

static struct rhashtable vzkit_objs;
static struct kmem_cache *vzkit_obj_cache;
static atomic_long_t vzkit_nr_objs = ATOMIC_LONG_INIT(0);

static bool vzkit_is_sock(const struct vzkit_obj *obj)
{
	return (obj->key.aux >> 32) == VZKIT_OBJ_SOCK;
}

static void vzkit_obj_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(vzkit_obj_cache, container_of(head, struct vzkit_obj, rcu));
}

/* The object is out of the hash: free it, uncharging its payer if asked. */
static void vzkit_obj_drop(struct vzkit_obj *obj, bool uncharge)
{
	struct vzkit_ub *ub = obj->ub;
	unsigned long flags;

	if (vzkit_is_sock(obj)) {
		spin_lock_irqsave(&ub->lock, flags);
		list_del(&obj->sock_node);
		spin_unlock_irqrestore(&ub->lock, flags);
	}
	if (uncharge)
		vzkit_uncharge(ub, obj->res, 1);
	vzkit_ub_put(ub);
	atomic_long_dec(&vzkit_nr_objs);
	call_rcu(&obj->rcu, vzkit_obj_free_rcu);
}

static void vzkit_remove_key(const struct vzkit_key *key)
{
	struct vzkit_obj *obj;

	rcu_read_lock();
	obj = rhashtable_lookup(&vzkit_objs, key, vzkit_obj_params);
	if (obj && !rhashtable_remove_fast(&vzkit_objs, &obj->node, vzkit_obj_params))
		vzkit_obj_drop(obj, true);
	rcu_read_unlock();
}

/*
 * Records that ub (already charged one unit of res) pays for the object.
 * The caller holds a reference on ub or is in an RCU read side. On failure
 * the caller still holds that charge and must undo it.
 */
int vzkit_track(const void *addr, unsigned long aux, struct vzkit_ub *ub, int res)
{
	struct vzkit_obj *obj, *old;
	unsigned long flags;
	int tries;

	/* The hooks' ub may be on its way out: not charged then. */
	if (ub != &vzkit_ub0 && !refcount_inc_not_zero(&ub->ref))
		return -ENOENT;
	obj = kmem_cache_alloc(vzkit_obj_cache, GFP_ATOMIC | __GFP_NOWARN);
	if (!obj) {
		vzkit_ub_put(ub);
		return -ENOMEM;
	}
	obj->key.addr = (unsigned long)addr;
	obj->key.aux = aux;
	obj->ub = ub;
	obj->res = res;
	INIT_LIST_HEAD(&obj->sock_node);
	atomic_long_inc(&vzkit_nr_objs);
	if (vzkit_is_sock(obj)) {
		spin_lock_irqsave(&ub->lock, flags);
		list_add(&obj->sock_node, &ub->socks);
		spin_unlock_irqrestore(&ub->lock, flags);
	}
	for (tries = 0; tries < 2; tries++) {
		rcu_read_lock();
		old = rhashtable_lookup_get_insert_fast(&vzkit_objs, &obj->node,
							vzkit_obj_params);
		rcu_read_unlock();
		if (!old)
			return 0;
		if (IS_ERR(old))
			break;
		/* A stale entry for a freed object at the same address. */
		vzkit_remove_key(&obj->key);
	}
	/* Undo everything but the caller's charge. */
	vzkit_obj_drop(obj, false);
	return -ENOMEM;
}

void vzkit_untrack(const void *addr, unsigned long aux)
{
	struct vzkit_key key = { (unsigned long)addr, aux };

	if (atomic_long_read(&vzkit_nr_objs))
		vzkit_remove_key(&key);
}

/* Who pays for an object, with a reference; NULL when nobody does. */
struct vzkit_ub *vzkit_tracked_ub(const void *addr, unsigned long aux, int *res)
{
	struct vzkit_key key = { (unsigned long)addr, aux };
	struct vzkit_ub *ub = NULL;
	struct vzkit_obj *obj;

	if (!atomic_long_read(&vzkit_nr_objs))
		return NULL;
	rcu_read_lock();
	obj = rhashtable_lookup(&vzkit_objs, &key, vzkit_obj_params);
	if (obj && refcount_inc_not_zero(&obj->ub->ref)) {
		ub = obj->ub;
		*res = obj->res;
	}
	rcu_read_unlock();
	return ub;
}

/* Under ub->lock: a listed socket is not freed before it leaves the list. */
void vzkit_sock_usage(struct vzkit_ub *ub, struct vzkit_sock_usage *u)
{
	struct vzkit_obj *obj;
	unsigned long flags;

	memset(u, 0, sizeof(*u));
	spin_lock_irqsave(&ub->lock, flags);
	list_for_each_entry(obj, &ub->socks, sock_node) {
		struct sock *sk = (struct sock *)obj->key.addr;

		if (obj->res == UB_NUMTCPSOCK) {
			u->tcp_snd += max(READ_ONCE(sk->sk_wmem_queued), 0);
			u->tcp_rcv += max(atomic_read(&sk->sk_rmem_alloc), 0);
		} else {
			/* sk_wmem_alloc holds one extra unit while the socket lives. */
			unsigned int wmem = refcount_read(&sk->sk_wmem_alloc);

			u->other_snd += wmem ? wmem - 1 : 0;
			u->other_rcv += max(atomic_read(&sk->sk_rmem_alloc), 0);
		}
	}
	spin_unlock_irqrestore(&ub->lock, flags);
}

long vzkit_tracked_count(void)
{
	return atomic_long_read(&vzkit_nr_objs);
}

int vzkit_track_init(void)
{
	int err;

	vzkit_obj_cache = KMEM_CACHE(vzkit_obj, 0);
	if (!vzkit_obj_cache)
		return -ENOMEM;
	err = rhashtable_init(&vzkit_objs, &vzkit_obj_params);
	if (err)
		kmem_cache_destroy(vzkit_obj_cache);
	return err;
}

static void vzkit_obj_destroy(void *ptr, void *arg)
{
	struct vzkit_obj *obj = ptr;

	/* Probes are gone: nothing else can reach the object any more. */
	if (vzkit_is_sock(obj))
		list_del(&obj->sock_node);
	vzkit_uncharge(obj->ub, obj->res, 1);
	vzkit_ub_put(obj->ub);
	atomic_long_dec(&vzkit_nr_objs);
	kmem_cache_free(vzkit_obj_cache, obj);
}

/* After the probes are unregistered. */
void vzkit_track_exit(void)
{
	rhashtable_free_and_destroy(&vzkit_objs, vzkit_obj_destroy, NULL);
	rcu_barrier();
	kmem_cache_destroy(vzkit_obj_cache);
}
