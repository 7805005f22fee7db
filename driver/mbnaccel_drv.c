// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * mbnaccel_drv.c - the DRM device: driver description, ioctl table, file open/close,
 * GET_PARAM, and the probe helpers the bus glues call.
 */
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_ioctl.h>
#ifdef MBN_HAVE_ACCEL
#include <drm/drm_accel.h>
#endif

#include "mbnaccel.h"

unsigned int mbn_job_timeout_ms = 20000;
module_param_named(job_timeout_ms, mbn_job_timeout_ms, uint, 0644);
MODULE_PARM_DESC(job_timeout_ms,
		 "default per-job timeout in ms (SUBMIT's timeout_ms overrides; default 20000: the RTL simulator behind QEMU is slow)");

unsigned int mbn_max_job_timeout_ms = 60000;
module_param_named(max_job_timeout_ms, mbn_max_job_timeout_ms, uint, 0644);
MODULE_PARM_DESC(max_job_timeout_ms,
		 "cap on every job's timeout in ms, SUBMIT's timeout_ms included (default 60000)");

unsigned int mbn_max_pinned_mib = 2048;
module_param_named(max_pinned_mib, mbn_max_pinned_mib, uint, 0644);
MODULE_PARM_DESC(max_pinned_mib,
		 "device-wide limit on pinned BO and descriptor memory in MiB (ENOSPC beyond; default 2048)");

unsigned int mbn_max_pinned_mib_per_file = 1024;
module_param_named(max_pinned_mib_per_file, mbn_max_pinned_mib_per_file, uint, 0644);
MODULE_PARM_DESC(max_pinned_mib_per_file,
		 "per-open-file limit on pinned BO and descriptor memory in MiB (ENOMEM beyond; default 1024)");

bool mbn_unsafe_test_mode;
module_param_named(unsafe_test_mode, mbn_unsafe_test_mode, bool, 0444);
MODULE_PARM_DESC(unsafe_test_mode,
		 "allow MBNACCEL_SUBMIT_NO_VALIDATE to CAP_SYS_ADMIN (tests of the hardware's own region checks only; taints the kernel when used)");

static int mbn_ioctl_get_param(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct mbn_device *mdev = to_mbn_device(drm);
	struct drm_mbnaccel_get_param *args = data;

	if (args->pad)
		return -EINVAL;

	/* ID/VERSION/CAPS are constants of the hardware, read once at probe: no bus
	 * round trip, and they stay answerable after the device is gone.
	 */
	switch (args->param) {
	case MBNACCEL_PARAM_ID:
		args->value = mdev->regs_id;
		break;
	case MBNACCEL_PARAM_VERSION:
		args->value = mdev->regs_version;
		break;
	case MBNACCEL_PARAM_CAPS0:
	case MBNACCEL_PARAM_CAPS1:
	case MBNACCEL_PARAM_CAPS2:
	case MBNACCEL_PARAM_CAPS3:
		args->value = mdev->caps[args->param - MBNACCEL_PARAM_CAPS0];
		break;
	case MBNACCEL_PARAM_JOB_TIMEOUT_MS:
		args->value = mbn_default_timeout_ms();
		break;
	case MBNACCEL_PARAM_JOBS_DONE:
		args->value = atomic64_read(&mdev->jobs_done);
		break;
	case MBNACCEL_PARAM_JOBS_FAILED:
		args->value = atomic64_read(&mdev->jobs_failed);
		break;
	case MBNACCEL_PARAM_RESETS:
		args->value = atomic64_read(&mdev->resets);
		break;
	case MBNACCEL_PARAM_WEDGED:
		args->value = READ_ONCE(mdev->wedged);
		break;
	default:
		return -EINVAL;
	}
	return 0;
}

static int mbn_open(struct drm_device *drm, struct drm_file *file)
{
	struct mbn_file *mf;
	int ret;

	mf = kzalloc(sizeof(*mf), GFP_KERNEL);
	if (!mf)
		return -ENOMEM;
	mf->acct = mbn_pin_acct_new();
	if (!mf->acct) {
		kfree(mf);
		return -ENOMEM;
	}
	mf->mdev = to_mbn_device(drm);
	ret = mbn_sched_file_open(mf);
	if (ret) {
		mbn_pin_acct_put(mf->acct);
		kfree(mf);
		return ret;
	}
	mutex_init(&mf->lock);
	xa_init(&mf->jobs);
	mf->next_id = 1;
	file->driver_priv = mf;
	return 0;
}

/* Called after the core closed every GEM handle of the file. Jobs keep their own BO
 * references, so a job still on the engine keeps its memory until it finishes.
 */
static void mbn_postclose(struct drm_device *drm, struct drm_file *file)
{
	struct mbn_file *mf = file->driver_priv;

	mbn_sched_file_close(mf);
	mutex_destroy(&mf->lock);
	mbn_pin_acct_put(mf->acct);     /* BOs and jobs still charged keep their own refs */
	kfree(mf);
}

