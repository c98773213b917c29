// SPDX-License-Identifier: GPL-2.0
/*
 * Second-level quota administered from inside: container root's setquota,
 * repquota -a and edquota on its container's own file system, as OpenVZ's
 * kernel allowed them (its CAP_VE_SYS_ADMIN). A stock kernel gives
 * Q_SETQUOTA, Q_SETINFO, Q_GETNEXTQUOTA and Q_GETQUOTA of another id only to
 * CAP_SYS_ADMIN, which container root does not hold and must not.
 *
 * quotactl(2) and quotactl_fd(2) are redirected for the tasks of containers
 * (redirect.c), and vzkit performs those four commands itself, in the
 * caller's own context, through the file system's quotactl_ops, when all
 * of these hold:
 *  - the host named the container's file system (VZCTL_VE_UGID_QUOTA: vzctl
 *    does it for an lvm container with QUOTAUGIDLIMIT > 0, whose volume is
 *    its alone);
 *  - the type is user or group quota, never project quota (the container's
 *    disk quota is the host's);
 *  - the caller is container root: effective uid 0 and CAP_CHOWN (held by
 *    default, and already enough to charge any file to any uid or gid) in
 *    the initial user namespace, whose ids are the container's (vzkit
 *    containers have no user namespace of their own);
 *  - quotactl(2): special names that file system's device (lookup_bdev,
 *    resolved once, in the caller's own root and mount namespace) and the
 *    caller's root is on it: the super block operated on is the one of the
 *    caller's root, so no name, node or link can reach another;
 *    quotactl_fd(2): the descriptor is open on that file system.
 * Everything else is the kernel's own syscall, unchanged: the commands
 * anybody may use (Q_GETINFO, Q_GETFMT, Q_SYNC, one's own Q_GETQUOTA), and
 * for container root EPERM for the rest, quota on and off among them
 * (vzkit owns enforcement). docs/storage.md, docs/security.md.
 */
#include <linux/blkdev.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/mount.h>
#include <linux/path.h>
#include <linux/quota.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "compat.h"
#include "vzkit.h"

typedef int (*vzkit_qop_t)(struct super_block *sb, int type, qid_t id, void __user *addr);

/* ---- the commands, as fs/quota/quota.c converts them -------------------- */

static qsize_t vzkit_qbtos(qsize_t blocks)
{
	return blocks << QIF_DQBLKSIZE_BITS;
}

static qsize_t vzkit_stoqb(qsize_t space)
{
	return (space + QIF_DQBLKSIZE - 1) >> QIF_DQBLKSIZE_BITS;
}

static void vzkit_to_if_dqblk(struct if_dqblk *dst, const struct qc_dqblk *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->dqb_bhardlimit = vzkit_stoqb(src->d_spc_hardlimit);
	dst->dqb_bsoftlimit = vzkit_stoqb(src->d_spc_softlimit);
	dst->dqb_curspace = src->d_space;
	dst->dqb_ihardlimit = src->d_ino_hardlimit;
	dst->dqb_isoftlimit = src->d_ino_softlimit;
	dst->dqb_curinodes = src->d_ino_count;
	dst->dqb_btime = src->d_spc_timer;
	dst->dqb_itime = src->d_ino_timer;
	dst->dqb_valid = QIF_ALL;
}

/* Which qc_dqblk fields each QIF_* validity bit of if_dqblk sets. */
static const struct {
	u32 qif;
	int qc;
} vzkit_qif_fields[] = {
	{ QIF_BLIMITS, QC_SPC_SOFT | QC_SPC_HARD },
	{ QIF_SPACE, QC_SPACE },
	{ QIF_ILIMITS, QC_INO_SOFT | QC_INO_HARD },
	{ QIF_INODES, QC_INO_COUNT },
	{ QIF_BTIME, QC_SPC_TIMER },
	{ QIF_ITIME, QC_INO_TIMER },
};

static void vzkit_from_if_dqblk(struct qc_dqblk *dst, const struct if_dqblk *src)
{
	int i;

	memset(dst, 0, sizeof(*dst));
	dst->d_spc_hardlimit = vzkit_qbtos(src->dqb_bhardlimit);
	dst->d_spc_softlimit = vzkit_qbtos(src->dqb_bsoftlimit);
	dst->d_space = src->dqb_curspace;
	dst->d_ino_hardlimit = src->dqb_ihardlimit;
	dst->d_ino_softlimit = src->dqb_isoftlimit;
	dst->d_ino_count = src->dqb_curinodes;
	dst->d_spc_timer = src->dqb_btime;
	dst->d_ino_timer = src->dqb_itime;
	for (i = 0; i < ARRAY_SIZE(vzkit_qif_fields); i++)
		if (src->dqb_valid & vzkit_qif_fields[i].qif)
			dst->d_fieldmask |= vzkit_qif_fields[i].qc;
}

