// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/vz/vzquota: OpenVZ's per-container disk quota file, rendered from
 * the kernel's project quota. User space (vzquota) tags a container's
 * private tree with project id = quota id and registers the tree here
 * (VZCTL_QUOTA_REGISTER); each read asks the file system for that
 * project's usage, limits and timers.
 *
 * The registry maps a quota id to a reference on its tree's root (which
 * pins the mount, hence the super block). It is an xarray: register,
 * unregister and unload change it under its lock, and a reader takes its
 * own reference on an entry's path under that lock, then reads the
 * figures without it, so a slow file system never blocks the ioctls.
 *
 * What a reader sees is decided when it opens the file: the host every
 * quota, with the tree's path only for CAP_SYS_ADMIN (as OpenVZ did); a
 * container only its own quota (id = its CTID), never a path; a task of
 * any other pid namespace nothing.
 */
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/path.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/quota.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "vzkit.h"

/* OpenVZ's layout (fs/quota/vzdquota/vzdq_mgmt.c). */
#define VZKIT_QUOTA_HEAD_FMT "%-11s%15s%15s%15s%11s%11s\n"
#define VZKIT_QUOTA_ROW_FMT "%11s%15llu%15llu%15llu%11u%11u\n"

struct vzkit_quota {
	u32 id;
	struct path path;
};

static DEFINE_XARRAY(vzkit_quotas);
static struct proc_dir_entry *vzkit_quota_proc;

/* Whether the file system of sb accounts and enforces project quota. */
static bool vzkit_quota_supported(struct super_block *sb, u32 id)
{
	struct kqid qid = make_kqid_projid(make_kprojid(&init_user_ns, id));
	const unsigned int need = QCI_ACCT_ENABLED | QCI_LIMITS_ENFORCED;
	struct qc_state state;
	bool ok = false;

	if (!sb->s_qcop || !sb->s_qcop->get_dqblk || !sb->s_qcop->get_state ||
	    !(sb->s_quota_types & QTYPE_MASK_PRJ) || !qid_has_mapping(sb->s_user_ns, qid))
		return false;
	memset(&state, 0, sizeof(state));
	down_read(&sb->s_umount);
	if (!sb->s_qcop->get_state(sb, &state))
		ok = (state.s_state[PRJQUOTA].flags & need) == need;
	up_read(&sb->s_umount);
	return ok;
}

int vzkit_quota_register(u32 id, int fd)
{
	struct vzkit_quota *q, *old;
	struct file *file;
	int err;

	if (!id || !projid_valid(make_kprojid(&init_user_ns, id)))
		return -EINVAL;
	file = fget_raw(fd);
	if (!file)
		return -EBADF;
	err = -ENOTDIR;
	if (!d_is_dir(file->f_path.dentry))
		goto out;
	err = -EOPNOTSUPP;
	if (!vzkit_quota_supported(file->f_path.dentry->d_sb, id))
		goto out;
	err = -ENOMEM;
	q = kzalloc(sizeof(*q), GFP_KERNEL);
	if (!q)
		goto out;
	q->id = id;
	q->path = file->f_path;
	path_get(&q->path);
	old = xa_store(&vzkit_quotas, id, q, GFP_KERNEL);
	if (xa_is_err(old)) {
		err = xa_err(old);
		path_put(&q->path);
		kfree(q);
		goto out;
	}
	err = 0;
	if (old) {
		path_put(&old->path);
		kfree(old);
	}
out:
	fput(file);
	return err;
}

int vzkit_quota_unregister(u32 id)
{
	struct vzkit_quota *q = xa_erase(&vzkit_quotas, id);

	if (!q)
		return -ENOENT;
	path_put(&q->path);
	kfree(q);
	return 0;
}

/* One reader of the file: what it may see and the quota it is at. */
struct vzkit_quota_iter {
	u32 first, last;	/* the ids it may see; first > last: none */
	bool show_path;
	bool held;		/* id and path below are a quota, path referenced */
	u32 id;
	struct path path;
};

static void vzkit_quota_iter_release(struct vzkit_quota_iter *it)
{
	if (it->held)
		path_put(&it->path);
	it->held = false;
}

/*
 * Moves the iterator to the first visible quota with an id >= from, taking
 * a reference on its path; false when there is none.
 */
static bool vzkit_quota_iter_seek(struct vzkit_quota_iter *it, u64 from)
{
	unsigned long index = from;
	struct vzkit_quota *q;

	vzkit_quota_iter_release(it);
	if (from < it->first)
		index = it->first;
	if (it->first > it->last || index > it->last)
		return false;
	xa_lock(&vzkit_quotas);
	q = xa_find(&vzkit_quotas, &index, it->last, XA_PRESENT);
	if (q) {
		it->id = q->id;
		it->path = q->path;
		path_get(&it->path);
		it->held = true;
	}
	xa_unlock(&vzkit_quotas);
	return it->held;
}

/*
 * Positions: 0 is the header, id + 1 a quota. Every quota's position is
 * above any earlier one's, so a read that resumes finds its place even if
 * quotas came or went meanwhile.
 */