static const struct drm_ioctl_desc mbn_ioctls[] = {
	DRM_IOCTL_DEF_DRV(MBNACCEL_GET_PARAM, mbn_ioctl_get_param, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(MBNACCEL_BO_CREATE, mbn_ioctl_bo_create, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(MBNACCEL_BO_MMAP_OFFSET, mbn_ioctl_bo_mmap_offset, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(MBNACCEL_SUBMIT, mbn_ioctl_submit, DRM_RENDER_ALLOW),
	DRM_IOCTL_DEF_DRV(MBNACCEL_WAIT, mbn_ioctl_wait, DRM_RENDER_ALLOW),
};

#ifdef MBN_HAVE_ACCEL
/*
 * An accel file has no DRM master, but the DRM core lets every core ioctl reach an
 * accel node: on 6.12 DRM_IOCTL_GET_UNIQUE (and other master ioctls) dereference the
 * NULL master and oops (found by mbn-drmtest --fuzz). Let through only the core
 * ioctls a render node would allow and this driver needs; refuse the rest like a
 * render node does (EACCES).
 */
static bool mbn_core_ioctl_allowed(unsigned int nr)
{
	static const unsigned int ok[] = {
		DRM_IOCTL_NR(DRM_IOCTL_VERSION), DRM_IOCTL_NR(DRM_IOCTL_GEM_CLOSE),
		DRM_IOCTL_NR(DRM_IOCTL_GET_CAP),
		DRM_IOCTL_NR(DRM_IOCTL_PRIME_HANDLE_TO_FD),
		DRM_IOCTL_NR(DRM_IOCTL_PRIME_FD_TO_HANDLE),
		DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_CREATE), DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_DESTROY),
		DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD),
		DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_FD_TO_HANDLE),
		DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_WAIT), DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_RESET),
		DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_SIGNAL),
		DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT),
		DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_QUERY), DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TRANSFER),
		DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL),
#ifdef DRM_IOCTL_SYNCOBJ_EVENTFD
		DRM_IOCTL_NR(DRM_IOCTL_SYNCOBJ_EVENTFD),
#endif
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ok); i++)
		if (nr == ok[i])
			return true;
	return false;
}

static long mbn_accel_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	unsigned int nr = DRM_IOCTL_NR(cmd);

	if (nr < DRM_COMMAND_BASE && !mbn_core_ioctl_allowed(nr))
		return -EACCES;
	return drm_ioctl(filp, cmd, arg);
}

#ifdef CONFIG_COMPAT
static long mbn_accel_compat_ioctl(struct file *filp, unsigned int cmd, unsigned long arg)
{
	unsigned int nr = DRM_IOCTL_NR(cmd);

	if (nr < DRM_COMMAND_BASE && !mbn_core_ioctl_allowed(nr))
		return -EACCES;
	return drm_compat_ioctl(filp, cmd, arg);
}
#endif

/* DEFINE_DRM_ACCEL_FOPS with the ioctl entry points above */
static const struct file_operations mbn_fops = {
	.owner = THIS_MODULE,
	.open = accel_open,
	.release = drm_release,
	.unlocked_ioctl = mbn_accel_ioctl,
#ifdef CONFIG_COMPAT
	.compat_ioctl = mbn_accel_compat_ioctl,
#endif
	.poll = drm_poll,
	.read = drm_read,
	.llseek = noop_llseek,
	.mmap = drm_gem_mmap,
#ifdef MBN_HAVE_FOP_UNSIGNED_OFFSET
	.fop_flags = FOP_UNSIGNED_OFFSET,
#endif
};

#define MBN_NODE_FEATURE DRIVER_COMPUTE_ACCEL
#else
DEFINE_DRM_GEM_FOPS(mbn_fops);
#define MBN_NODE_FEATURE DRIVER_RENDER
#endif

static const struct drm_driver mbn_drm_driver = {
	.driver_features = DRIVER_GEM | DRIVER_SYNCOBJ | MBN_NODE_FEATURE,
	.open = mbn_open,
	.postclose = mbn_postclose,
	.ioctls = mbn_ioctls,
	.num_ioctls = ARRAY_SIZE(mbn_ioctls),
	.fops = &mbn_fops,
	.name = MBN_DRIVER_NAME,
	.desc = "mbnaccel int8 MobileNet accelerator",
#ifdef MBN_HAVE_DRM_DRIVER_DATE
	.date = "20261128",
#endif
	.major = 1,
	.minor = 0,
};