/* The id as the file system knows it: the caller's ids are the host's. */
static bool vzkit_qid(struct super_block *sb, int type, qid_t id, struct kqid *qid)
{
	*qid = make_kqid(&init_user_ns, type, id);
	return qid_valid(*qid) && qid_has_mapping(sb->s_user_ns, *qid);
}

static int vzkit_q_getquota(struct super_block *sb, int type, qid_t id, void __user *addr)
{
	struct qc_dqblk fdq;
	struct if_dqblk idq;
	struct kqid qid;
	int err;

	if (!vzkit_qid(sb, type, id, &qid))
		return -EINVAL;
	memset(&fdq, 0, sizeof(fdq));
	err = sb->s_qcop->get_dqblk(sb, qid, &fdq);
	if (err)
		return err;
	vzkit_to_if_dqblk(&idq, &fdq);
	return copy_to_user(addr, &idq, sizeof(idq)) ? -EFAULT : 0;
}

static int vzkit_q_getnextquota(struct super_block *sb, int type, qid_t id, void __user *addr)
{
	struct if_nextdqblk idq;
	struct if_dqblk dq;
	struct qc_dqblk fdq;
	struct kqid qid;
	int err;

	if (!vzkit_qid(sb, type, id, &qid))
		return -EINVAL;
	memset(&fdq, 0, sizeof(fdq));
	err = sb->s_qcop->get_nextdqblk(sb, &qid, &fdq);
	if (err)
		return err;
	vzkit_to_if_dqblk(&dq, &fdq);
	memset(&idq, 0, sizeof(idq));
	idq.dqb_bhardlimit = dq.dqb_bhardlimit;
	idq.dqb_bsoftlimit = dq.dqb_bsoftlimit;
	idq.dqb_curspace = dq.dqb_curspace;
	idq.dqb_ihardlimit = dq.dqb_ihardlimit;
	idq.dqb_isoftlimit = dq.dqb_isoftlimit;
	idq.dqb_curinodes = dq.dqb_curinodes;
	idq.dqb_btime = dq.dqb_btime;
	idq.dqb_itime = dq.dqb_itime;
	idq.dqb_valid = dq.dqb_valid;
	idq.dqb_id = from_kqid(&init_user_ns, qid);
	return copy_to_user(addr, &idq, sizeof(idq)) ? -EFAULT : 0;
}

static int vzkit_q_setquota(struct super_block *sb, int type, qid_t id, void __user *addr)
{
	struct qc_dqblk fdq;
	struct if_dqblk idq;
	struct kqid qid;

	if (copy_from_user(&idq, addr, sizeof(idq)))
		return -EFAULT;
	if (!vzkit_qid(sb, type, id, &qid))
		return -EINVAL;
	vzkit_from_if_dqblk(&fdq, &idq);
	return sb->s_qcop->set_dqblk(sb, qid, &fdq);
}

static int vzkit_q_setinfo(struct super_block *sb, int type, qid_t id, void __user *addr)
{
	struct if_dqinfo info;
	struct qc_info qinfo;

	if (copy_from_user(&info, addr, sizeof(info)))
		return -EFAULT;
	if (info.dqi_valid & ~(IIF_FLAGS | IIF_BGRACE | IIF_IGRACE))
		return -EINVAL;
	memset(&qinfo, 0, sizeof(qinfo));
	if (info.dqi_valid & IIF_FLAGS) {
		if (info.dqi_flags & ~DQF_SETINFO_MASK)
			return -EINVAL;
		if (info.dqi_flags & DQF_ROOT_SQUASH)
			qinfo.i_flags |= QCI_ROOT_SQUASH;
		qinfo.i_fieldmask |= QC_FLAGS;
	}
	if (info.dqi_valid & IIF_BGRACE) {
		qinfo.i_spc_timelimit = info.dqi_bgrace;
		qinfo.i_fieldmask |= QC_SPC_TIMER;
	}
	if (info.dqi_valid & IIF_IGRACE) {
		qinfo.i_ino_timelimit = info.dqi_igrace;
		qinfo.i_fieldmask |= QC_INO_TIMER;
	}
	return sb->s_qcop->set_info(sb, type, &qinfo);
}

/*
 * The commands container root may use on its file system, each with the
 * quotactl_ops member it needs; the rest are the kernel's.
 */
struct vzkit_qcmd {
	unsigned int cmd;
	vzkit_qop_t op;
	size_t needs;		/* offset in struct quotactl_ops */
};

