/* SPDX-License-Identifier: Apache-2.0 */
/*
 * backend_sim.c - the "sim" device: the Verilated accelerator RTL in-process.
 *
 * The simulator is a separate shared library (hw/sim, libmbnsim*.so, C++ inside, a
 * plain C ABI outside) that this backend dlopen()s, so libmbnaccel itself has no C++
 * or Verilator dependency. This file plays the kernel driver's part too: it owns the
 * simulated DRAM (a first-fit allocator), programs the region table, starts a job, waits
 * for the interrupt and reads the counters or the fault registers. What a model's jobs
 * are, and what their counters and faults mean, is the device layer's (accel_dev.h).
 *
 * URI: sim[:key=value,...]
 *   mac=N          MAC array size: 256 (default, 16 lanes), 512, 1024 or 2048 (LANES = N/16).
 *                  A non-default size is a simulator build of its own,
 *                  libmbnsim-macN.so (`make sim SIM_CONFIG=macN SIM_PARAMS=-GLANES=N/16`,
 *                  hw/sim/sim.mk), looked up beside libmbnsim.so (build tree, then
 *                  PREFIX/lib/mbnaccel); when missing it is built on demand from the
 *                  source tree this library was built from (one line on stderr, a few
 *                  minutes, once: cached in the build tree).
 *   bw=N           DRAM bytes per cycle, 1..32 (default 16): the credit both AXI directions
 *                  share (hw/sim/dram.h). Reads and writes are 128 bits at mac=256 and
 *                  256 bits from mac=512 on (RD_BYTES/WR_BYTES, docs/hw.md "The 256-bit
 *                  read port", "The 256-bit write port"), so bw=32 lets either direction
 *                  reach 32 B/cycle there, and at mac=256 means reads and writes at
 *                  16 B/cycle each at once
 *   lat=N          DRAM read latency in cycles (default 64)
 *   outstanding=N  DRAM read requests accepted at once (default 8)
 *   trace=FILE     write an FST waveform of every job
 *   lib=PATH       simulator library to load (overrides MBN_SIM_LIB and the mac= lookup;
 *                  with mac= its MAC count must match)
 * Without lib= or MBN_SIM_LIB the simulator is looked up in the build tree this library
 * was built in, then in PREFIX/lib/mbnaccel (make install). MBN_SIM_LIB replaces the
 * default (mac=256) library only.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compiler/accel.h"
#include "devices/accel_dev.h"
#include "devices/backend.h"
#include "mbn_regs.h"
#include "mbn_sim_load.h"
#include "util.h"

#ifndef MBN_SIM_LIBDIR
#define MBN_SIM_LIBDIR "."
#endif
#ifndef MBN_SIM_INSTALLDIR
#define MBN_SIM_INSTALLDIR "/usr/local/lib/mbnaccel"
#endif
#ifndef MBN_SOURCE_DIR
#define MBN_SOURCE_DIR "" /* the source tree (hw/rtl, Makefile) to build simulators from */
#endif

#define SIM_MEM_BYTES (512ull << 20)
#define SIM_MAX_FREE 256

struct sim_dev {
	struct accel_dev ad;           /* first: the device layer's view (accel_dev.h) */
	struct mbn_sim_lib abi;        /* hw/sim/mbn_sim_load.h */
	mbn_sim *sim;
	uint8_t *mem;
	uint64_t mem_size;
	/* The free ranges of the simulated DRAM, sorted by address (first fit, coalesced
	 * on free): models come and go (a TFLite delegate compiles and drops them), so
	 * their memory must be reusable. */
	int n_free;
	struct { uint64_t base, size; } free_r[SIM_MAX_FREE];
	unsigned bw_bytes, lat_cycles;
	char trace[256];
	/* the job started last: the registers hold one job at a time */
	uint32_t job_count;
	uint64_t job_budget;
};

static const struct accel_dev_ops sim_ops;

