// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * mbnaccel_gem.c - buffer objects: one dma_alloc_coherent buffer each.
 *
 * Debian's amd64 kernel is built without the DMA GEM helper (DRM_GEM_DMA_HELPER), so
 * this is a small GEM object of its own. The accelerator sees a BO only through the
 * region table (base = the BO's DMA address, size = its size), which the kernel
 * programs; user space sees it only through the fake mmap offset. No physical or bus
 * address leaves the kernel.
 */
#include <linux/dma-mapping.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_vma_manager.h>

#include "mbnaccel.h"

struct mbn_pin_acct *mbn_pin_acct_new(void)
{
	struct mbn_pin_acct *acct = kzalloc(sizeof(*acct), GFP_KERNEL);

	if (acct)
		kref_init(&acct->ref);
	return acct;
}

static void mbn_pin_acct_release(struct kref *ref)
{
	kfree(container_of(ref, struct mbn_pin_acct, ref));
}

void mbn_pin_acct_put(struct mbn_pin_acct *acct)
{
	if (acct)
		kref_put(&acct->ref, mbn_pin_acct_release);
}

/*
 * Charge @bytes of pinned memory to the device and to @acct: ENOSPC beyond the
 * device-wide max_pinned_mib, ENOMEM beyond the per-file max_pinned_mib_per_file.
 * On success the caller holds a reference to @acct until mbn_pin_uncharge.
 */
int mbn_pin_charge(struct mbn_device *mdev, struct mbn_pin_acct *acct, u64 bytes)
{
	u64 dev_max = (u64)READ_ONCE(mbn_max_pinned_mib) << 20;
	u64 file_max = (u64)READ_ONCE(mbn_max_pinned_mib_per_file) << 20;

	if (atomic64_add_return(bytes, &mdev->pinned) > dev_max) {
		atomic64_sub(bytes, &mdev->pinned);
		return -ENOSPC;
	}
	if (atomic64_add_return(bytes, &acct->bytes) > file_max) {
		atomic64_sub(bytes, &acct->bytes);
		atomic64_sub(bytes, &mdev->pinned);
		return -ENOMEM;
	}
	kref_get(&acct->ref);
	return 0;
}

void mbn_pin_uncharge(struct mbn_device *mdev, struct mbn_pin_acct *acct, u64 bytes)
{
	atomic64_sub(bytes, &acct->bytes);
	atomic64_sub(bytes, &mdev->pinned);
	mbn_pin_acct_put(acct);
}

static void mbn_bo_free(struct drm_gem_object *obj)
{
	struct mbn_bo *bo = to_mbn_bo(obj);

	/* Last reference: no handle, no mapping and no job (jobs hold references). */
	dma_free_coherent(obj->dev->dev, obj->size, bo->vaddr, bo->dma);
	if (bo->acct)
		mbn_pin_uncharge(to_mbn_device(obj->dev), bo->acct, obj->size);
	drm_gem_object_release(obj);
	kfree(bo);
}

static int mbn_bo_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma)
{
	struct mbn_bo *bo = to_mbn_bo(obj);
	int ret;

	/* vm_pgoff still holds the fake offset; dma_mmap_coherent wants the page offset
	 * into the buffer. drm_gem_mmap_obj has already checked the length.
	 */
	vma->vm_pgoff -= drm_vma_node_start(&obj->vma_node);
#ifdef MBN_HAVE_VM_FLAGS_SET
	vm_flags_set(vma, VM_DONTEXPAND | VM_DONTDUMP);
#else
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
#endif
	ret = dma_mmap_coherent(obj->dev->dev, vma, bo->vaddr, bo->dma,
				vma->vm_end - vma->vm_start);
	/* drm_gem_mmap_obj drops its reference itself on failure */
	return ret;
}

/* open/close keep the GEM reference taken by drm_gem_mmap_obj for the VMA's lifetime. */
static const struct vm_operations_struct mbn_bo_vm_ops = {
	.open = drm_gem_vm_open,
	.close = drm_gem_vm_close,
};

/*
 * PRIME export is not supported: a BO is one coherent buffer that the accelerator reaches
 * only as a region of a job on this device, and the core's default export needs
 * get_sg_table (6.12 WARNs without one, which any user could trigger). Refused with
 * EOPNOTSUPP; on 6.1 the core already refuses (no prime_handle_to_fd: ENOSYS).
 */
static struct dma_buf *mbn_bo_export(struct drm_gem_object *obj, int flags)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static const struct drm_gem_object_funcs mbn_bo_funcs = {
	.free = mbn_bo_free,
	.export = mbn_bo_export,
	.mmap = mbn_bo_mmap,
	.vm_ops = &mbn_bo_vm_ops,
};

struct mbn_bo *mbn_bo_create(struct drm_device *drm, size_t size)
{
	struct mbn_bo *bo;

	size = PAGE_ALIGN(size);
	bo = kzalloc(sizeof(*bo), GFP_KERNEL);
	if (!bo)
		return ERR_PTR(-ENOMEM);
	/* __GFP_NOWARN: a size the allocator cannot serve is the caller's problem (ENOMEM),
	 * not a kernel warning. dma_alloc_coherent returns zeroed memory: no stale data
	 * reaches user space.
	 */
	bo->vaddr = dma_alloc_coherent(drm->dev, size, &bo->dma, GFP_KERNEL | __GFP_NOWARN);
	if (!bo->vaddr) {
		kfree(bo);
		return ERR_PTR(-ENOMEM);
	}
	bo->base.funcs = &mbn_bo_funcs;
	drm_gem_private_object_init(drm, &bo->base, size);
	return bo;
}

int mbn_ioctl_bo_create(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_mbnaccel_bo_create *args = data;
	struct mbn_file *mf = file->driver_priv;
	struct mbn_bo *bo;
	size_t size;
	u32 handle;
	int ret, idx;

	if (args->flags || !args->size || args->size > MBNACCEL_MAX_BO_SIZE)
		return -EINVAL;
	if (!drm_dev_enter(drm, &idx))
		return -ENODEV;

	ret = mbn_pin_charge(to_mbn_device(drm), mf->acct, PAGE_ALIGN(args->size));
	if (ret)
		goto out;
	bo = mbn_bo_create(drm, args->size);
	if (IS_ERR(bo)) {
		mbn_pin_uncharge(to_mbn_device(drm), mf->acct, PAGE_ALIGN(args->size));
		ret = PTR_ERR(bo);
		goto out;
	}
	bo->acct = mf->acct;    /* the charge's reference moves to the BO */
	/* Read the size before the handle is published: once it exists, a GEM_CLOSE of
	 * the (predictable) handle from another thread can free the BO.
	 */
	size = bo->base.size;
	ret = drm_gem_handle_create(file, &bo->base, &handle);
	/* the handle holds the reference now (or creation failed and this frees it) */
	drm_gem_object_put(&bo->base);
	if (!ret) {
		args->size = size;
		args->handle = handle;
	}
out:
	drm_dev_exit(idx);
	return ret;
}

int mbn_ioctl_bo_mmap_offset(struct drm_device *drm, void *data, struct drm_file *file)
{
	struct drm_mbnaccel_bo_mmap_offset *args = data;
	struct drm_gem_object *obj;
	int ret;

	if (args->pad)
		return -EINVAL;
	obj = drm_gem_object_lookup(file, args->handle);
	if (!obj)
		return -ENOENT;
	ret = drm_gem_create_mmap_offset(obj);
	if (!ret)
		args->offset = drm_vma_node_offset_addr(&obj->vma_node);
	drm_gem_object_put(obj);
	return ret;
}
