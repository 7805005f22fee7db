// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * mbnaccel_validate.c - the descriptor validator of SUBMIT. It is the hardware
 * contract's checker (hw/model/desc_check.h, shared with the C model, the compiler's
 * assertions and the tests, and held to the RTL by tests/sim's differential test) with
 * the bound BOs' sizes as region sizes and only the bound regions, plus the two rules
 * the kernel adds to the hardware's: bits the RTL ignores today must be zero
 * (mbn_desc_check_strict), and a reuse flag must not read more than this job left on
 * chip (mbn_reuse_step: the engine does not clear its buffers between jobs, so it would
 * read the previous job's data, possibly another process's). A job that passes cannot
 * fault with BOUNDS, REGION or DESC on the hardware.
 */
#include <linux/kernel.h>

#include "mbnaccel.h"

static const char *const mbn_extent_name[4] = { "input", "weights", "qparams", "output" };

int mbn_validate(struct mbn_device *mdev, struct mbn_job *job)
{
	const __le32 *raw = job->desc_cpu;
	struct mbn_onchip oc = { };     /* nothing on chip belongs to a new job */
	u64 size[MBN_NUM_REGIONS] = { };
	u32 i, k;

	for (i = 0; i < job->bo_count && i < MBN_NUM_REGIONS; i++)
		size[i] = job->bos[i]->size;

	for (i = 0; i < job->desc_count; i++) {
		struct mbn_desc_extents x;
		struct mbn_desc d;
		const char *why = NULL;
		u32 w[16];

		for (k = 0; k < 16; k++)
			w[k] = le32_to_cpu(raw[16 * i + k]);
		if (mbn_desc_check_why(w, &mdev->lim, &d, &x, &why) ||
		    mbn_desc_check_strict(w, &d, &why) ||
		    mbn_reuse_step(&mdev->lim, &d, &x, &oc, &why)) {
			drm_dbg(&mdev->drm, "desc %u: %s (words %*ph)\n", i, why,
				(int)sizeof(w), w);
			return -EINVAL;
		}
		/* the extents the hardware accesses; those skipped by reuse or fusion are not
		 * accessed, so not checked (as the hardware does)
		 */
		for (k = 0; k < 4; k++) {
			u64 off, len;
			u32 r;

			if (!mbn_desc_extent(&d, &x, k, &r, &off, &len))
				continue;
			if (r >= job->bo_count) {
				drm_dbg(&mdev->drm, "desc %u: %s region %u not bound (bo_count %u)\n",
					i, mbn_extent_name[k], r, job->bo_count);
				return -EINVAL;
			}
			if (mbn_extent_check(r, off, len, size, &why)) {
				drm_dbg(&mdev->drm,
					"desc %u: %s extent 0x%llx + 0x%llx in region %u (0x%llx bytes): %s\n",
					i, mbn_extent_name[k], off, len, r, size[r], why);
				return -EINVAL;
			}
		}
	}
	return 0;
}