static int parse_uint(const char *key, const char *val, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;
	unsigned long v = strtoul(val, &end, 10);

	if (!*val || *end || v < lo || v > hi)
		return mbn_set_error(-EINVAL, "device option %s=%s: expected a number %lu..%lu", key, val, lo, hi);
	*out = v;
	return 0;
}

static int in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[1024];

	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, n ? p : ".", prog);
		if (access(buf, X_OK) == 0)
			return 1;
		p += n + (p[n] == ':');
	}
	return 0;
}

/* lib = the simulator library for a non-default MAC array size: build tree, install
 * directory, else built now from the source tree (serialized by a lock file, so
 * concurrent processes build it once). */
static int sim_lib_for_mac(unsigned mac, char *lib, size_t n)
{
	const unsigned lanes = mac / 16;
	char inst[1024], src_top[1024], lock[1024], log[1024], cfg[32], par[32];
	char cmd[1400];

	snprintf(lib, n, "%s/libmbnsim-mac%u.so", MBN_SIM_LIBDIR, mac);
	snprintf(inst, sizeof(inst), "%s/libmbnsim-mac%u.so", MBN_SIM_INSTALLDIR, mac);
	if (access(lib, R_OK) == 0)
		return 0;
	if (access(inst, R_OK) == 0) {
		snprintf(lib, n, "%s", inst);
		return 0;
	}
	snprintf(cfg, sizeof(cfg), "SIM_CONFIG=mac%u", mac);
	snprintf(par, sizeof(par), "SIM_PARAMS=-GLANES=%u", lanes);
	snprintf(cmd, sizeof(cmd), "make -C %s sim %s %s", MBN_SOURCE_DIR[0] ? MBN_SOURCE_DIR : "<mbnaccel sources>", cfg,
		 par);
	snprintf(src_top, sizeof(src_top), "%s/hw/rtl/mbnaccel_top.v", MBN_SOURCE_DIR);
	if (!MBN_SOURCE_DIR[0] || access(src_top, R_OK) != 0)
		return mbn_set_error(-ENODEV,
				     "no simulator library for mac=%u (libmbnsim-mac%u.so is neither in %s nor in %s) and "
				     "no RTL sources to build it from: build it with `%s` and install it there, or load "
				     "it with lib=PATH",
				     mac, mac, MBN_SIM_LIBDIR, MBN_SIM_INSTALLDIR, cmd);
	if (!in_path("verilator") || !in_path("make")) {
		const char *tool = in_path("verilator") ? "make" : "verilator";
		return mbn_set_error(-ENODEV,
				     "no simulator library for mac=%u and %s is not installed to build it: install it "
				     "(apt-get install %s), then run `%s` (or let sim:mac=%u build it)",
				     mac, tool, tool, cmd, mac);
	}
	if (access(MBN_SIM_LIBDIR, F_OK) != 0)
		mkdir(MBN_SIM_LIBDIR, 0777);
	snprintf(lock, sizeof(lock), "%s/.libmbnsim-mac%u.lock", MBN_SIM_LIBDIR, mac);
	snprintf(log, sizeof(log), "%s/libmbnsim-mac%u.build.log", MBN_SIM_LIBDIR, mac);
	int lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (lfd < 0 || flock(lfd, LOCK_EX) != 0) {
		if (lfd >= 0)
			close(lfd);
		return mbn_set_error(-ENODEV, "cannot lock %s to build the mac=%u simulator (run `%s`)", lock, mac, cmd);
	}
	int r = 0;
	if (access(lib, R_OK) != 0) { /* not built meanwhile by another process */
		fprintf(stderr, "mbnaccel: building the simulator for mac=%u (LANES=%u), a few minutes, once: %s (log %s)\n",
			mac, lanes, cmd, log);
		/* posix_spawn, not fork: the caller may have threads. The child make must not
		 * inherit an outer make's jobserver/flags. */
		extern char **environ;
		size_t ne = 0, k = 0;
		while (environ[ne])
			ne++;
		char **envp = calloc(ne + 1, sizeof(*envp));
		char *argv[] = { "make", "--no-print-directory", "-C", (char *)MBN_SOURCE_DIR, "sim", cfg, par, NULL };
		posix_spawn_file_actions_t fa;
		pid_t pid = -1;
		if (envp && !posix_spawn_file_actions_init(&fa)) {
			for (size_t i = 0; i < ne; i++)
				if (strncmp(environ[i], "MAKEFLAGS=", 10) && strncmp(environ[i], "MFLAGS=", 7) &&
				    strncmp(environ[i], "MAKELEVEL=", 10))
					envp[k++] = environ[i];
			posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
			posix_spawn_file_actions_adddup2(&fa, 1, 2);
			posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
			if (posix_spawnp(&pid, "make", &fa, NULL, argv, envp))
				pid = -1;
			posix_spawn_file_actions_destroy(&fa);
		}
		free(envp);
		int st = 0;
		if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0 ||
		    access(lib, R_OK) != 0)
			r = mbn_set_error(-ENODEV, "building the mac=%u simulator failed (see %s); the command was `%s`", mac,
					  log, cmd);
	}
	flock(lfd, LOCK_UN);
	close(lfd);
	return r;
}

