/*
 * sim-harness.c: tests of the simulator harness and DRAM model against the stub RTL
 * (hw/sim/stub/mbnaccel_top.v: registers, plus a word-by-word copy DMA).
 *   sim-harness LIB.so
 * Checks: AXI4-Lite register access, irq level, DRAM latency and bandwidth visible in
 * cycle counts, SLVERR injection and DECERR beyond mem_bytes, FST tracing, stats, no
 * protocol errors, several instances at once.
 */
#include "simtest.h"

static struct mbn_sim_lib L;

/* Copy n words from base0+off to base1 with the stub; returns cycles or -1 on timeout. */
static int64_t stub_copy(mbn_sim *s, uint64_t base0, uint32_t off, uint64_t base1, uint32_t n,
			 uint32_t *status)
{
	L.reg_write(s, MBN_REG_REGION(0), (uint32_t)base0);
	L.reg_write(s, MBN_REG_REGION(0) + 4, (uint32_t)(base0 >> 32));
	L.reg_write(s, MBN_REG_REGION(1), (uint32_t)base1);
	L.reg_write(s, MBN_REG_REGION(1) + 4, (uint32_t)(base1 >> 32));
	L.reg_write(s, MBN_REG_DESC_OFFSET, off);
	L.reg_write(s, MBN_REG_DESC_COUNT, n);
	L.reg_write(s, MBN_REG_IRQ_ENABLE, 3);
	uint64_t c0 = L.cycles(s);
	L.reg_write(s, MBN_REG_CTRL, 1);
	if (L.wait_irq(s, 1000000))
		return -1;
	int64_t c = (int64_t)(L.cycles(s) - c0);
	*status = L.reg_read(s, MBN_REG_STATUS);
	L.reg_write(s, MBN_REG_IRQ_STATUS, 3);
	return c;
}

