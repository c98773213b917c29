// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vzctl: the ioctls of include/uapi/linux/vzkit.h. Only root of the
 * host may call them: a caller in any other pid namespace (a container's,
 * whatever capabilities it holds there) gets EPERM.
 */
#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/pid_namespace.h>
#include <linux/uaccess.h>

#include "vzkit.h"

static bool vzkit_host_root(void)
{
	return task_active_pid_ns(current) == &init_pid_ns && capable(CAP_SYS_ADMIN);
}

static long vzkit_ioc_register(void __user *arg)
{
	struct vzctl_env_register r;

	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	if (r.flags)
		return -EINVAL;
	return vzkit_ve_register(r.veid, r.init_pid, r.cgroup_fd);
}

static long vzkit_ioc_env(void __user *arg, int (*op)(u32 veid))
{
	struct vzctl_env e;

	if (copy_from_user(&e, arg, sizeof(e)))
		return -EFAULT;
	if (e.reserved)
		return -EINVAL;
	return op(e.veid);
}

/* OpenVZ's VZCTL_ENV_CREATE: only the VE_TEST query exists here. */
static long vzkit_ioc_env_create(void __user *arg)
{
	struct vzctl_env_create c;

	if (copy_from_user(&c, arg, sizeof(c)))
		return -EFAULT;
	if (c.flags != VE_TEST)
		return -EINVAL;
	return vzkit_ve_test(c.veid);
}

/* The beancounter of veid, 0 being the host's; NULL if none. Under vzkit_ve_mutex. */
static struct vzkit_ub *vzkit_ub_by_veid(u32 veid)
{
	return veid ? vzkit_ve_find(veid) : &vzkit_ub0;
}

static long vzkit_ioc_setublimit(void __user *arg)
{
	struct vzctl_setublimit s;
	struct vzkit_ub *ub;
	long err;

	if (copy_from_user(&s, arg, sizeof(s)))
		return -EFAULT;
	if (s.resource >= UB_RESOURCES)
		return -EINVAL;
	mutex_lock(&vzkit_ve_mutex);
	ub = vzkit_ub_by_veid(s.veid);
	err = ub ? vzkit_set_limit(ub, s.resource, s.barrier, s.limit) : -ENOENT;
	mutex_unlock(&vzkit_ve_mutex);
	return err;
}

static long vzkit_copy_parms(struct vzkit_ub *ub, u64 uptr, u32 count)
{
	struct vzkit_ubparm out[UB_RESOURCES];
	struct vzkit_parm *parm;
	int i;

	parm = kmalloc_array(UB_RESOURCES, sizeof(*parm), GFP_KERNEL);
	if (!parm)
		return -ENOMEM;
	vzkit_ub_refresh(ub);
	vzkit_snapshot(ub, parm);
	memset(out, 0, sizeof(out));
	for (i = 0; i < UB_RESOURCES; i++) {
		out[i].held = parm[i].held;
		out[i].maxheld = parm[i].maxheld;
		out[i].barrier = parm[i].barrier;
		out[i].limit = parm[i].limit;
		out[i].failcnt = parm[i].failcnt;
	}
	kfree(parm);
	count = min_t(u32, count, UB_RESOURCES);
	if (copy_to_user(u64_to_user_ptr(uptr), out, count * sizeof(out[0])))
		return -EFAULT;
	return 0;
}

static long vzkit_ioc_getbc(void __user *arg)
{
	struct vzctl_getbc g;
	struct vzkit_ub *ub;
	long err;

	if (copy_from_user(&g, arg, sizeof(g)))
		return -EFAULT;
	mutex_lock(&vzkit_ve_mutex);
	ub = vzkit_ub_by_veid(g.veid);
	err = ub ? vzkit_copy_parms(ub, g.parms, g.count) : -ENOENT;
	mutex_unlock(&vzkit_ve_mutex);
	if (err)
		return err;
	g.count = UB_RESOURCES;
	return copy_to_user(arg, &g, sizeof(g)) ? -EFAULT : 0;
}

/*
 * A restored container's failcnt and maxheld go on from its checkpoint's
 * (vzctl restore), each resource's entry added by vzkit_add_history().
 */
static long vzkit_ioc_setbc_history(void __user *arg)
{
	struct vzkit_ubparm *in;
	struct vzctl_getbc g;
	struct vzkit_ub *ub;
	long err = 0;
	u32 i;

	if (copy_from_user(&g, arg, sizeof(g)))
		return -EFAULT;
	g.count = min_t(u32, g.count, UB_RESOURCES);
	in = kmalloc_array(UB_RESOURCES, sizeof(*in), GFP_KERNEL);
	if (!in)
		return -ENOMEM;
	if (copy_from_user(in, u64_to_user_ptr(g.parms), g.count * sizeof(*in))) {
		kfree(in);
		return -EFAULT;
	}
	mutex_lock(&vzkit_ve_mutex);
	ub = g.veid ? vzkit_ub_by_veid(g.veid) : NULL;
	if (ub)
		for (i = 0; i < g.count; i++)
			vzkit_add_history(ub, i, in[i].maxheld, in[i].failcnt);
	else
		err = -ENOENT;
	mutex_unlock(&vzkit_ve_mutex);
	kfree(in);
	return err;
}