static int load_abi(struct sim_dev *s, const char *path)
{
	char err[1400];

	if (mbn_sim_lib_open(&s->abi, path, err, sizeof(err)))
		return mbn_set_error(-ENODEV, "%s (build it with `make sim`)", err);
	return 0;
}

static void sim_close(struct mbn_device *dev)
{
	struct sim_dev *s = dev->priv;

	if (!s)
		return;
	if (s->sim)
		s->abi.destroy(s->sim);
	mbn_sim_lib_close(&s->abi);
	free(s);
	dev->priv = NULL;
}

static int sim_open(struct mbn_device *dev, const char *args)
{
	struct sim_dev *s = calloc(1, sizeof(*s));
	struct mbn_sim_config cfg;
	char lib[1024] = "", opts[256];
	unsigned long v, mac = 0;
	int r = 0;

	if (!s)
		return mbn_set_error(-ENOMEM, "out of memory");
	s->ad.ops = &sim_ops;
	s->ad.name = "simulator";
	memset(&cfg, 0, sizeof(cfg)); /* 0 = the simulator's default */
	cfg.mem_bytes = SIM_MEM_BYTES;
	dev->priv = s;
	snprintf(opts, sizeof(opts), "%s", args);
	for (char *save = NULL, *kv = strtok_r(opts, ",", &save); kv && !r; kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq) {
			r = mbn_set_error(-EINVAL, "device option '%s': expected key=value", kv);
			break;
		}
		*eq = 0;
		const char *val = eq + 1;
		if (!strcmp(kv, "mac")) {
			if (!(r = parse_uint(kv, val, 16, 65536, &v)) && (v % 16 || (v / 16 & (v / 16 - 1))))
				r = mbn_set_error(-EINVAL, "device option mac=%s: expected 16 x a power of two (256, 512, 1024, 2048)", val);
			/* LANES = mac/16 >= 16 (a PW input word is 16 channels); tests/sim and
			 * tests/e2e/test-sim-lanes.sh run every size up to 128 lanes */
			else if (!r && (v < 256 || v > 2048))
				r = mbn_set_error(-ENOTSUP, "device option mac=%s: the RTL supports mac=256, 512, 1024 and 2048 (16, 32, 64, 128 lanes)", val);
			else if (!r)
				mac = v;
		} else if (!strcmp(kv, "bw")) {
			if (!(r = parse_uint(kv, val, 1, 32, &v)))
				cfg.bytes_per_cycle = (unsigned)v;
		} else if (!strcmp(kv, "lat")) {
			if (!(r = parse_uint(kv, val, 1, 100000, &v)))
				cfg.read_latency = (unsigned)v;
		} else if (!strcmp(kv, "outstanding")) {
			if (!(r = parse_uint(kv, val, 1, 64, &v)))
				cfg.max_outstanding = (unsigned)v;
		} else if (!strcmp(kv, "trace")) {
			snprintf(s->trace, sizeof(s->trace), "%s", val);
		} else if (!strcmp(kv, "lib")) {
			snprintf(lib, sizeof(lib), "%s", val);
		} else {
			r = mbn_set_error(-EINVAL, "unknown device option '%s' (sim takes mac, bw, lat, outstanding, trace, lib)", kv);
		}
	}
	s->bw_bytes = cfg.bytes_per_cycle ? cfg.bytes_per_cycle : 16;
	s->lat_cycles = cfg.read_latency ? cfg.read_latency : 64;
	if (!r && !lib[0] && mac && mac != 256) {
		r = sim_lib_for_mac((unsigned)mac, lib, sizeof(lib));
	} else if (!r && !lib[0]) {
		const char *env = getenv("MBN_SIM_LIB");
		if (env) {
			snprintf(lib, sizeof(lib), "%s", env);
		} else {
			/* the build tree this library was built in, else where make install put it */
			snprintf(lib, sizeof(lib), "%s/libmbnsim.so", MBN_SIM_LIBDIR);
			if (access(lib, R_OK) != 0 && access(MBN_SIM_INSTALLDIR "/libmbnsim.so", R_OK) == 0)
				snprintf(lib, sizeof(lib), "%s/libmbnsim.so", MBN_SIM_INSTALLDIR);
		}
	}
	if (!r)
		r = load_abi(s, lib);
	if (!r) {
		char err[256] = "";
		s->sim = s->abi.create(&cfg, err, sizeof(err));
		if (!s->sim)
			r = mbn_set_error(-ENODEV, "cannot create the simulator: %s", err);
	}
	if (!r) {
		s->mem = s->abi.mem(s->sim, &s->mem_size);
		s->n_free = 1;
		s->free_r[0].base = 0;
		s->free_r[0].size = s->mem_size;
		uint32_t id = s->abi.reg_read(s->sim, MBN_REG_ID);
		if (id != MBN_ID_VALUE)
			r = mbn_set_error(-ENODEV, "simulator ID register reads 0x%08x, expected 0x%08x", id, MBN_ID_VALUE);
	}
	if (!r) {
		const uint32_t c[4] = { s->abi.reg_read(s->sim, MBN_REG_CAPS0), s->abi.reg_read(s->sim, MBN_REG_CAPS1),
					 s->abi.reg_read(s->sim, MBN_REG_CAPS2), s->abi.reg_read(s->sim, MBN_REG_CAPS3) };
		r = mbn_accel_caps_decode(c, "simulator", &s->ad.caps);
		if (!r && mac && (unsigned long)s->ad.caps.macs != mac)
			r = mbn_set_error(-ENODEV, "device option mac=%lu: the simulator library %s has %d MACs", mac, lib,
					  s->ad.caps.macs);
	}
	if (!r && s->trace[0] && s->abi.trace(s->sim, s->trace))
		r = mbn_set_error(-EIO, "cannot open the waveform file %s", s->trace);
	if (r)
		sim_close(dev);
	return r;
}

