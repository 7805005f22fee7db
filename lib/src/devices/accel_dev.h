/* SPDX-License-Identifier: Apache-2.0 */
/*
 * accel_dev.h - the accelerator device layer: what every device that runs the mbnaccel
 * hardware (sim: the Verilated RTL in-process; drm: the kernel driver) does the same
 * way, on top of a few primitives each of them provides (struct accel_dev_ops).
 *
 * This layer owns a model's device memory (one CONST buffer, a pool of ACT buffers, one
 * per request in flight), which buffers a job binds to which region, the jobs of an
 * inference (one per segment, or one per layer with descriptors when profiling, with the
 * host's part between segments), the 7 counters a job reports and how they add up, and
 * the message of every way a job can fail (fault, timeout, abort). The backends keep
 * opening the device, allocating buffers, starting a job and waiting for it.
 *
 * A backend's device state (mbn_device.priv) starts with a struct accel_dev, and its
 * mbn_backend points compile, release, run (and, for a device with native asynchronous
 * jobs, submit and finish), layer_on_accel and layer_cpu_reason at the functions below.
 */
#ifndef MBN_ACCEL_DEV_H
#define MBN_ACCEL_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include "compiler/accel.h"
#include "devices/backend.h"

/* A buffer in device memory: a range of the simulated DRAM or a GEM object. */
struct accel_buf {
	uint64_t id;    /* the backend's name for it: DRAM address (sim), GEM handle (drm) */
	uint64_t size;  /* as the backend needs it: the region size (sim), the mapping's (drm) */
	uint8_t *map;   /* the CPU's view; NULL: not allocated */
};

/* One activation buffer: the ACT region of one request in flight. A backend that needs
 * more per buffer (drm: the job's syncobj) embeds this as its first member. */
struct accel_act {
	struct accel_buf buf;
	struct accel_act *next; /* the model's pool of idle buffers */
};

/* The counters the hardware keeps per job (CYCLES .. DW_BUSY, docs/hw.md), as the
 * registers (sim) or the driver's WAIT (drm) report them. */
struct accel_counters {
	uint64_t cycles, dma_rd_bytes, dma_wr_bytes, stall, mac_active, pw_busy, dw_busy;
};

enum accel_job_status {
	ACCEL_JOB_DONE,
	ACCEL_JOB_FAULT,    /* the hardware stopped with FAULT_CODE set */
	ACCEL_JOB_TIMEOUT,  /* it ran past its bound; the engine was reset */
	ACCEL_JOB_ABORTED,  /* it never ran (device removed or reset) */
	ACCEL_JOB_UNKNOWN,  /* a status this library does not know (raw_status) */
};

/* How one job ended. */
struct accel_job_result {
	enum accel_job_status status;
	struct accel_counters cnt;  /* DONE */
	uint32_t fault_code, fault_desc, fault_offset; /* FAULT; fault_desc counts from the
						       * job's first descriptor */
	uint32_t desc_done;         /* TIMEOUT: descriptors completed before the reset */
	char limit[96];             /* TIMEOUT: the bound that ran out, e.g. "123 cycles" */
	uint32_t raw_status;        /* UNKNOWN */
};

/* One job as this layer starts it: descriptors [first, first + count) of the model's
 * CONST image (descs is the host's copy of the first one), with region[r] bound to
 * region r of the job (ACCEL_REGION_CONST: the model's CONST buffer; ACCEL_REGION_ACT:
 * the request's activation buffer). */
struct accel_job_desc {
	const struct accel_buf *region[2];
	const uint8_t *descs;
	uint32_t first, count;
	uint64_t budget;            /* the plan's bound on its cycles (accel.h cycle_budget) */
	struct accel_act *signal;   /* non-NULL: the request's completion fd (signal_fd of
				     * this buffer) fires when this job has ended */
};

struct accel_dev;

/* The primitives of a device. Each returns 0 or -errno with the message set. */
struct accel_dev_ops {
	/* The device queues jobs and runs them in submission order (drm: the kernel), so an
	 * inference submits all jobs of a segment before waiting for the first. Else (sim:
	 * the registers hold one job) each job starts once the one before it has ended. */
	bool queued;
	uint32_t max_job_descs;     /* descriptors one job may have; 0: no limit */
	/* Device memory for the CONST image; `what` names it in the messages. */
	int (*buf_alloc)(struct accel_dev *ad, uint64_t size, const char *what, struct accel_buf *b);
	void (*buf_free)(struct accel_dev *ad, struct accel_buf *b);
	/* One activation buffer of `size` bytes, with whatever the backend keeps with it. */
	int (*act_alloc)(struct accel_dev *ad, uint64_t size, struct accel_act **out);
	void (*act_free)(struct accel_dev *ad, struct accel_act *a);
	/* Bind the regions and start (or queue) the job; *id names it for wait. */
	int (*submit)(struct accel_dev *ad, const struct accel_job_desc *j, uint64_t *id);
	/* Wait for job id to end and say how (*res); an error return is a failure of the
	 * waiting itself, not of the job. */
	int (*wait)(struct accel_dev *ad, uint64_t id, struct accel_job_result *res);
	/* Optional (devices with native asynchronous jobs): a new fd that becomes readable
	 * when the last job submitted with signal == a has ended. */
	int (*signal_fd)(struct accel_dev *ad, struct accel_act *a, int *fd);
};

struct accel_dev {
	const struct accel_dev_ops *ops;
	const char *name;           /* the device in messages ("simulator", "/dev/accel/accel0") */
	struct accel_caps caps;     /* what its CAPS registers report */
};

/* mbn_backend entry points for a device whose mbn_device.priv starts with a struct
 * accel_dev (backend.h documents each). */
int mbn_accel_dev_compile(struct mbn_device *dev, const struct mbn_graph *g, void **plan);
void mbn_accel_dev_release(struct mbn_device *dev, void *plan);
int mbn_accel_dev_run(struct mbn_device *dev, void *plan, const uint8_t *in, uint8_t *out,
		      struct mbn_run_stats *stats, struct mbn_layer_stats *per_layer);
int mbn_accel_dev_submit(struct mbn_device *dev, void *plan, struct mbn_job *job);
int mbn_accel_dev_finish(struct mbn_device *dev, void *plan, struct mbn_job *job);
bool mbn_accel_dev_layer_on_accel(struct mbn_device *dev, void *plan, int i);
const char *mbn_accel_dev_layer_cpu_reason(struct mbn_device *dev, void *plan, int i);

#endif