static long vzkit_ioc_quota_register(void __user *arg)
{
	struct vzctl_quota_register r;

	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	if (r.flags || r.reserved)
		return -EINVAL;
	return vzkit_quota_register(r.quota_id, r.fd);
}

static long vzkit_ioc_quota_unregister(void __user *arg)
{
	struct vzctl_quota q;

	if (copy_from_user(&q, arg, sizeof(q)))
		return -EFAULT;
	if (q.reserved)
		return -EINVAL;
	return vzkit_quota_unregister(q.quota_id);
}

static long vzkit_ioc_view(void __user *arg)
{
	struct vzctl_ve_view v;

	if (copy_from_user(&v, arg, sizeof(v)))
		return -EFAULT;
	if (v.reserved)
		return -EINVAL;
	return vzkit_ve_set_view(v.veid, v.meminfo_mode, v.meminfo_val, v.cpus);
}

static long vzkit_ioc_ugid_quota(void __user *arg)
{
	struct vzctl_ve_ugid_quota q;

	if (copy_from_user(&q, arg, sizeof(q)))
		return -EFAULT;
	if (q.flags || q.reserved)
		return -EINVAL;
	return vzkit_ve_set_ugid_quota(q.veid, q.fd);
}

static long vzkit_ioc_cpustat(void __user *arg)
{
	struct vzctl_cpustat c;
	struct vzkit_tasks t;
	struct vzkit_ub *ub;
	u64 user, sys;
	int i;

	if (copy_from_user(&c, arg, sizeof(c)))
		return -EFAULT;
	if (c.reserved)
		return -EINVAL;
	mutex_lock(&vzkit_ve_mutex);
	ub = vzkit_ve_find(c.veid);
	if (!ub || !vzkit_ve_alive(ub)) {
		mutex_unlock(&vzkit_ve_mutex);
		return -ESRCH;
	}
	vzkit_ct_cputime(ub, &user, &sys);
	vzkit_ct_tasks(ub, &t);
	c.uptime_ns = vzkit_ct_uptime_ns(ub);
	c.user_ns = user;
	c.system_ns = sys;
	for (i = 0; i < 3; i++)
		c.avenrun[i] = READ_ONCE(ub->avenrun[i]);
	c.nr_running = t.running;
	c.nr_tasks = t.threads;
	c.pad = 0;
	mutex_unlock(&vzkit_ve_mutex);
	return copy_to_user(arg, &c, sizeof(c)) ? -EFAULT : 0;
}

static long vzkit_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	u32 version = VZKIT_ABI_VERSION;

	if (!vzkit_host_root())
		return -EPERM;
	switch (cmd) {
	case VZCTL_ENV_REGISTER:
		return vzkit_ioc_register(uarg);
	case VZCTL_ENV_UNREGISTER:
		return vzkit_ioc_env(uarg, vzkit_ve_unregister);
	case VZCTL_ENV_TEST:
		return vzkit_ioc_env(uarg, vzkit_ve_test);
	case VZCTL_ENV_CREATE:
		return vzkit_ioc_env_create(uarg);
	case VZCTL_SETUBLIMIT:
		return vzkit_ioc_setublimit(uarg);
	case VZCTL_GETBC:
		return vzkit_ioc_getbc(uarg);
	case VZCTL_SETBC_HISTORY:
		return vzkit_ioc_setbc_history(uarg);
	case VZCTL_VE_VIEW:
		return vzkit_ioc_view(uarg);
	case VZCTL_GET_CPUSTAT:
		return vzkit_ioc_cpustat(uarg);
	case VZCTL_VE_UGID_QUOTA:
		return vzkit_ioc_ugid_quota(uarg);
	case VZCTL_GET_VERSION:
		return put_user(version, (u32 __user *)uarg);
	case VZCTL_QUOTA_REGISTER:
		return vzkit_ioc_quota_register(uarg);
	case VZCTL_QUOTA_UNREGISTER:
		return vzkit_ioc_quota_unregister(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations vzkit_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = vzkit_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice vzkit_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vzctl",
	.fops = &vzkit_fops,
	.mode = 0600,
};

int vzkit_dev_init(void)
{
	return misc_register(&vzkit_misc);
}

void vzkit_dev_exit(void)
{
	misc_deregister(&vzkit_misc);
}
