/*
 * drmtest_desc.c - the descriptors SUBMIT checks (DESIGN.md: one hardware contract,
 * hw/regs/mbnaccel.regs -> mbn_regs.h): every descriptor the hardware would fault on,
 * or whose bits the RTL ignores, is refused with EINVAL; each case is the good PW
 * descriptor with struct mbn_desc fields changed, or with bits set that no field covers
 * (the generated MBN_DESC_USED<i>), then packed by mbn_desc_pack - no hand-written
 * shift or mask. Also: on-chip reuse across descriptors and jobs, an output extent at
 * the BO's end, the IBUF capacity bound (an oracle independent of desc_check.h), and
 * NO_VALIDATE, where the hardware's own bounds check must fault and write nothing.
 */
#include "drmtest.h"

#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---- descriptors as fields */

/* The fields of struct mbn_desc by number, from the generated list (DF_op, DF_round,
 * ...; DF_NONE ends a case's list of changes). Every field is a 32-bit integer. */
#define DF_ID(name, word, lsb, msb, is_signed) DF_##name,
enum desc_field {
	DF_NONE,
	MBN_DESC_FIELDS(DF_ID)
};
#define DF_ONE(name, word, lsb, msb, is_signed) +1
_Static_assert(sizeof(struct mbn_desc) == (0 MBN_DESC_FIELDS(DF_ONE)) * sizeof(uint32_t),
	       "struct mbn_desc: a field that is not 32 bits");

static uint32_t *desc_field(struct mbn_desc *m, enum desc_field f)
{
#define DF_CASE(name, word, lsb, msb, is_signed) \
	case DF_##name:                          \
		return (uint32_t *)&m->name;
	switch (f) {
		MBN_DESC_FIELDS(DF_CASE)
	default:
		return NULL;
	}
#undef DF_CASE
}

/* Bits of word w some field covers; the others are reserved (or, for d4[7:4], d6[31:16]
 * and d11[31:16], bits the RTL ignores: issue 13 item 6). */
static const uint32_t desc_used[16] = { MBN_DESC_USED_LIST };

/* Set bits no field covers; -1 (nothing set) if one of them is a field's: the contract
 * gave it a meaning and the case must become a field change. */
static int desc_set_unused(uint32_t w[16], unsigned word, uint32_t bits)
{
	if (word >= 16 || (bits & desc_used[word]))
		return -1;
	w[word] |= bits;
	return 0;
}

/* The words of n descriptors; -1 if a field's value does not fit its bits. */
static int desc_pack_chain(const struct mbn_desc *m, unsigned n, uint32_t (*w)[16])
{
	for (unsigned i = 0; i < n; i++)
		if (mbn_desc_pack(&m[i], w[i]))
			return -1;
	return 0;
}

/* Descriptors the hardware would fault on, or whose bits it would ignore: the job's good
 * descriptor with fields changed (set[], up to DF_NONE) and then bits no field covers set
 * (unused_bits in word unused_word). */
struct bad_desc {
	const char *name;
	struct {
		enum desc_field f;
		uint32_t v;
	} set[4];
	unsigned unused_word;
	uint32_t unused_bits;
};

