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
 *
 * Two tables. Files, sockets, locks and tasks go into a fixed
 * open-addressing table first: a slot is claimed and freed with a cmpxchg,
 * with no allocation, bucket lock or RCU callback per object — the charge
 * of every open() and socket() in a container (a socket's slot is also on
 * its payer's list, for the buffer figures). Ptys (indexed) and whatever
 * finds its few slots taken go into a resizable rhashtable of allocated
 * entries.
 *
 * Each tracked object holds a reference on its payer's objs, a per-CPU
 * reference while the container is registered (ub.c), and nothing else is
 * shared between CPUs per object but the slot and the charge's held: no
 * global count of tracked objects; the frees skip the look-up while no
 * beancounter can pay for anything (vzkit_nr_payers).
 */
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/rhashtable.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <net/sock.h>

#include "vzkit.h"

/*
 * A slot of the open table: key is the object's address with a code of its
 * kind and resource in the low bits (the objects are at least 8-byte
 * aligned), 0 when free, and without its top bit (set in every kernel
 * address) while its owner fills it in or empties it. An object hashes by
 * its address to a window of four slots (two cache lines), whose first
 * slot it takes when that is free.
 */
struct vzkit_slot {
	unsigned long key;
	struct vzkit_ub *ub;
	struct list_head sock_node;	/* on ub->sock_slots, for sockets */
};

#define VZKIT_SLOT_CODE_MASK	7UL
#define VZKIT_SLOT_BUSY		BIT(BITS_PER_LONG - 1)
#define VZKIT_WINDOW		4

static struct vzkit_slot *vzkit_slots;
static unsigned long vzkit_slot_mask;	/* slots - 1 */

/* What the open table takes: a code per kind of object and resource. */
static const struct {
	int kind;
	int res;
} vzkit_slot_codes[] = {
	[1] = { VZKIT_OBJ_FILE, UB_NUMFILE },
	[2] = { VZKIT_OBJ_LOCK, UB_NUMFLOCK },
	[3] = { VZKIT_OBJ_TASK, UB_NUMPROC },
	[4] = { VZKIT_OBJ_SOCK, UB_NUMTCPSOCK },
	[5] = { VZKIT_OBJ_SOCK, UB_NUMOTHERSOCK },
};

static unsigned long vzkit_slot_code(unsigned long kind, int res)
{
	unsigned long code;

	for (code = 1; code < ARRAY_SIZE(vzkit_slot_codes); code++)
		if (vzkit_slot_codes[code].kind == kind && vzkit_slot_codes[code].res == res)
			return code;
	return 0;
}

/* Whether an object of that address and aux may be in the open table. */
static bool vzkit_slot_fits(const void *addr, unsigned long aux)
{
	unsigned long a = (unsigned long)addr;

	return !(aux & 0xffffffffUL) && !(a & VZKIT_SLOT_CODE_MASK) && (a & VZKIT_SLOT_BUSY);
}

static struct vzkit_slot *vzkit_window(unsigned long addr)
{
	return &vzkit_slots[hash_long(addr, 32) & vzkit_slot_mask & ~(VZKIT_WINDOW - 1UL)];
}

static bool vzkit_slot_is_sock(unsigned long key)
{
	return vzkit_slot_codes[key & VZKIT_SLOT_CODE_MASK].kind == VZKIT_OBJ_SOCK;
}

/* The slot of the object at addr of that kind, and its key; NULL if none. */
static struct vzkit_slot *vzkit_slot_find(unsigned long addr, unsigned long kind,
					  unsigned long *key)
{
	struct vzkit_slot *w = vzkit_window(addr);
	int i;

	for (i = 0; i < VZKIT_WINDOW; i++) {
		/* Pairs with the release in vzkit_slot_insert: ub is filled in. */
		unsigned long k = smp_load_acquire(&w[i].key);

		if ((k & ~VZKIT_SLOT_CODE_MASK) == addr &&
		    vzkit_slot_codes[k & VZKIT_SLOT_CODE_MASK].kind == kind) {
			*key = k;
			return &w[i];
		}
	}
	return NULL;
}

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

/* Whether any beancounter may pay for a tracked object. */
static bool vzkit_any_payer(void)
{
	return atomic_read(&vzkit_nr_payers);
}

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
	percpu_ref_put(&ub->objs);
	call_rcu(&obj->rcu, vzkit_obj_free_rcu);
}

/*
 * Empties the slot of the object at addr of that kind, if there is one,
 * and uncharges its payer; true when it did. Of two callers racing for one
 * slot, one wins the cmpxchg; the slot is free again only once its socket
 * left the payer's list.
 */