static const struct vzkit_qcmd vzkit_qcmds[] = {
	{ Q_GETQUOTA, vzkit_q_getquota, offsetof(struct quotactl_ops, get_dqblk) },
	{ Q_GETNEXTQUOTA, vzkit_q_getnextquota, offsetof(struct quotactl_ops, get_nextdqblk) },
	{ Q_SETQUOTA, vzkit_q_setquota, offsetof(struct quotactl_ops, set_dqblk) },
	{ Q_SETINFO, vzkit_q_setinfo, offsetof(struct quotactl_ops, set_info) },
};

/* The command of a quotactl command word (command and type), or NULL. */
static const struct vzkit_qcmd *vzkit_qcmd(unsigned int cmd)
{
	unsigned int type = cmd & SUBCMDMASK;
	int i;

	if (type != USRQUOTA && type != GRPQUOTA)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(vzkit_qcmds); i++)
		if (vzkit_qcmds[i].cmd == cmd >> SUBCMDSHIFT)
			return &vzkit_qcmds[i];
	return NULL;
}

/* ---- who, on what ------------------------------------------------------- */

static bool vzkit_q_container_root(void)
{
	return current_user_ns() == &init_user_ns && uid_eq(current_euid(), GLOBAL_ROOT_UID) &&
	       ns_capable_noaudit(&init_user_ns, CAP_CHOWN);
}

/*
 * Whether mnt is on the container's file system (device ct_dev, not 0) and
 * that file system has the type's quota and the operation c needs: one
 * without them is the kernel's to refuse.
 */
static bool vzkit_q_on_ct_fs(struct vfsmount *mnt, dev_t ct_dev, const struct vzkit_qcmd *c,
			     unsigned int cmd)
{
	struct super_block *sb = mnt->mnt_sb;

	if (!sb->s_bdev || sb->s_dev != ct_dev || !sb->s_qcop ||
	    !(sb->s_quota_types & (1 << (cmd & SUBCMDMASK))))
		return false;
	return *(void *const *)((const char *)sb->s_qcop + c->needs) != NULL;
}

/*
 * Runs op on the file system of mnt (which the caller holds): as
 * quotactl_fd(2) does, with write access to the mount (every command here
 * may write a quota structure, and waits out a freeze) and s_umount held.
 */
static long vzkit_q_perform(struct vfsmount *mnt, vzkit_qop_t op, unsigned int cmd, qid_t id,
			    void __user *addr)
{
	struct super_block *sb = mnt->mnt_sb;
	int type = cmd & SUBCMDMASK;
	long err;

	err = mnt_want_write(mnt);
	if (err)
		return err;
	down_read(&sb->s_umount);
	err = sb->s_root ? op(sb, type, id, addr) : -ENODEV;
	up_read(&sb->s_umount);
	mnt_drop_write(mnt);
	return err;
}

/* The device of the caller's container's file system if it may administer it, else 0. */
static dev_t vzkit_q_ct_dev(struct vzkit_ub *ub)
{
	dev_t dev = READ_ONCE(ub->ugid_quota_dev);

	return dev && vzkit_q_container_root() ? dev : 0;
}

/* ---- the syscalls -------------------------------------------------------- */

enum vzkit_quotactl_fn {
	VZKIT_QFN_QUOTACTL,
	VZKIT_QFN_QUOTACTL_FD,
	VZKIT_QFN_COUNT,
};

static struct vzkit_redirect vzkit_qredirects[VZKIT_QFN_COUNT];

static long vzkit_q_orig(enum vzkit_quotactl_fn fn, const struct pt_regs *regs)
{
	long (*orig)(const struct pt_regs *regs) = (void *)vzkit_qredirects[fn].orig;

	return orig(regs);
}

/*
 * Each of these performs the call and returns true, or returns false when
 * the call is not one vzkit answers (the kernel's own syscall then does).
 */
static bool vzkit_q_quotactl(struct vzkit_ub *ub, const struct pt_regs *regs, long *ret)
{
	unsigned int cmd = vzkit_syscall_arg(regs, 0);
	const char __user *special = (const char __user *)vzkit_syscall_arg(regs, 1);
	qid_t id = vzkit_syscall_arg(regs, 2);
	void __user *addr = (void __user *)vzkit_syscall_arg(regs, 3);
	const struct vzkit_qcmd *c = vzkit_qcmd(cmd);
	dev_t ct_dev, dev;
	struct path root;
	long err;
	char *name;
	bool ours;

	if (!c || !special)
		return false;
	ct_dev = vzkit_q_ct_dev(ub);
	if (!ct_dev)
		return false;
	name = strndup_user(special, PATH_MAX);
	if (IS_ERR(name))
		return false;
	err = lookup_bdev(name, &dev);
	kfree(name);
	if (err || dev != ct_dev)
		return false;
	get_fs_root(current->fs, &root);
	ours = vzkit_q_on_ct_fs(root.mnt, ct_dev, c, cmd);
	if (ours)
		*ret = vzkit_q_perform(root.mnt, c->op, cmd, id, addr);
	path_put(&root);
	return ours;
}