static const struct bad_desc bad_descs[] = {
	{ "desc-op-0", .set = { { DF_op, 0 } } },
	{ "desc-op-3", .set = { { DF_op, 3 } } },
	{ "desc-reserved-bit", .unused_word = 0, .unused_bits = 1u << 12 },
	{ "desc-round-3", .set = { { DF_round, 3 } } },
	{ "desc-reserved-word", .unused_word = 13, .unused_bits = 1u << 0 },
	{ "desc-in-c-not-16", .set = { { DF_in_c, 24 } } },
	{ "desc-region-unbound", .set = { { DF_in_region, 1 }, { DF_w_region, 2 }, { DF_q_region, 3 }, { DF_out_region, 4 } } },
	{ "desc-region-7", .set = { { DF_out_region, 7 } } },
	{ "desc-in-offset-misaligned", .set = { { DF_in_offset, 8 } } },
	{ "desc-out-offset-oob", .set = { { DF_out_offset, 4096 - 736 } } }, /* extent 752 in a 4 KiB BO: 16 bytes over */
	{ "desc-w-offset-overflow", .set = { { DF_w_offset, 0xfffffff0u } } },
	{ "desc-q-offset-huge", .set = { { DF_q_offset, 0x80000000u } } },
	{ "desc-stride-small", .set = { { DF_out_stride, 16 } } },
	{ "desc-pw-shape", .set = { { DF_out_rows, 5 } } },
	{ "desc-zero-rows", .set = { { DF_in_rows, 0 } } },
	{ "desc-ibuf-capacity", .set = { { DF_in_rows, MBN_D_IN_ROWS_MASK }, { DF_in_w, MBN_D_IN_W_MASK } } },
	{ "desc-fuse-on-pw", .set = { { DF_fuse, 1 } } }, /* a chained PW (docs/hw.md "Chaining") with an output region: refused */
	/* bits the RTL ignores today (issue 13 item 6): refused, not passed on. The three
	 * d4 cases have always had w_zp 0 besides (they wrote d4 whole): kept, so the
	 * words submitted are the same as before. */
	{ "desc-d4-bits-7-4", .set = { { DF_w_zp, 0 } }, .unused_word = 4, .unused_bits = 1u << 4 },
	{ "desc-pw-row-off", .set = { { DF_w_zp, 0 }, { DF_row_off, 1 } } },
	{ "desc-pw-pad-left", .set = { { DF_w_zp, 0 }, { DF_pad_left, 1 } } },
	{ "desc-d6-bits-31-16", .unused_word = 6, .unused_bits = 1u << 16 },
	{ "desc-d11-bits-31-16", .unused_word = 11, .unused_bits = 1u << 16 },
};

/* Each bad descriptor second in a chain behind the good one: every descriptor is
 * checked, not only the first. */
void test_desc_refused(int fd, struct pwjob *j)
{
	for (unsigned i = 0; i < sizeof(bad_descs) / sizeof(bad_descs[0]); i++) {
		const struct bad_desc *b = &bad_descs[i];
		struct mbn_desc m[2] = { pw_fields(j), pw_fields(j) };
		uint32_t chain[2][16];
		for (unsigned k = 0; k < 4 && b->set[k].f != DF_NONE; k++)
			*desc_field(&m[1], b->set[k].f) = b->set[k].v;
		if (desc_pack_chain(m, 2, chain) || desc_set_unused(chain[1], b->unused_word, b->unused_bits)) {
			fail(b->name, "the case does not fit the descriptor layout of mbn_regs.h");
			continue;
		}
		EXPECT_ERR(b->name, submit(fd, chain, 2, j->h, 4, 0, 0, 0, NULL), EINVAL);
	}
}

/* Submit the n descriptors at d on the BOs h and require that the job is accepted and
 * completes all n without a fault. */
static void expect_done(int fd, const char *name, const void *d, uint32_t n, const uint32_t *h,
			const char *what)
{
	struct drm_mbnaccel_wait w = { 0 };
	uint64_t id;
	int r = submit(fd, d, n, h, 4, 0, 0, 0, &id);
	if (!r && !(r = wait_job(fd, id, 120000, &w)) && w.status == MBNACCEL_JOB_DONE && w.desc_done == n)
		pass("%s accepted and done (%s)", name, what);
	else
		fail(name, "%s: r=%d status %u fault %u, %u of %u done", what, r, w.status, w.fault_code,
		     w.desc_done, n);
}

/* On-chip reuse must not read what an earlier job (maybe another process's) left:
 * reuse flags on descriptor 0 and reuse that reads more than this job loaded are
 * refused; the same reuse after a load of the same size is fine. */