static struct mbn_device *mbn_device_alloc(struct device *dev, const struct mbn_bus_ops *ops,
					   void *bus_ctx)
{
	struct mbn_device *mdev;
	int ret;

	mdev = devm_drm_dev_alloc(dev, &mbn_drm_driver, struct mbn_device, drm);
	if (IS_ERR(mdev))
		return mdev;
	mdev->ops = ops;
	mdev->bus_ctx = bus_ctx;
	ret = mbn_sched_init_device(mdev);
	return ret ? ERR_PTR(ret) : mdev;
}

static int mbn_device_init(struct mbn_device *mdev)
{
	struct device *dev = mdev->drm.dev;
	struct mbn_hw_limits *l = &mdev->lim;
	int i;

	mdev->regs_id = mbn_read(mdev, MBN_REG_ID);
	if (mdev->regs_id != MBN_ID_VALUE) {
		dev_err(dev, "ID register is 0x%08x, expected 0x%08x\n", mdev->regs_id,
			MBN_ID_VALUE);
		return -ENODEV;
	}
	mdev->regs_version = mbn_read(mdev, MBN_REG_VERSION);
	for (i = 0; i < 4; i++)
		mdev->caps[i] = mbn_read(mdev, MBN_REG_CAPS0 + 4 * i);

	/* the limits the hardware's checks compare to (desc_check.h, CAPS decode) */
	if (mbn_hw_limits_from_caps(mdev->caps, l)) {
		dev_err(dev, "implausible CAPS 0x%08x 0x%08x 0x%08x 0x%08x\n", mdev->caps[0],
			mdev->caps[1], mdev->caps[2], mdev->caps[3]);
		return -ENODEV;
	}

	/* A previous owner may have left a job running: quiet the interrupt, abort the
	 * job and wait for the engine to go idle (else it comes up wedged).
	 */
	mbn_write(mdev, MBN_REG_IRQ_ENABLE, 0);
	mbn_engine_probe_reset(mdev);

	dev_info(dev, "mbnaccel v%u.%u: %u lanes, IBUF %s%u KiB, WBUF %u rows/lane, OBUF %u KiB, QBUF %u\n",
		 MBN_VERSION_MAJOR_GET(mdev->regs_version),
		 MBN_VERSION_MINOR_GET(mdev->regs_version), l->lanes,
		 l->ibank ? "3 banks x " : "", l->ibuf_words * 16 / 1024, l->wbuf_rows,
		 l->obuf_words * 16 / 1024, l->qbuf_entries);
	return 0;
}

static irqreturn_t mbn_irq_thread(int irq, void *arg);

struct mbn_device *mbn_device_probe(struct device *dev, const struct mbn_bus_ops *ops,
				    void *bus_ctx, int irq)
{
	struct mbn_device *mdev = mbn_device_alloc(dev, ops, bus_ctx);
	int ret;

	if (IS_ERR(mdev))
		return mdev;
	ret = mbn_device_init(mdev);
	if (ret)
		return ERR_PTR(ret);
	/* IRQF_ONESHOT keeps a level line masked until the thread has cleared IRQ_STATUS. */
	ret = devm_request_threaded_irq(dev, irq, NULL, mbn_irq_thread, IRQF_ONESHOT,
					dev_name(dev), mdev);
	if (ret)
		return ERR_PTR(ret);
	ret = drm_dev_register(&mdev->drm, 0);
	return ret ? ERR_PTR(ret) : mdev;
}

/* Device going away: no new ioctls reach the hardware, the engine is stopped and every
 * job still queued or running is finished as ABORTED (so waiters wake up).
 */
void mbn_device_unregister(struct mbn_device *mdev)
{
	drm_dev_unplug(&mdev->drm);
	mbn_engine_shutdown(mdev);
}

/* System shutdown (reboot, poweroff, kexec): the engine is reset and every job ends
 * as ABORTED, so no DMA runs into memory the next owner of the machine uses. The DRM
 * device stays registered (removal, if it follows, unplugs it).
 */
void mbn_device_shutdown(struct mbn_device *mdev)
{
	if (mdev)
		mbn_engine_shutdown(mdev);
}

static irqreturn_t mbn_irq_thread(int irq, void *arg)
{
	struct mbn_device *mdev = arg;

	mbn_engine_irq(mdev);
	/* Always ours: the platform line is not shared, the PCI one is an MSI-X vector. */
	return IRQ_HANDLED;
}

static int __init mbn_init(void)
{
	int ret;

	ret = platform_driver_register(&mbn_platform_driver);
	if (ret)
		return ret;
	ret = pci_register_driver(&mbn_pci_driver);
	if (ret)
		platform_driver_unregister(&mbn_platform_driver);
	return ret;
}

static void __exit mbn_exit(void)
{
	pci_unregister_driver(&mbn_pci_driver);
	platform_driver_unregister(&mbn_platform_driver);
}

module_init(mbn_init);
module_exit(mbn_exit);

MODULE_DESCRIPTION("mbnaccel int8 MobileNet v1 accelerator (DRM)");
MODULE_LICENSE("Dual MIT/GPL");