static uint64_t alloc_dram(struct sim_dev *s, uint64_t bytes)
{
	bytes = (bytes + 4095) & ~4095ull;
	if (!bytes)
		bytes = 4096;
	for (int i = 0; i < s->n_free; i++) {
		if (s->free_r[i].size < bytes)
			continue;
		uint64_t base = s->free_r[i].base;
		s->free_r[i].base += bytes;
		s->free_r[i].size -= bytes;
		if (!s->free_r[i].size) {
			memmove(&s->free_r[i], &s->free_r[i + 1], sizeof(s->free_r[0]) * (size_t)(s->n_free - i - 1));
			s->n_free--;
		}
		return base;
	}
	return UINT64_MAX;
}

static void free_dram(struct sim_dev *s, uint64_t base, uint64_t bytes)
{
	if (base == UINT64_MAX)
		return;
	bytes = (bytes + 4095) & ~4095ull;
	if (!bytes)
		bytes = 4096;
	int i = 0;
	while (i < s->n_free && s->free_r[i].base < base)
		i++;
	bool join_prev = i > 0 && s->free_r[i - 1].base + s->free_r[i - 1].size == base;
	bool join_next = i < s->n_free && base + bytes == s->free_r[i].base;
	if (join_prev && join_next) {
		s->free_r[i - 1].size += bytes + s->free_r[i].size;
		memmove(&s->free_r[i], &s->free_r[i + 1], sizeof(s->free_r[0]) * (size_t)(s->n_free - i - 1));
		s->n_free--;
	} else if (join_prev) {
		s->free_r[i - 1].size += bytes;
	} else if (join_next) {
		s->free_r[i].base = base;
		s->free_r[i].size += bytes;
	} else if (s->n_free < SIM_MAX_FREE) {
		memmove(&s->free_r[i + 1], &s->free_r[i], sizeof(s->free_r[0]) * (size_t)(s->n_free - i));
		s->free_r[i].base = base;
		s->free_r[i].size = bytes;
		s->n_free++;
	} /* else: the table is full (extreme fragmentation); the range stays unusable */
}