void test_desc_reuse(int fd, struct pwjob *j)
{
	struct mbn_desc m[2];
	uint32_t chain[2][16];

	m[0] = pw_fields(j);
	m[0].reuse_input = 1;
	desc_pack_chain(m, 1, chain);
	EXPECT_ERR("desc0-reuse-input", submit(fd, chain, 1, j->h, 4, 0, 0, 0, NULL), EINVAL);
	m[0] = pw_fields(j);
	m[0].reuse_weights = 1;
	desc_pack_chain(m, 1, chain);
	EXPECT_ERR("desc0-reuse-weights", submit(fd, chain, 1, j->h, 4, 0, 0, 0, NULL), EINVAL);

	m[0] = pw_fields(j);
	m[0].in_rows = m[0].out_rows = j->rows / 2; /* half the pixels loaded (rows = 4) */
	m[1] = pw_fields(j);
	m[1].reuse_input = 1; /* all of them reused */
	desc_pack_chain(m, 2, chain);
	EXPECT_ERR("desc-reuse-input-grown", submit(fd, chain, 2, j->h, 4, 0, 0, 0, NULL), EINVAL);

	/* The same bytes in other rows: 16 pixels of 32 channels are loaded as 16
	 * rows of 2 words; a DW reuse reading them as one row of 16 x 32 bytes (32
	 * words) reads, with IBUF row banks, 32 words of bank 0 where this job put 12
	 * (rows 0, 3, .., 15): refused. Without banks it reads the same words (run). */
	uint64_t caps3 = 0;
	get_param(fd, MBNACCEL_PARAM_CAPS3, &caps3);
	m[0] = pw_fields(j);
	m[1] = pw_fields(j);
	m[1].op = MBN_OP_DW, m[1].round = 0, m[1].reuse_input = 1;
	m[1].in_rows = m[1].out_rows = 1; /* 1 x 16 px, 32 ch */
	m[1].in_w = m[1].out_w = j->rows * j->w;
	m[1].in_c = m[1].out_c = j->in_c;
	m[1].stride = 1;
	desc_pack_chain(m, 2, chain);
	if (caps3 & CAPS3_IBANK) {
		EXPECT_ERR("desc-reuse-input-regrouped", submit(fd, chain, 2, j->h, 4, 0, 0, 0, NULL),
			   EINVAL);
	} else {
		expect_done(fd, "desc-reuse-input-regrouped", chain, 2, j->h, "no IBANK: one copy of the tile");
	}

	m[0] = pw_fields(j);
	m[1] = pw_fields(j);
	m[1].reuse_weights = m[1].reuse_input = 1;
	desc_pack_chain(m, 2, chain);
	expect_done(fd, "desc-reuse-same-size", chain, 2, j->h, "input and weights as loaded");
}

/* Chaining (docs/hw.md "Chaining", CAPS3 CHAIN): a chained DW reads the map the chained
 * PW descriptors right before it wrote into IBUF. The kernel accepts it only when those
 * PWs wrote the whole map and the DW reads no more than the map (mbn_reuse_step), so a
 * chained DW cannot read what an earlier job, maybe another process's, left in IBUF.
 * Without CHAIN both bits are reserved. */
void test_desc_chain(int fd, struct pwjob *j)
{
	struct mbn_desc m[2];
	uint32_t chain[2][16];
	uint64_t caps3 = 0;
	get_param(fd, MBNACCEL_PARAM_CAPS3, &caps3);

	/* the PW's output (rows x w pixels, out_c channels) as a map in IBUF; the DW reads
	 * it and stores to the output BO as the PW would (out_c <= its stride) */
	m[0] = pw_fields(j);
	m[0].fuse = 1, m[0].out_region = 0, m[0].out_offset = 0, m[0].out_stride = j->out_c;
	m[1] = pw_fields(j);
	m[1].op = MBN_OP_DW, m[1].round = 0, m[1].reuse_input = 1, m[1].chained = 1;
	m[1].in_c = m[1].out_c = j->out_c;
	m[1].stride = 1;
	if (!(caps3 & CAPS3_CHAIN)) {
		desc_pack_chain(m, 2, chain);
		EXPECT_ERR("desc-chain-without-caps", submit(fd, chain, 2, j->h, 4, 0, 0, 0, NULL), EINVAL);
		return;
	}
	desc_pack_chain(m, 2, chain);
	expect_done(fd, "desc-chain-whole-map", chain, 2, j->h, "a chained PW, then the chained DW");

	/* a chained DW after a PW that wrote to DRAM: no map, IBUF holds another job's bytes */
	struct mbn_desc pw = m[0];
	m[0] = pw_fields(j);
	desc_pack_chain(m, 2, chain);
	EXPECT_ERR("desc-chain-no-map", submit(fd, chain, 2, j->h, 4, 0, 0, 0, NULL), EINVAL);
	/* the only descriptor of its job */
	desc_pack_chain(&m[1], 1, chain);
	EXPECT_ERR("desc0-chain", submit(fd, chain, 1, j->h, 4, 0, 0, 0, NULL), EINVAL);
	/* a map with only its first 16 channels written */
	m[0] = pw, m[0].out_c = 16;
	desc_pack_chain(m, 2, chain);
	EXPECT_ERR("desc-chain-partial-map", submit(fd, chain, 2, j->h, 4, 0, 0, 0, NULL), EINVAL);
	/* a DW reading one row more than the map has */
	m[0] = pw;
	m[1].in_rows = j->rows + 1;
	desc_pack_chain(m, 2, chain);
	EXPECT_ERR("desc-chain-reads-more", submit(fd, chain, 2, j->h, 4, 0, 0, 0, NULL), EINVAL);
}

