/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rtl-control.c (part of sim-rtl, see sim-rtl.h): the job's control path and limits on
 * the RTL against the C model: a descriptor fetch past its region, DESC_COUNT = 0, CAPS
 * against the build parameters, injected AXI SLVERR on reads and writes (FAULT_AXI, no
 * hang, usable afterwards), CTRL.RESET in the middle of a job, and tiles at the IBUF row
 * banks' limits (fit: bit-exact; one row or pixel over: FAULT_DESC).
 */
#define SIMTEST_PART /* simtest.h's counters and RNG are sim-rtl.c's */
#include "sim-rtl.h"

/* Descriptor fetch beyond the descriptor region; DESC_COUNT = 0. */
void test_desc_fetch(void)
{
	char cfgd[96], why[256];
	mbn_sim *s = new_sim(0, cfgd, sizeof(cfgd));
	if (!s) {
		fail("rtl-fault-desc-fetch", "cannot create simulator");
		return;
	}
	uint8_t *m = L.mem(s, NULL);
	struct chain c;
	chain_layout(&c, MEM_BYTES);
	chain_add(&c, m, &P, 16, 0);
	chain_add(&c, m, &P, 16, 0);
	c.reg[0].size = 64 + 48; /* descriptor 1 does not fit */
	struct mbn_cmodel_fault f;
	struct result r;
	run_both(s, &c, 2, 2000000, &f, &r);
	why[0] = 0;
	if (r.timeout || r.status != 4 || r.code != MBN_FAULT_BOUNDS || r.fdesc != 1 || r.done != 1)
		snprintf(why, sizeof(why), "timeout %d STATUS 0x%x FAULT_CODE %u FAULT_DESC %u DESC_DONE %u",
			 r.timeout, r.status, r.code, r.fdesc, r.done);
	else
		compare_mem(s, why, sizeof(why));
	if (why[0])
		fail("rtl-fault-desc-fetch", "%s", why);
	else
		pass("rtl-fault-desc-fetch");

	run_job(s, &c, 4, 0, 1000, &r);
	if (r.timeout || r.status != 2 || r.irq_status != 1 || r.done != 0 || r.rd != 0)
		fail("rtl-count0", "timeout %d STATUS 0x%x IRQ_STATUS 0x%x DESC_DONE %u RD %" PRIu64, r.timeout,
		     r.status, r.irq_status, r.done, r.rd);
	else
		pass("rtl-count0");

	/* CAPS agrees with the parameters */
	uint32_t caps0 = L.reg_read(s, MBN_REG_CAPS0), caps2 = L.reg_read(s, MBN_REG_CAPS2);
	uint32_t caps3 = L.reg_read(s, MBN_REG_CAPS3);
	if (MBN_CAPS0_LANES_GET(caps0) != P.lanes || MBN_CAPS0_MACS_GET(caps0) != P.lanes * 16 ||
	    MBN_CAPS0_AXI_BYTES_GET(caps0) != 16 || MBN_CAPS2_QBUF_GET(caps2) != P.qbuf_entries ||
	    MBN_CAPS3_REGIONS_GET(caps3) != MBN_NUM_REGIONS ||
	    !!(caps3 & MBN_CAPS3_FUSE) != !!P.fuse || !(caps3 & MBN_CAPS3_PW16))
		fail("rtl-caps", "CAPS0 0x%08x CAPS2 0x%08x CAPS3 0x%08x for %s", caps0, caps2, caps3,
		     L.params());
	else
		pass("rtl-caps");
	L.destroy(s);
}

/* Injected SLVERR on the weights of descriptor 1 (reads) or its output (writes). */
void test_axi_error(int on_write)
{
	const char *name = on_write ? "rtl-axi-error-write" : "rtl-axi-error-read";
	char cfgd[96];
	mbn_sim *s = new_sim(1, cfgd, sizeof(cfgd));
	if (!s) {
		fail(name, "cannot create simulator");
		return;
	}
	uint8_t *m = L.mem(s, NULL);
	struct chain c;
	chain_layout(&c, MEM_BYTES);
	for (int i = 0; i < 3; i++)
		chain_add(&c, m, &P, 32, 0);
	chain_write_descs(&c, m);
	struct tdesc *d = &c.d[1];
	uint64_t a = on_write ? c.reg[3].base + d->out_offset : c.reg[2].base + d->w_offset;
	L.inject_axi_error(s, a, a + 16);
	struct result r;
	run_job(s, &c, 4, 3, 2000000, &r);
	if (r.timeout || r.status != 4 || r.irq_status != 2 || r.code != MBN_FAULT_AXI || r.fdesc != 1 ||
	    r.done != 1 || L.protocol_errors(s))
		fail(name, "timeout %d STATUS 0x%x IRQ_STATUS 0x%x FAULT_CODE %u FAULT_DESC %u DESC_DONE %u [%s]",
		     r.timeout, r.status, r.irq_status, r.code, r.fdesc, r.done, cfgd);
	else
		pass(name);
	/* the engine is usable afterwards */
	L.inject_axi_error(s, 0, 0);
	memcpy(ref, m, MEM_BYTES);
	mbn_cmodel_run_params(&P, ref, MEM_BYTES, c.reg, 4, 0, 0, 3, NULL);
	run_job(s, &c, 4, 3, 2000000, &r);
	char why[256] = "";
	if (r.timeout || r.status != 2 || r.done != 3)
		snprintf(why, sizeof(why), "rerun: timeout %d STATUS 0x%x DESC_DONE %u", r.timeout, r.status, r.done);
	else
		compare_mem(s, why, sizeof(why));
	if (why[0])
		fail(on_write ? "rtl-axi-error-write-recover" : "rtl-axi-error-read-recover", "%s", why);
	else
		pass(on_write ? "rtl-axi-error-write-recover" : "rtl-axi-error-read-recover");
	L.destroy(s);
}