/* ---- the device layer's primitives (accel_dev.h) ----------------------------------- */

static int sim_buf_alloc(struct accel_dev *ad, uint64_t size, const char *what, struct accel_buf *b)
{
	struct sim_dev *s = (struct sim_dev *)ad;
	uint64_t base = alloc_dram(s, size);

	if (base == UINT64_MAX)
		return mbn_set_error(-ENOMEM, "the simulated DRAM (%llu MiB) is full", (unsigned long long)(s->mem_size >> 20));
	b->id = base;
	b->size = size; /* the region size the jobs get */
	b->map = s->mem + base;
	return 0;
}

static void sim_buf_free(struct accel_dev *ad, struct accel_buf *b)
{
	free_dram((struct sim_dev *)ad, b->id, b->size);
	memset(b, 0, sizeof(*b));
}

static int sim_act_alloc(struct accel_dev *ad, uint64_t size, struct accel_act **out)
{
	struct accel_act *a = calloc(1, sizeof(*a));
	int r;

	if (!a)
		return mbn_set_error(-ENOMEM, "out of memory");
	if ((r = sim_buf_alloc(ad, size, "activation buffer", &a->buf))) {
		free(a);
		return r;
	}
	*out = a;
	return 0;
}

static void sim_act_free(struct accel_dev *ad, struct accel_act *a)
{
	sim_buf_free(ad, &a->buf);
	free(a);
}

static uint64_t reg64(struct sim_dev *s, uint32_t lo)
{
	return s->abi.reg_read(s->sim, lo) | (uint64_t)s->abi.reg_read(s->sim, lo + 4) << 32;
}

static void set_region(struct sim_dev *s, int r, uint64_t base, uint64_t size)
{
	s->abi.reg_write(s->sim, MBN_REG_REGION(r) + 0, (uint32_t)base);
	s->abi.reg_write(s->sim, MBN_REG_REGION(r) + 4, (uint32_t)(base >> 32));
	s->abi.reg_write(s->sim, MBN_REG_REGION(r) + 8, (uint32_t)size);
	s->abi.reg_write(s->sim, MBN_REG_REGION(r) + 12, (uint32_t)(size >> 32));
}

/* What the kernel does for a SUBMIT: the region table, the chain, START. */
static int sim_submit(struct accel_dev *ad, const struct accel_job_desc *j, uint64_t *id)
{
	struct sim_dev *s = (struct sim_dev *)ad;

	for (int r = 0; r < 2; r++)
		set_region(s, r, j->region[r]->id, j->region[r]->size);
	s->abi.reg_write(s->sim, MBN_REG_DESC_REGION, ACCEL_REGION_CONST);
	s->abi.reg_write(s->sim, MBN_REG_DESC_OFFSET, j->first * MBN_DESC_BYTES);
	s->abi.reg_write(s->sim, MBN_REG_DESC_COUNT, j->count);
	s->abi.reg_write(s->sim, MBN_REG_IRQ_ENABLE, MBN_IRQ_DONE | MBN_IRQ_FAULT);
	s->abi.reg_write(s->sim, MBN_REG_CTRL, MBN_CTRL_START);
	s->job_budget = j->budget;
	s->job_count = j->count;
	*id = 0;
	return 0;
}