uint64_t test_desc_exact_fit(int fd, struct pwjob *j)
{
	/* an output extent exactly filling the BO is fine; one byte more is not
	 * (desc-out-offset-oob) */
	struct mbn_desc m = pw_fields(j);
	uint32_t d[16];
	m.out_offset = 0;
	mbn_desc_pack(&m, d);
	uint64_t id = 0;
	struct drm_mbnaccel_wait w;
	int r = submit(fd, d, 1, j->h, 4, 0, 0, 0, &id);
	if (!r && !wait_job(fd, id, 60000, &w) && w.status == 0)
		pass("desc-exact-fit accepted and done");
	else
		fail("desc-exact-fit", "r=%d status %u", r, w.status);
	return id;
}

/* ---- IBUF capacity at its bound (docs/hw.md "IBUF row banks", "Fusion") */

/* A DW descriptor: stride 1, row_off -1, pad_left 1, c channels, zero points 0; BO0
 * input, BO1 weights, BO2 qparams, BO3 output (fused: the output stays on chip and the
 * rules want out_region 0, out_offset 0). */
static void cap_dw_desc(uint32_t *d, uint32_t in_rows, uint32_t in_w, uint32_t c,
			uint32_t out_rows, uint32_t out_w, int fuse)
{
	const struct mbn_desc m = {
		.op = MBN_OP_DW,
		.fuse = fuse != 0,
		.in_rows = in_rows,
		.in_w = in_w,
		.in_c = c,
		.out_c = c,
		.out_rows = out_rows,
		.out_w = out_w,
		.stride = 1,
		.row_off = -1,
		.pad_left = 1,
		.w_zp = 128,
		.act_max = 255,
		.in_region = 0,
		.w_region = 1,
		.q_region = 2,
		.out_region = fuse ? 0 : 3,
		.out_stride = c,
	};
	mbn_desc_pack(&m, d);
}

/* Accepted and run to DONE (the output values are not checked, as for desc-exact-fit:
 * the point is that the driver and the hardware agree on the bound). */
/*
 * CAPS1 reports half of IBUF, of one bank with IBANK: S = 2 x that. A DW tile of R rows
 * of row bytes fits with IBANK while (R + 2) * row <= 3 * S, else while R * row <= S; a
 * fused DW's input (DW rows) and output (one row per pixel) each within a half, S/2.
 * The largest tile that fits is accepted and runs, one row more is EINVAL.
 * Deliberately independent of desc_check.h's mbn_ibuf_fits (the one copy of the rule
 * the driver, the C model and the compiler share): this is the oracle they are held to.
 */