static bool vzkit_slot_remove(unsigned long addr, unsigned long kind)
{
	struct vzkit_slot *slot;
	struct vzkit_ub *ub;
	unsigned long key, flags;

	slot = vzkit_slot_find(addr, kind, &key);
	if (!slot)
		return false;
	ub = READ_ONCE(slot->ub);
	if (!try_cmpxchg(&slot->key, &key, key & ~VZKIT_SLOT_BUSY))
		return false;
	if (vzkit_slot_is_sock(key)) {
		spin_lock_irqsave(&ub->lock, flags);
		list_del(&slot->sock_node);
		spin_unlock_irqrestore(&ub->lock, flags);
	}
	vzkit_uncharge(ub, vzkit_slot_codes[key & VZKIT_SLOT_CODE_MASK].res, 1);
	percpu_ref_put(&ub->objs);
	smp_store_release(&slot->key, 0);	/* after the list: the slot may be taken */
	return true;
}

/* Fills in a slot its caller claimed (key without its top bit) for ub. */
static void vzkit_slot_fill(struct vzkit_slot *slot, unsigned long key, struct vzkit_ub *ub)
{
	unsigned long flags;

	slot->ub = ub;
	/* Whoever finds the key finds ub (vzkit_slot_find's acquire). */
	smp_store_release(&slot->key, key);
	if (vzkit_slot_is_sock(key)) {
		spin_lock_irqsave(&ub->lock, flags);
		list_add(&slot->sock_node, &ub->sock_slots);
		spin_unlock_irqrestore(&ub->lock, flags);
	}
}

/*
 * Takes a free slot of the window of addr for ub; false when all are taken.
 * The first slot of the window, when free, is taken at once: a stale entry
 * for a freed object at the same address (a free the hooks missed, rare)
 * is then settled by a later insert that finds that slot taken, and the
 * look-up at the free finds the new entry first. Otherwise the window is
 * scanned, a stale entry settled, and the first free slot taken.
 */
static bool vzkit_slot_insert(unsigned long addr, unsigned long code, struct vzkit_ub *ub)
{
	struct vzkit_slot *w = vzkit_window(addr);
	unsigned long key = addr | code, free = 0;
	int i, kind = vzkit_slot_codes[code].kind;

	if (!READ_ONCE(w[0].key) && try_cmpxchg(&w[0].key, &free, key & ~VZKIT_SLOT_BUSY)) {
		vzkit_slot_fill(&w[0], key, ub);
		return true;
	}
	for (i = 0; i < VZKIT_WINDOW; i++) {
		unsigned long k = READ_ONCE(w[i].key);

		if ((k & ~VZKIT_SLOT_CODE_MASK) == addr &&
		    vzkit_slot_codes[k & VZKIT_SLOT_CODE_MASK].kind == kind) {
			vzkit_slot_remove(addr, kind);
			break;
		}
	}
	for (i = 0; i < VZKIT_WINDOW; i++) {
		free = 0;
		if (READ_ONCE(w[i].key) ||
		    !try_cmpxchg(&w[i].key, &free, key & ~VZKIT_SLOT_BUSY))
			continue;
		vzkit_slot_fill(&w[i], key, ub);
		return true;
	}
	return false;
}

static void vzkit_remove_key(const struct vzkit_key *key)
{
	struct vzkit_obj *obj;

	/* The host's frees mostly end here while no pty is open. */
	if (!atomic_read(&vzkit_objs.nelems))
		return;
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
	unsigned long flags, code;
	int tries;

	/*
	 * The host pays for nothing tracked, and the hooks' ub may be on its
	 * way out (unregistered): not charged then.
	 */
	if (ub == &vzkit_ub0 || !percpu_ref_tryget_live(&ub->objs))
		return -ENOENT;
	code = vzkit_slot_fits(addr, aux) ? vzkit_slot_code(aux >> 32, res) : 0;
	if (code && vzkit_slot_insert((unsigned long)addr, code, ub))
		return 0;
	obj = kmem_cache_alloc(vzkit_obj_cache, GFP_ATOMIC | __GFP_NOWARN);
	if (!obj) {
		percpu_ref_put(&ub->objs);
		return -ENOMEM;
	}
	obj->key.addr = (unsigned long)addr;
	obj->key.aux = aux;
	obj->ub = ub;
	obj->res = res;
	INIT_LIST_HEAD(&obj->sock_node);
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

	if (!vzkit_any_payer())
		return;
	if (vzkit_slot_fits(addr, aux) && vzkit_slot_remove(key.addr, aux >> 32))
		return;
	vzkit_remove_key(&key);
}

/* Who pays for an object, with a reference; NULL when nobody does. */
struct vzkit_ub *vzkit_tracked_ub(const void *addr, unsigned long aux, int *res)
{
	struct vzkit_key key = { (unsigned long)addr, aux };
	struct vzkit_slot *slot = NULL;
	struct vzkit_ub *ub = NULL;
	struct vzkit_obj *obj;
	unsigned long k;