/* Clock the simulator to the interrupt; a job past its bound is reset, as the kernel
 * does with a hung engine. */
static int sim_wait(struct accel_dev *ad, uint64_t id, struct accel_job_result *res)
{
	struct sim_dev *s = (struct sim_dev *)ad;
	/* The budget assumes the slowest sane configuration; bw=1 or huge latencies scale it. */
	uint64_t budget = s->job_budget * 16 / s->bw_bytes + (uint64_t)s->job_count * s->lat_cycles * 64 + 100000;
	int r = s->abi.wait_irq(s->sim, budget);
	uint32_t irq = s->abi.reg_read(s->sim, MBN_REG_IRQ_STATUS);

	s->abi.reg_write(s->sim, MBN_REG_IRQ_STATUS, irq);
	if (r) {
		res->status = ACCEL_JOB_TIMEOUT;
		res->desc_done = s->abi.reg_read(s->sim, MBN_REG_DESC_DONE);
		snprintf(res->limit, sizeof(res->limit), "%llu cycles", (unsigned long long)budget);
		s->abi.reg_write(s->sim, MBN_REG_CTRL, MBN_CTRL_RESET);
		return 0;
	}
	if (irq & MBN_IRQ_FAULT) {
		res->status = ACCEL_JOB_FAULT;
		res->fault_code = s->abi.reg_read(s->sim, MBN_REG_FAULT_CODE);
		res->fault_desc = s->abi.reg_read(s->sim, MBN_REG_FAULT_DESC);
		res->fault_offset = s->abi.reg_read(s->sim, MBN_REG_FAULT_OFFSET);
		return 0;
	}
	res->status = ACCEL_JOB_DONE;
	res->cnt.cycles = reg64(s, MBN_REG_CYCLES_LO);
	res->cnt.dma_rd_bytes = reg64(s, MBN_REG_DMA_RD_BYTES_LO);
	res->cnt.dma_wr_bytes = reg64(s, MBN_REG_DMA_WR_BYTES_LO);
	res->cnt.stall = reg64(s, MBN_REG_STALL_LO);
	res->cnt.mac_active = reg64(s, MBN_REG_MAC_ACTIVE_LO);
	res->cnt.pw_busy = reg64(s, MBN_REG_PW_BUSY_LO);
	res->cnt.dw_busy = reg64(s, MBN_REG_DW_BUSY_LO);
	return 0;
}

static const struct accel_dev_ops sim_ops = {
	.queued = false, /* the registers hold one job */
	.buf_alloc = sim_buf_alloc,
	.buf_free = sim_buf_free,
	.act_alloc = sim_act_alloc,
	.act_free = sim_act_free,
	.submit = sim_submit,
	.wait = sim_wait,
};

static void sim_describe(struct mbn_device *dev, char *buf, size_t len)
{
	struct sim_dev *s = dev->priv;

	int n = snprintf(buf, len, "simulated mbnaccel RTL: ");
	if (n >= 0 && (size_t)n < len)
		mbn_accel_caps_describe(&s->ad.caps, buf + n, len - (size_t)n);
}

const struct mbn_backend mbn_backend_sim = {
	.scheme = "sim",
	.open = sim_open,
	.close = sim_close,
	.compile = mbn_accel_dev_compile,
	.release = mbn_accel_dev_release,
	.run = mbn_accel_dev_run,
	.exclusive = true, /* one simulator per device */
	.layer_on_accel = mbn_accel_dev_layer_on_accel,
	.layer_cpu_reason = mbn_accel_dev_layer_cpu_reason,
	.describe = sim_describe,
};