void test_ibuf_capacity(int fd)
{
	uint64_t caps1 = 0, caps3 = 0, sz[4], real[4];
	uint32_t h[4] = { 0 }, d[16];
	char what[160];

	get_param(fd, MBNACCEL_PARAM_CAPS1, &caps1);
	get_param(fd, MBNACCEL_PARAM_CAPS3, &caps3);
	int ibank = (caps3 & CAPS3_IBANK) != 0, fuse = (caps3 & CAPS3_FUSE) != 0;
	uint64_t half = (uint64_t)MBN_CAPS1_IBUF_KIB_GET(caps1) * 1024, s = 2 * half;
	/* plain DW: 64 px x 16 ch = 1 KiB rows, one output row (1 KiB fits OBUF) */
	const uint32_t c = 16, iw = 64;
	uint64_t row = (uint64_t)iw * c;
	uint64_t fit = ibank ? 3 * s / row - 2 : s / row;
	/* fused DW: one pixel wide, 64 ch, output = input geometry: with IBANK the input
	 * ((R + 2) * fc) and the output ((R * 1 + 2) * fc) reach the bound together */
	const uint32_t fc = 64;
	uint64_t ffit = ibank ? 3 * half / fc - 2 : half / fc;
	const char *rule = ibank ? "IBANK: in + 2 rows <= 3 x" : "no IBANK: in <=";

	if (!half || fit + 1 > 0xffff || ffit + 1 > 0xffff) {
		fail("ibuf-capacity", "CAPS1 0x%" PRIx64 ": no 16-bit row count reaches the bound",
		     caps1);
		return;
	}
	sz[0] = (fit + 1) * row > (ffit + 1) * fc ? (fit + 1) * row : (ffit + 1) * fc;
	sz[1] = 9ull * fc;
	sz[2] = 16ull * fc;
	sz[3] = row;
	for (int i = 0; i < 4; i++)
		if (bo_create(fd, sz[i], &h[i], &real[i])) {
			fail("ibuf-capacity", "BO %d of %" PRIu64 " bytes: %s", i, sz[i], strerror(errno));
			goto out;
		}

	/* every bound sized so the input BO is big enough: EINVAL only from capacity */
	cap_dw_desc(d, (uint32_t)fit, iw, c, 1, iw, 0);
	snprintf(what, sizeof(what), "%" PRIu64 " rows x %" PRIu64 " B, %s %" PRIu64 " B", fit, row,
		 rule, s);
	expect_done(fd, "desc-ibuf-bound-dw", d, 1, h, what);
	cap_dw_desc(d, (uint32_t)fit + 1, iw, c, 1, iw, 0);
	EXPECT_ERR("desc-ibuf-bound-dw-plus-1-row", submit(fd, d, 1, h, 4, 0, 0, 0, NULL), EINVAL);

	if (!fuse) {
		printf("INFO no CAPS3 FUSE: fused DW capacity not tested\n");
		goto out;
	}
	cap_dw_desc(d, (uint32_t)ffit, 1, fc, (uint32_t)ffit, 1, 1);
	snprintf(what, sizeof(what), "%" PRIu64 " x 1 px x %u ch in and out, %s %" PRIu64 " B",
		 ffit, fc, rule, half);
	expect_done(fd, "desc-ibuf-bound-fused", d, 1, h, what);
	cap_dw_desc(d, (uint32_t)ffit + 1, 1, fc, (uint32_t)ffit, 1, 1);
	EXPECT_ERR("desc-ibuf-bound-fused-input-plus-1-row", submit(fd, d, 1, h, 4, 0, 0, 0, NULL),
		   EINVAL);
	cap_dw_desc(d, (uint32_t)ffit, 1, fc, (uint32_t)ffit + 1, 1, 1);
	EXPECT_ERR("desc-ibuf-bound-fused-output-plus-1-px", submit(fd, d, 1, h, 4, 0, 0, 0, NULL),
		   EINVAL);
out:
	for (int i = 0; i < 4; i++)
		if (h[i])
			gem_close(fd, h[i]);
}

/* NO_VALIDATE: the hardware's own region check must fault and write nothing. Without
 * unsafe_test_mode the flag is refused (EPERM): a pass in the basic suite, a failure
 * with --unsafe (must_run), which expects the module loaded with unsafe_test_mode=1. */