	if (!vzkit_any_payer())
		return NULL;
	rcu_read_lock();
	if (vzkit_slot_fits(addr, aux))
		slot = vzkit_slot_find(key.addr, aux >> 32, &k);
	if (slot) {
		/*
		 * A beancounter is freed a grace period after its last
		 * reference; the key read again tells whether the slot still
		 * held this object when the reference was taken.
		 */
		ub = READ_ONCE(slot->ub);
		if (!refcount_inc_not_zero(&ub->ref)) {
			ub = NULL;
		} else {
			/* ub was read before the key is read again. */
			smp_rmb();
			if (READ_ONCE(slot->key) == k) {
				*res = vzkit_slot_codes[k & VZKIT_SLOT_CODE_MASK].res;
			} else {
				vzkit_ub_put(ub);
				ub = NULL;
			}
		}
		rcu_read_unlock();
		return ub;
	}
	obj = rhashtable_lookup(&vzkit_objs, &key, vzkit_obj_params);
	if (obj && refcount_inc_not_zero(&obj->ub->ref)) {
		ub = obj->ub;
		*res = obj->res;
	}
	rcu_read_unlock();
	return ub;
}

static void vzkit_add_sock(struct vzkit_sock_usage *u, const struct sock *sk, int res)
{
	if (res == UB_NUMTCPSOCK) {
		u->tcp_snd += max(READ_ONCE(sk->sk_wmem_queued), 0);
		u->tcp_rcv += max(atomic_read(&sk->sk_rmem_alloc), 0);
	} else {
		/* sk_wmem_alloc holds one extra unit while the socket lives. */
		unsigned int wmem = refcount_read(&sk->sk_wmem_alloc);

		u->other_snd += wmem ? wmem - 1 : 0;
		u->other_rcv += max(atomic_read(&sk->sk_rmem_alloc), 0);
	}
}

/* Under ub->lock: a listed socket is not freed before it leaves the list. */
void vzkit_sock_usage(struct vzkit_ub *ub, struct vzkit_sock_usage *u)
{
	struct vzkit_slot *slot;
	struct vzkit_obj *obj;
	unsigned long flags;

	memset(u, 0, sizeof(*u));
	spin_lock_irqsave(&ub->lock, flags);
	list_for_each_entry(obj, &ub->socks, sock_node)
		vzkit_add_sock(u, (struct sock *)obj->key.addr, obj->res);
	list_for_each_entry(slot, &ub->sock_slots, sock_node) {
		/* Being emptied, the key lacks its top bit until it leaves the list. */
		unsigned long key = READ_ONCE(slot->key) | VZKIT_SLOT_BUSY;

		vzkit_add_sock(u, (struct sock *)(key & ~VZKIT_SLOT_CODE_MASK),
			       vzkit_slot_codes[key & VZKIT_SLOT_CODE_MASK].res);
	}
	spin_unlock_irqrestore(&ub->lock, flags);
}

/*
 * A slot per 8 pages of RAM (32 bytes each: 0.1 % of it), between 16 Ki and
 * 512 Ki slots; whatever does not fit goes to the rhashtable.
 */
static unsigned long vzkit_nr_slots(void)
{
	return roundup_pow_of_two(clamp(totalram_pages() / 8, 1UL << 14, 1UL << 19));
}

int vzkit_track_init(void)
{
	unsigned long n = vzkit_nr_slots();
	int err;

	vzkit_slots = vzalloc(array_size(n, sizeof(*vzkit_slots)));
	if (!vzkit_slots)
		return -ENOMEM;
	vzkit_slot_mask = n - 1;
	vzkit_obj_cache = KMEM_CACHE(vzkit_obj, 0);
	if (!vzkit_obj_cache) {
		err = -ENOMEM;
		goto free_slots;
	}
	err = rhashtable_init(&vzkit_objs, &vzkit_obj_params);
	if (!err)
		return 0;
	kmem_cache_destroy(vzkit_obj_cache);
free_slots:
	vfree(vzkit_slots);
	return err;
}

static void vzkit_obj_destroy(void *ptr, void *arg)
{
	struct vzkit_obj *obj = ptr;

	/* Probes are gone: nothing else can reach the object any more. */
	if (vzkit_is_sock(obj))
		list_del(&obj->sock_node);
	vzkit_uncharge(obj->ub, obj->res, 1);
	percpu_ref_put(&obj->ub->objs);
	kmem_cache_free(vzkit_obj_cache, obj);
}

/* After the probes are unregistered. */
void vzkit_track_exit(void)
{
	unsigned long i;

	for (i = 0; i <= vzkit_slot_mask; i++) {
		unsigned long key = vzkit_slots[i].key;

		if (key)
			vzkit_slot_remove(key & ~VZKIT_SLOT_CODE_MASK,
					  vzkit_slot_codes[key & VZKIT_SLOT_CODE_MASK].kind);
	}
	vfree(vzkit_slots);
	rhashtable_free_and_destroy(&vzkit_objs, vzkit_obj_destroy, NULL);
	rcu_barrier();
	kmem_cache_destroy(vzkit_obj_cache);
}