/* CTRL.RESET in the middle of a long job, then a correct job. */
void test_reset(void)
{
	char cfgd[96], why[256] = "";
	mbn_sim *s = new_sim(0, cfgd, sizeof(cfgd));
	if (!s) {
		fail("rtl-reset-midjob", "cannot create simulator");
		return;
	}
	uint8_t *m = L.mem(s, NULL);
	struct chain c;
	chain_layout(&c, MEM_BYTES);
	for (int i = 0; i < 12; i++)
		chain_add(&c, m, &P, 128, 0);
	chain_write_descs(&c, m);
	job_start(&L, s, c.reg, 4, 0, 0, (uint32_t)c.n);
	L.step(s, 3000);
	uint32_t st0 = L.reg_read(s, MBN_REG_STATUS);
	L.reg_write(s, MBN_REG_CTRL, 2);
	uint32_t st = 0;
	int n;
	for (n = 0; n < 1000; n++) {
		st = L.reg_read(s, MBN_REG_STATUS);
		if (!(st & 1))
			break;
		L.step(s, 100);
	}
	if (!(st0 & 1))
		snprintf(why, sizeof(why), "job not busy 3000 cycles after START (STATUS 0x%x)", st0);
	else if (st & 1)
		snprintf(why, sizeof(why), "still BUSY 100000 cycles after RESET");
	else if (st & 2)
		snprintf(why, sizeof(why), "STATUS.DONE after RESET (0x%x)", st);
	if (why[0])
		fail("rtl-reset-midjob", "%s", why);
	else
		pass("rtl-reset-midjob");
	/* next job from the memory as the aborted job left it */
	L.step(s, 200);
	L.reg_write(s, MBN_REG_IRQ_STATUS, 3);
	struct chain c2 = c;
	c2.n = 4;
	memcpy(ref, m, MEM_BYTES);
	mbn_cmodel_run_params(&P, ref, MEM_BYTES, c2.reg, 4, 0, 0, 4, NULL);
	struct result r;
	run_job(s, &c2, 4, 4, 5000000, &r);
	why[0] = 0;
	if (r.timeout || r.status != 2 || r.done != 4)
		snprintf(why, sizeof(why), "timeout %d STATUS 0x%x DESC_DONE %u", r.timeout, r.status, r.done);
	else
		compare_mem(s, why, sizeof(why));
	if (!why[0] && L.protocol_errors(s))
		snprintf(why, sizeof(why), "%" PRIu64 " AXI protocol errors", L.protocol_errors(s));
	if (why[0])
		fail("rtl-reset-next-job", "%s", why);
	else
		pass("rtl-reset-next-job");
	L.destroy(s);
}

/* Give d (geometry set) random data, zero points and fresh offsets in c. */
static void limit_desc_data(struct chain *c, uint8_t *m, struct tdesc *d)
{
	d->round = rnd(3);
	d->w_zp = rnd(256), d->in_zp = rnd(256), d->out_zp = rnd(256);
	d->act_min = 0, d->act_max = 255;
	d->in_region = 1, d->w_region = 2, d->q_region = 2, d->out_region = 3;
	if (!d->reuse_input) {
		d->in_offset = chain_alloc(c, 1, desc_in_bytes(d));
		rnd_fill(m + c->reg[1].base + d->in_offset, desc_in_bytes(d));
	}
	chain_weights(c, m, d, P.lanes, 0);
	if (d->fuse) {
		desc_make_fused(d);
	} else {
		d->out_stride = d->out_c;
		d->out_offset = chain_alloc(c, 3, desc_out_extent(d));
	}
}

/*
 * IBUF row banks at their limits (docs/hw.md): tiles exactly at (R + 2) * W = 3 x space
 * run bit-exact with the C model (the top bank rows, the whole bank, row_off past the
 * middle of the tile, a fused output of the most pixels), and one row or pixel more is
 * FAULT_DESC. `over` adds that row.
 */