void test_no_validate(int fd, int must_run)
{
	struct pwjob *j = pw_new(fd, 4, 4, 32, 2 * g_lanes, 1, 9);
	uint32_t canh;
	uint64_t canreal, id;
	struct drm_mbnaccel_wait w;
	if (!j)
		return;
	/* a neighbour BO allocated right after the output: the likeliest victim of an
	 * overrun */
	if (bo_create(fd, 64 * 1024, &canh, &canreal)) {
		fail("no-validate", "canary BO");
		pw_free(j);
		return;
	}
	uint8_t *can = bo_map(fd, canh, canreal);
	memset(can, 0x5C, canreal);
	struct mbn_desc m[2] = { pw_fields(j), pw_fields(j) };
	uint32_t chain[2][16];
	m[1].out_offset = 4096; /* output at the BO's end: extent beyond it */
	desc_pack_chain(m, 2, chain);
	int r = submit(fd, chain, 2, j->h, 4, MBNACCEL_SUBMIT_NO_VALIDATE, 0, 0, &id);
	if (r == -EPERM) {
		if (must_run)
			fail("no-validate", "EPERM: load the module with unsafe_test_mode=1 for --unsafe");
		else
			pass("no-validate refused without unsafe_test_mode (EPERM); the hardware fault itself is checked by --unsafe");
		goto out;
	}
	EXPECT_ERR("no-validate-invalid-refused-without-flag", submit(fd, chain, 2, j->h, 4, 0, 0, 0, NULL), EINVAL);
	if (r || wait_job(fd, id, 60000, &w)) {
		fail("no-validate-fault", "submit/wait: %s", strerror(-r));
		goto out;
	}
	if (w.status == MBNACCEL_JOB_FAULT && w.fault_code == 1 && w.fault_desc == 1 &&
	    w.fault_offset == 4096 && w.desc_done == 1)
		pass("no-validate-fault (status FAULT, code 1 BOUNDS, desc 1, offset 0x1000, desc_done 1)");
	else
		fail("no-validate-fault", "status %u code %u desc %u offset 0x%x done %u", w.status,
		     w.fault_code, w.fault_desc, w.fault_offset, w.desc_done);
	/* descriptor 0 ran (its output is right), descriptor 1 wrote nothing: the bytes
	 * after the output extent and the neighbour BO keep their canaries */
	char why[200];
	int ok = 1;
	uint64_t real3 = (j->sz[3] + 4095) & ~4095ull;
	for (uint64_t i = j->sz[3]; i < real3; i++)
		ok &= j->p[3][i] == 0xA5;
	for (uint64_t i = 0; i < canreal; i++)
		ok &= can[i] == 0x5C;
	if (pw_check(j, why, sizeof(why)))
		fail("no-validate-desc0-output", "%s", why);
	else
		pass("no-validate-desc0-output correct");
	if (ok)
		pass("no-validate-canaries unchanged (tail of output BO and a neighbour BO)");
	else
		fail("no-validate-canaries", "a canary byte changed");
	/* issue 13 item 8: a NO_VALIDATE job taints the kernel (TAINT_USER, bit 6), and
	 * the flag is CAP_SYS_ADMIN's only, even with unsafe_test_mode=1: a child that
	 * drops root (and with it every capability) keeps the fd but gets EPERM */
	{
		FILE *tf = fopen("/proc/sys/kernel/tainted", "r");
		unsigned long taint = 0;
		if (tf && fscanf(tf, "%lu", &taint) == 1 && (taint & (1ul << 6)))
			pass("no-validate taints the kernel (TAINT_USER)");
		else
			fail("no-validate-taint", "/proc/sys/kernel/tainted = %lu, want bit 6", taint);
		if (tf)
			fclose(tf);
		fflush(stdout);
		pid_t pid = fork();
		if (pid == 0) {
			if (setgid(65534) || setuid(65534))
				_exit(2);
			uint64_t cid;
			_exit(submit(fd, chain, 2, j->h, 4, MBNACCEL_SUBMIT_NO_VALIDATE, 0, 0, &cid) == -EPERM ? 0 : 1);
		}
		int st = 0;
		if (pid > 0)
			waitpid(pid, &st, 0);
		if (pid > 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0)
			pass("no-validate refused without CAP_SYS_ADMIN (EPERM)");
		else
			fail("no-validate-cap-sys-admin", "child without CAP_SYS_ADMIN: exit status 0x%x (1: not EPERM)", st);
	}
	/* region 5 is not bound: its size is 0, so the hardware faults too */
	m[0] = pw_fields(j);
	m[0].out_region = 5;
	desc_pack_chain(m, 1, chain);
	r = submit(fd, chain, 1, j->h, 4, MBNACCEL_SUBMIT_NO_VALIDATE, 0, 0, &id);
	if (!r && !wait_job(fd, id, 60000, &w) && w.status == MBNACCEL_JOB_FAULT && w.fault_code == 1)
		pass("no-validate-unbound-region faults (BOUNDS on a size-0 region)");
	else
		fail("no-validate-unbound-region", "r=%d status %u code %u", r, w.status, w.fault_code);
out:
	munmap(can, canreal);
	gem_close(fd, canh);
	pw_free(j);
}