static void *vzkit_quota_start(struct seq_file *m, loff_t *pos)
{
	struct vzkit_quota_iter *it = m->private;

	if (*pos == 0)
		return SEQ_START_TOKEN;
	if (!vzkit_quota_iter_seek(it, *pos - 1))
		return NULL;
	*pos = (loff_t)it->id + 1;
	return it;
}

static void *vzkit_quota_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct vzkit_quota_iter *it = m->private;
	u64 from = v == SEQ_START_TOKEN ? 0 : (u64)it->id + 1;

	if (!vzkit_quota_iter_seek(it, from)) {
		*pos = (loff_t)U32_MAX + 2;	/* past any quota */
		return NULL;
	}
	*pos = (loff_t)it->id + 1;
	return it;
}

static void vzkit_quota_stop(struct seq_file *m, void *v)
{
	vzkit_quota_iter_release(m->private);
}

/* The project's figures; false if the file system no longer gives them. */
static bool vzkit_quota_figures(struct super_block *sb, u32 id, struct qc_dqblk *dq,
				struct qc_state *state)
{
	struct kqid qid = make_kqid_projid(make_kprojid(&init_user_ns, id));
	int err;

	memset(dq, 0, sizeof(*dq));
	memset(state, 0, sizeof(*state));
	down_read(&sb->s_umount);
	err = sb->s_qcop->get_state(sb, state);
	if (!err)
		err = sb->s_qcop->get_dqblk(sb, qid, dq);
	up_read(&sb->s_umount);
	/* XFS has no record of a project that never used or limited anything. */
	if (err == -ENOENT) {
		memset(dq, 0, sizeof(*dq));
		err = 0;
	}
	return !err;
}

static unsigned int vzkit_quota_timer(s64 timer)
{
	return timer > 0 ? (unsigned int)min_t(s64, timer, U32_MAX) : 0;
}

static int vzkit_quota_show(struct seq_file *m, void *v)
{
	struct vzkit_quota_iter *it = m->private;
	struct qc_type_state *prj;
	struct qc_state state;
	struct qc_dqblk dq;

	if (v == SEQ_START_TOKEN) {
		seq_printf(m, VZKIT_QUOTA_HEAD_FMT, "qid: path", "usage", "softlimit", "hardlimit",
			   "time", "expire");
		return 0;
	}
	seq_printf(m, "%u: ", it->id);
	if (it->show_path)
		seq_path(m, &it->path, " \t\n\\");
	seq_putc(m, '\n');

	if (vzkit_quota_figures(it->path.dentry->d_sb, it->id, &dq, &state)) {
		prj = &state.s_state[PRJQUOTA];
		seq_printf(m, VZKIT_QUOTA_ROW_FMT, "1k-blocks", dq.d_space >> 10,
			   dq.d_spc_softlimit >> 10, dq.d_spc_hardlimit >> 10,
			   vzkit_quota_timer(dq.d_spc_timer), prj->spc_timelimit);
		seq_printf(m, VZKIT_QUOTA_ROW_FMT, "inodes", dq.d_ino_count, dq.d_ino_softlimit,
			   dq.d_ino_hardlimit, vzkit_quota_timer(dq.d_ino_timer),
			   prj->ino_timelimit);
	}
	return 0;
}

static const struct seq_operations vzkit_quota_seq_ops = {
	.start = vzkit_quota_start,
	.next = vzkit_quota_next,
	.stop = vzkit_quota_stop,
	.show = vzkit_quota_show,
};

static int vzkit_quota_open(struct inode *inode, struct file *file)
{
	struct vzkit_quota_iter *it;
	struct vzkit_ub *reader;

	it = __seq_open_private(file, &vzkit_quota_seq_ops, sizeof(*it));
	if (!it)
		return -ENOMEM;
	reader = vzkit_reader_ub();
	if (reader) {
		it->first = it->last = reader->id;
		vzkit_ub_put(reader);
	} else if (task_active_pid_ns(current) == &init_pid_ns) {
		it->first = 1;
		it->last = U32_MAX;
		it->show_path = capable(CAP_SYS_ADMIN);
	} else {
		it->first = 1;
		it->last = 0;
	}
	return 0;
}

static const struct proc_ops vzkit_quota_ops = {
	.proc_open = vzkit_quota_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = seq_release_private,
};

int vzkit_quota_init(void)
{
	vzkit_quota_proc = proc_create("vzquota", 0400, vzkit_proc_vz_dir(), &vzkit_quota_ops);
	return vzkit_quota_proc ? 0 : -ENOMEM;
}

/* After /dev/vzctl is gone: no ioctl can register any more. */
void vzkit_quota_exit(void)
{
	struct vzkit_quota *q;
	unsigned long id;

	/* Waits for the readers; each dropped its references at stop. */
	proc_remove(vzkit_quota_proc);
	vzkit_quota_proc = NULL;
	xa_for_each(&vzkit_quotas, id, q) {
		xa_erase(&vzkit_quotas, id);
		path_put(&q->path);
		kfree(q);
	}
	xa_destroy(&vzkit_quotas);
}