static bool vzkit_q_quotactl_fd(struct vzkit_ub *ub, const struct pt_regs *regs, long *ret)
{
	unsigned int fd = vzkit_syscall_arg(regs, 0);
	unsigned int cmd = vzkit_syscall_arg(regs, 1);
	qid_t id = vzkit_syscall_arg(regs, 2);
	void __user *addr = (void __user *)vzkit_syscall_arg(regs, 3);
	const struct vzkit_qcmd *c = vzkit_qcmd(cmd);
	struct file *file;
	dev_t ct_dev;
	bool ours;

	if (!c)
		return false;
	ct_dev = vzkit_q_ct_dev(ub);
	if (!ct_dev)
		return false;
	file = fget_raw(fd);
	if (!file)
		return false;
	ours = vzkit_q_on_ct_fs(file->f_path.mnt, ct_dev, c, cmd);
	if (ours)
		*ret = vzkit_q_perform(file->f_path.mnt, c->op, cmd, id, addr);
	fput(file);
	return ours;
}

static long vzkit_q_version(enum vzkit_quotactl_fn fn, const struct pt_regs *regs,
			    bool (*answer)(struct vzkit_ub *ub, const struct pt_regs *regs,
					   long *ret))
{
	struct vzkit_ub *ub;
	bool ours;
	long ret = 0;
	int srcu;

	ub = vzkit_redirect_enter(&srcu);
	if (!ub)
		return vzkit_q_orig(fn, regs);
	ours = answer(ub, regs, &ret);
	vzkit_redirect_leave(ub, srcu);
	return ours ? ret : vzkit_q_orig(fn, regs);
}

/* __x64_sys_quotactl(regs): cmd, special, id, addr. */
static long vzkit_sys_quotactl(const struct pt_regs *regs)
{
	return vzkit_q_version(VZKIT_QFN_QUOTACTL, regs, vzkit_q_quotactl);
}

/* __x64_sys_quotactl_fd(regs): fd, cmd, id, addr. */
static long vzkit_sys_quotactl_fd(const struct pt_regs *regs)
{
	return vzkit_q_version(VZKIT_QFN_QUOTACTL_FD, regs, vzkit_q_quotactl_fd);
}

static struct vzkit_redirect vzkit_qredirects[VZKIT_QFN_COUNT] = {
	[VZKIT_QFN_QUOTACTL] = { .name = VZKIT_SYM_QUOTACTL, .to = vzkit_sys_quotactl },
	[VZKIT_QFN_QUOTACTL_FD] = { .name = VZKIT_SYM_QUOTACTL_FD, .to = vzkit_sys_quotactl_fd },
};

/* VZCTL_VE_UGID_QUOTA. */
int vzkit_ve_set_ugid_quota(u32 veid, int fd)
{
	struct super_block *sb;
	struct vzkit_ub *ub;
	struct file *file;
	dev_t dev = 0;

	if (fd != -1) {
		file = fget_raw(fd);
		if (!file)
			return -EBADF;
		sb = file->f_path.mnt->mnt_sb;
		/* quotactl(2) names a file system by its block device. */
		dev = sb->s_bdev ? sb->s_dev : 0;
		fput(file);
		if (!dev)
			return -EOPNOTSUPP;
	}
	mutex_lock(&vzkit_ve_mutex);
	ub = vzkit_ve_find(veid);
	if (ub)
		WRITE_ONCE(ub->ugid_quota_dev, dev);
	mutex_unlock(&vzkit_ve_mutex);
	return ub ? 0 : -ENOENT;
}

static struct vzkit_redirect_set vzkit_quotactls = {
	.r = vzkit_qredirects,
	.n = VZKIT_QFN_COUNT,
	.without = "container root cannot set quota",
};

/* Without the redirect container root's quotactl stays the kernel's: said once, not fatal. */
int vzkit_quotactl_init(void)
{
	vzkit_redirects_on(&vzkit_quotactls);
	return 0;
}

void vzkit_quotactl_exit(void)
{
	vzkit_redirects_off(&vzkit_quotactls);
	vzkit_redirect_sync();
}