int main(int argc, char **argv)
{
	char err[256];
	if (argc < 2 || mbn_sim_lib_open(&L, argv[1], err, sizeof(err))) {
		fail("harness-load", "%s", argc < 2 ? "usage: sim-harness LIB.so" : err);
		return 1;
	}
	pass("harness-load");

	struct mbn_sim_config cfg;
	L.default_config(&cfg);
	cfg.mem_bytes = 16 << 20;
	mbn_sim *s = L.create(&cfg, err, sizeof(err));
	if (!s) {
		fail("harness-create", "%s", err);
		return 1;
	}
	uint32_t id = L.reg_read(s, MBN_REG_ID);
	if (id != MBN_ID_VALUE)
		fail("harness-reg-read", "ID 0x%08x", id);
	else
		pass("harness-reg-read");
	L.reg_write(s, MBN_REG_DESC_COUNT, 0x1234);
	if (L.reg_read(s, MBN_REG_DESC_COUNT) != 0x1234)
		fail("harness-reg-write", "DESC_COUNT readback");
	else
		pass("harness-reg-write");
	if (!strstr(L.params(), "LANES=") || !strstr(L.params(), "IBUF_WORDS="))
		fail("harness-params", "'%s'", L.params());
	else
		pass("harness-params");

	uint64_t msz;
	uint8_t *m = L.mem(s, &msz);
	rnd_fill(m + 0x10000, 4096);
	uint32_t st;
	int64_t cyc = stub_copy(s, 0x10000, 0, 0x80000, 64, &st);
	if (cyc < 0 || st != 2 || memcmp(m + 0x10000, m + 0x80000, 1024) || L.irq(s))
		fail("harness-dma-copy", "cycles %" PRId64 " status %u", cyc, st);
	else
		pass("harness-dma-copy");
	/* one word per round trip: >= 64 * (read latency 64 + write latency 16) */
	if (cyc < 64 * 80 || cyc > 64 * 120)
		fail("harness-latency-default", "%" PRId64 " cycles for 64 round trips", cyc);
	else
		pass("harness-latency-default");
	struct mbn_sim_stats stt;
	L.stats(s, &stt);
	if (stt.rd_bytes != 1024 || stt.wr_bytes != 1024 || stt.rd_bursts != 64 || stt.wr_bursts != 64)
		fail("harness-stats", "rd %" PRIu64 " wr %" PRIu64, stt.rd_bytes, stt.wr_bytes);
	else
		pass("harness-stats");

	/* SLVERR injection on word 5 of the source */
	L.inject_axi_error(s, 0x10000 + 5 * 16, 0x10000 + 5 * 16 + 1);
	cyc = stub_copy(s, 0x10000, 0, 0x90000, 64, &st);
	uint32_t code = L.reg_read(s, MBN_REG_FAULT_CODE), done = L.reg_read(s, MBN_REG_DESC_DONE);
	if (cyc < 0 || st != 4 || code != MBN_FAULT_AXI || done != 6)
		fail("harness-slverr", "cycles %" PRId64 " status %u code %u done %u", cyc, st, code, done);
	else
		pass("harness-slverr");
	L.inject_axi_error(s, 0, 0);
	/* DECERR: source beyond mem_bytes */
	cyc = stub_copy(s, msz - 32, 0, 0x90000, 4, &st);
	code = L.reg_read(s, MBN_REG_FAULT_CODE);
	done = L.reg_read(s, MBN_REG_DESC_DONE);
	if (cyc < 0 || st != 4 || code != MBN_FAULT_AXI || done != 3)
		fail("harness-decerr", "status %u code %u done %u", st, code, done);
	else
		pass("harness-decerr");
	L.stats(s, &stt);
	if (stt.rd_err_beats != 2 || stt.wr_err_bursts != 0)
		fail("harness-err-stats", "rd_err %" PRIu64 " wr_err %" PRIu64, stt.rd_err_beats,
		     stt.wr_err_bursts);
	else
		pass("harness-err-stats");
	/* write error: destination beyond memory */
	cyc = stub_copy(s, 0x10000, 0, msz - 16, 4, &st);
	L.stats(s, &stt);
	if (cyc < 0 || st != 4 || stt.wr_err_bursts != 1)
		fail("harness-write-decerr", "status %u wr_err %" PRIu64, st, stt.wr_err_bursts);
	else
		pass("harness-write-decerr");

	/* trace */
	const char *fst = "build/tests-sim/harness.fst";
	int trc = L.trace(s, fst);
	stub_copy(s, 0x10000, 0, 0x80000, 4, &st);
	L.trace(s, NULL);
	FILE *f = fopen(fst, "rb");
	long fsz = 0;
	if (f) {
		fseek(f, 0, SEEK_END);
		fsz = ftell(f);
		fclose(f);
	}
	if (trc || fsz < 100)
		fail("harness-trace", "rc %d, %ld bytes", trc, fsz);
	else
		pass("harness-trace");

	/* latency and bandwidth configurations, two instances at once */
	struct mbn_sim_config c2 = cfg;
	c2.read_latency = 200;
	c2.write_latency = 3;
	c2.bytes_per_cycle = 4;
	mbn_sim *s2 = L.create(&c2, err, sizeof(err));
	if (!s2) {
		fail("harness-config", "%s", err);
	} else {
		uint8_t *m2 = L.mem(s2, NULL);
		rnd_fill(m2 + 0x1000, 256);
		int64_t c = stub_copy(s2, 0x1000, 0, 0x2000, 16, &st);
		if (c < 16 * 203 || c > 16 * 240 || memcmp(m2 + 0x1000, m2 + 0x2000, 256))
			fail("harness-config", "%" PRId64 " cycles for 16 round trips at latency 200", c);
		else
			pass("harness-config");
		L.destroy(s2);
	}
	/* external memory */
	static uint8_t ext[1 << 20];
	struct mbn_sim_config c3 = cfg;
	c3.mem_bytes = sizeof(ext);
	c3.mem_external = ext;
	mbn_sim *s3 = L.create(&c3, err, sizeof(err));
	rnd_fill(ext + 0x100, 64);
	if (!s3 || L.mem(s3, NULL) != ext || stub_copy(s3, 0x100, 0, 0x4000, 4, &st) < 0 ||
	    memcmp(ext + 0x100, ext + 0x4000, 64))
		fail("harness-external-mem", "copy through caller memory failed");
	else
		pass("harness-external-mem");
	if (s3)
		L.destroy(s3);

	/* speed of the bare harness */
	double t0 = now_s();
	uint64_t c0 = L.cycles(s);
	L.step(s, 2000000);
	double dt = now_s() - t0;
	printf("harness: %.2f Mcycles/s (stub RTL)\n", (L.cycles(s) - c0) / dt / 1e6);
	if (L.protocol_errors(s))
		fail("harness-protocol", "%" PRIu64 " protocol errors", L.protocol_errors(s));
	else
		pass("harness-protocol");
	L.destroy(s);
	printf("%d passed, %d failed\n", st_passed, st_failed);
	return st_failed ? 1 : 0;
}