static void limit_case(const char *name, int kind, int over)
{
	char cfgd[96], why[256] = "";
	mbn_sim *s = new_sim(1, cfgd, sizeof(cfgd));
	if (!s) {
		fail(name, "cannot create simulator");
		return;
	}
	uint8_t *m = L.mem(s, NULL);
	struct chain c;
	chain_layout(&c, MEM_BYTES);
	const uint64_t bank = P.ibuf_words * 16ull, half = bank / 2;
	struct tdesc *d = &c.d[0];
	memset(d, 0, 2 * sizeof(*d));
	if (kind == 0 || kind == 1) { /* DW over a whole bank, stride 1 or 2: the last rows */
		d->op = MBN_OP_DW, d->in_c = d->out_c = 256, d->in_w = 16, d->out_w = kind ? 8 : 16;
		d->in_rows = (uint32_t)(3 * bank / (16 * 256) - 2) + over;
		d->out_rows = (uint32_t)(P.obuf_words * 16 / (d->out_w * 256ull));
		if (d->out_rows > 16)
			d->out_rows = 16;
		d->stride = kind ? 2 : 1, d->pad_left = 1;
		int span = (int)(d->out_rows - 1) * (int)d->stride + 3;
		d->row_off = (int)d->in_rows - over - span; /* the last row read: in_rows - 1 - over */
		if (d->row_off > 127)
			d->row_off = 127;
	} else if (kind == 2) { /* PW of the most pixels of 512 (or more) channels */
		/* more input channels (fewer pixels) where LANES outputs of that many pixels
		 * would not fit OBUF (128 lanes), so that only IBUF is at its limit */
		uint32_t in_c = 512;
		while ((3 * bank / in_c - 1) * P.lanes > P.obuf_words * 16ull)
			in_c *= 2;
		d->op = MBN_OP_PW, d->in_c = in_c, d->out_c = P.lanes;
		d->in_rows = d->out_rows = 1;
		d->in_w = d->out_w = (uint32_t)(3 * bank / in_c - 2) + over;
	} else if (kind == 3) { /* fused DW: input at the half's limit, then a PW reusing it */
		d->op = MBN_OP_DW, d->fuse = 1, d->in_c = d->out_c = 256, d->in_w = d->out_w = 16;
		d->in_rows = (uint32_t)(3 * half / (16 * 256) - 2) + over;
		d->out_rows = 16, d->stride = 1, d->pad_left = 1;
		d->row_off = (int)d->in_rows - over - 18; /* up to the last row */
	} else { /* fused DW: output of the most pixels (rows past the input are padding) */
		d->op = MBN_OP_DW, d->fuse = 1, d->in_c = d->out_c = 256, d->in_w = d->out_w = 2;
		d->in_rows = 40;
		d->out_rows = (uint32_t)((3 * half / 256 - 2) / 2) + over;
		d->stride = 1, d->pad_left = 1, d->row_off = -1;
	}
	limit_desc_data(&c, m, d);
	c.n = 1;
	if (d->fuse) {
		struct tdesc *q = &c.d[1];
		/* 16 output channels (CAPS3 PW16): so that the most pixels' output fits OBUF at
		 * every LANES */
		q->op = MBN_OP_PW, q->reuse_input = 1, q->in_c = d->out_c, q->out_c = 16;
		q->in_rows = q->out_rows = 1;
		q->in_w = q->out_w = d->out_rows * d->out_w;
		q->in_offset = 0x10; /* not read */
		limit_desc_data(&c, m, q);
		c.n = 2;
	}
	struct mbn_cmodel_fault f;
	struct result r;
	int rc = run_both(s, &c, (uint32_t)c.n, 20000000, &f, &r);
	if (rc != (over ? (int)MBN_FAULT_DESC : 0))
		snprintf(why, sizeof(why), "model gives %d: test bug", rc);
	else if (r.timeout)
		snprintf(why, sizeof(why), "no irq (STATUS 0x%x)", r.status);
	else if (over && (r.status != 4 || r.code != MBN_FAULT_DESC || r.fdesc != 0))
		snprintf(why, sizeof(why), "STATUS 0x%x FAULT_CODE %u FAULT_DESC %u, want FAULT_DESC on 0", r.status,
			 r.code, r.fdesc);
	else if (!over && (r.status != 2 || r.done != (uint32_t)c.n))
		snprintf(why, sizeof(why), "STATUS 0x%x FAULT_CODE %u DESC_DONE %u", r.status, r.code, r.done);
	else if (compare_mem(s, why, sizeof(why)))
		;
	else if (r.rd != f.rd_bytes || r.wr != f.wr_bytes)
		snprintf(why, sizeof(why), "DMA_RD/WR_BYTES %" PRIu64 "/%" PRIu64 " want %" PRIu64 "/%" PRIu64, r.rd,
			 r.wr, f.rd_bytes, f.wr_bytes);
	if (why[0]) {
		fail(name, "%s [%s]", why, cfgd);
		describe(&c);
	} else {
		pass(name);
	}
	L.destroy(s);
}

void test_ibank_limits(void)
{
	static const char *const kinds[] = { "dw-bank", "dw-bank-s2", "pw-bank", "fused-in-half", "fused-out-half" };
	char name[64];
	for (int k = 0; k < 5; k++)
		for (int over = 0; over < 2; over++) {
			if (k >= 3 && !P.fuse)
				continue;
			snprintf(name, sizeof(name), "rtl-ibuf-%s-%s", kinds[k], over ? "over" : "fit");
			limit_case(name, k, over);
		}
}
