/*
 * mbn-cosim-probe: a guest-side test of the co-simulation bridge without the kernel driver
 * (built static by tools/cosim/cosim.mk, run inside the QEMU guest by tests/driver/test-cosim.sh).
 * It finds the ivshmem device 1af4:1110, maps BAR0 and BAR2 through /dev/mem (or sysfs
 * resourceN), and speaks the mailbox protocol of docs/cosim.md.
 *
 *   mbn-cosim-probe selftest      checks, one "PASS name" / "FAIL name: why" line each
 *   mbn-cosim-probe faults        the bridge's --axi-error 0:0x80000000 --hang-job 2 hooks
 *   mbn-cosim-probe read OFF      a register read through the mailbox
 *   mbn-cosim-probe write OFF VAL a register write
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "cosim_mailbox.h"
#include "mbn_regs.h"

static volatile uint32_t *bar0, *mb;
static uint32_t host_id, seq;
static int fails;
static char bdf[256];

#define PASS(...) do { printf("PASS "); printf(__VA_ARGS__); printf("\n"); fflush(stdout); } while (0)
#define FAIL(...) do { printf("FAIL "); printf(__VA_ARGS__); printf("\n"); fflush(stdout); fails++; } while (0)

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int read_hex(const char *path, unsigned long *v)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	int ok = fscanf(f, "%lx", v) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

static volatile uint32_t *map_bar(int bar, uint64_t start, uint64_t len)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint64_t base = start & ~(uint64_t)(pg - 1);
	uint64_t maplen = ((start + len - base) + pg - 1) & ~(uint64_t)(pg - 1);
	int fd = open("/dev/mem", O_RDWR | O_SYNC);
	if (fd >= 0) {
		void *p = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_SHARED, fd, base);
		close(fd);
		if (p != MAP_FAILED)
			return (volatile uint32_t *)((char *)p + (start - base));
	}
	char path[512];
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource%d", bdf, bar);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		return NULL;
	void *p = mmap(NULL, (len + pg - 1) & ~(uint64_t)(pg - 1), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static int find_device(void)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	if (!d)
		return -1;
	struct dirent *e;
	int found = 0;
	while ((e = readdir(d))) {
		char p[768];
		unsigned long ven, dev;
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/vendor", e->d_name);
		if (read_hex(p, &ven) || ven != 0x1af4)
			continue;
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/device", e->d_name);
		if (read_hex(p, &dev) || dev != 0x1110)
			continue;
		snprintf(bdf, sizeof(bdf), "%s", e->d_name);
		found = 1;
		break;
	}
	closedir(d);
	if (!found)
		return -1;
	char p[768];
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/enable", bdf);
	FILE *f = fopen(p, "w");
	if (f) {
		fputs("1", f);
		fclose(f);
	}
	snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/resource", bdf);
	f = fopen(p, "r");
	if (!f)
		return -1;
	unsigned long long s[6] = { 0 }, en[6] = { 0 }, fl;
	for (int i = 0; i < 6; i++)
		if (fscanf(f, "%llx %llx %llx", &s[i], &en[i], &fl) != 3)
			break;
	fclose(f);
	if (!s[0] || !s[2])
		return -2;
	bar0 = map_bar(0, s[0], en[0] - s[0] + 1);
	mb = map_bar(2, s[2], en[2] - s[2] + 1);
	return bar0 && mb ? 0 : -3;
}

/* One mailbox request; -1 on timeout. */
static int mbreq(uint32_t op, uint32_t off, uint32_t val, uint32_t *out)
{
	seq++;
	mb[MB_REQ_OP / 4] = op;
	mb[MB_REQ_OFF / 4] = off;
	mb[MB_REQ_VAL / 4] = val;
	__sync_synchronize();
	mb[MB_REQ_SEQ / 4] = seq;
	__sync_synchronize();
	bar0[IVSHMEM_DOORBELL / 4] = host_id << 16 | 0;
	double until = now_s() + 2.0;
	while (mb[MB_ACK_SEQ / 4] != seq) {
		if (now_s() > until)
			return -1;
	}
	__sync_synchronize();
	if (out)
		*out = mb[MB_ACK_VAL / 4];
	return 0;
}

static uint32_t rd(uint32_t off)
{
	uint32_t v = ~0u;
	if (mbreq(MB_OP_READ, off, 0, &v))
		FAIL("mailbox read 0x%03x: no answer within 2 s", off);
	return v;
}

static void wr(uint32_t off, uint32_t val)
{
	if (mbreq(MB_OP_WRITE, off, val, NULL))
		FAIL("mailbox write 0x%03x: no answer within 2 s", off);
}

/* A real job: one pointwise descriptor, 1 pixel, 16 input channels, LANES outputs, all of
 * it in the page buf (physical pa, region 0): out[oc] = bias[oc] + 16 = oc + 16. Programs
 * the region table and the descriptor registers; returns the output's offset. */
static uint32_t build_job(uint8_t *buf, uint64_t pa, unsigned lanes)
{
	long pg = sysconf(_SC_PAGESIZE);
	memset(buf, 0, pg);
	uint32_t in_off = 64, w_off = 128, q_off = w_off + lanes * 16, out_off = q_off + lanes * 16;
	const struct mbn_desc m = {
		.op = MBN_OP_PW, .in_rows = 1, .in_w = 1, .in_c = 16, .out_c = lanes, .out_rows = 1, .out_w = 1,
		.stride = 1, .act_max = 0xFF, .in_offset = in_off, .w_offset = w_off, .q_offset = q_off,
		.out_offset = out_off, .out_stride = lanes,
	};
	mbn_desc_pack(&m, (uint32_t *)buf); /* little-endian guest */
	memset(buf + in_off, 1, 16);
	memset(buf + w_off, 1, lanes * 16);
	for (unsigned c = 0; c < lanes; c++) {
		int32_t *q = (int32_t *)(buf + q_off + c * 16);
		q[0] = c;
		q[1] = 1 << 30;
		q[2] = 1;
		q[3] = 0;
	}
	memset(buf + out_off, 0xEE, lanes);
	__sync_synchronize();
	wr(MBN_REG_REGION(0) + 0, (uint32_t)pa);
	wr(MBN_REG_REGION(0) + 4, (uint32_t)(pa >> 32));
	wr(MBN_REG_REGION(0) + 8, (uint32_t)pg);
	wr(MBN_REG_REGION(0) + 12, 0);
	wr(MBN_REG_DESC_REGION, 0);
	wr(MBN_REG_DESC_OFFSET, 0);
	wr(MBN_REG_DESC_COUNT, 1);
	wr(MBN_REG_IRQ_STATUS, MBN_IRQ_DONE | MBN_IRQ_FAULT);
	return out_off;
}

static uint64_t virt_to_phys(void *p)
{
	int fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return 0;
	uint64_t e = 0;
	long pg = sysconf(_SC_PAGESIZE);
	if (pread(fd, &e, 8, (uintptr_t)p / pg * 8) != 8)
		e = 0;
	close(fd);
	if (!(e >> 63 & 1))
		return 0;
	return (e & ((1ull << 55) - 1)) * pg + (uintptr_t)p % pg;
}

static int setup(void)
{
	int r = find_device();
	if (r) {
		FAIL("ivshmem device 1af4:1110: %s", r == -1 ? "not found in /sys/bus/pci/devices"
				: r == -2 ? "BAR0/BAR2 not assigned" : "cannot map BAR0/BAR2 (/dev/mem, resourceN)");
		return -1;
	}
	host_id = mb[MB_HOST_ID / 4];
	seq = mb[MB_REQ_SEQ / 4];
	return 0;
}

static int selftest(void)
{
	if (setup())
		return 1;
	PASS("ivshmem device 1af4:1110 at %s, BARs mapped", bdf);
	uint32_t ivpos = bar0[IVSHMEM_IVPOSITION / 4];
	if (ivpos == 1)
		PASS("IVPosition = 1 (the guest's peer ID from the bridge)");
	else
		FAIL("IVPosition: 0x%x, expected 1", ivpos);
	uint32_t magic = mb[MB_MAGIC / 4], ver = mb[MB_VERSION / 4];
	if (magic == MB_MAGIC_VALUE && ver == MB_VERSION_VALUE)
		PASS("mailbox MAGIC 0x%08x VERSION %u HOST_ID %u", magic, ver, host_id);
	else {
		FAIL("mailbox: MAGIC 0x%08x VERSION %u, expected 0x%08x 1", magic, ver, MB_MAGIC_VALUE);
		return 1;
	}
	uint32_t id = rd(MBN_REG_ID), caps0 = rd(MBN_REG_CAPS0), caps3 = rd(MBN_REG_CAPS3);
	unsigned lanes = MBN_CAPS0_LANES_GET(caps0);
	if (id == MBN_ID_VALUE)
		PASS("register ID = 0x%08x through the mailbox", id);
	else
		FAIL("register ID: 0x%08x, expected 0x%08x", id, MBN_ID_VALUE);
	if (MBN_CAPS0_MACS_GET(caps0) == lanes * 16 && lanes >= 16 && MBN_CAPS3_REGIONS_GET(caps3) == MBN_NUM_REGIONS)
		PASS("CAPS0 = 0x%08x (%u MACs, %u lanes), CAPS3 = 0x%08x", caps0, MBN_CAPS0_MACS_GET(caps0), lanes, caps3);
	else
		FAIL("CAPS0 0x%08x / CAPS3 0x%08x implausible", caps0, caps3);

	wr(MBN_REG_IRQ_ENABLE, MBN_IRQ_DONE | MBN_IRQ_FAULT);
	wr(MBN_REG_REGION(1), 0x12345670);
	uint32_t ie = rd(MBN_REG_IRQ_ENABLE), rb = rd(MBN_REG_REGION(1));
	wr(MBN_REG_IRQ_ENABLE, 0);
	wr(MBN_REG_REGION(1), 0);
	uint32_t ie0 = rd(MBN_REG_IRQ_ENABLE);
	if (ie == (MBN_IRQ_DONE | MBN_IRQ_FAULT) && rb == 0x12345670 && ie0 == 0)
		PASS("register write + read back (IRQ_ENABLE, REGION(1).BASE_LO)");
	else
		FAIL("write/read back: IRQ_ENABLE %u (3), REGION1 0x%x (0x12345670), IRQ_ENABLE %u (0)", ie, rb, ie0);

	int n = 200, bad = 0;
	double t = now_s();
	for (int i = 0; i < n; i++)
		if (rd(MBN_REG_ID) != MBN_ID_VALUE)
			bad++;
	t = now_s() - t;
	if (!bad)
		PASS("%d register reads, %.0f us per round trip", n, t / n * 1e6);
	else
		FAIL("%d of %d reads of ID wrong", bad, n);

	/* guest RAM as the simulated DRAM: a page of ours, its physical address */
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *buf = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	if (buf == MAP_FAILED) {
		FAIL("mmap: %s", strerror(errno));
		return 1;
	}
	memset(buf, 0, pg);
	for (int i = 0; i < 16; i++)
		((uint32_t *)buf)[1000 + i] = 0xC0DE0000u + i * 0x1111;
	uint64_t pa = virt_to_phys(buf);
	if (!pa) {
		FAIL("no physical address from /proc/self/pagemap");
		return 1;
	}
	uint32_t pk = 0, pk2 = 0;
	if (mbreq(MB_OP_PEEK, (uint32_t)(pa + 4000), (uint32_t)((pa + 4000) >> 32), &pk) ||
	    mbreq(MB_OP_PEEK, (uint32_t)(pa + 4060), (uint32_t)((pa + 4060) >> 32), &pk2))
		FAIL("PEEK: no answer");
	else if (pk == 0xC0DE0000u && pk2 == 0xC0DE0000u + 15 * 0x1111)
		PASS("the simulator's DRAM is guest RAM (pattern at PA 0x%" PRIx64 " seen by the bridge)", pa);
	else
		FAIL("PEEK at PA 0x%" PRIx64 ": 0x%08x 0x%08x, expected 0x%08x 0x%08x", pa + 4000, pk, pk2,
		     0xC0DE0000u, 0xC0DE0000u + 15 * 0x1111);

	uint32_t out_off = build_job(buf, pa, lanes);
	wr(MBN_REG_IRQ_ENABLE, MBN_IRQ_DONE | MBN_IRQ_FAULT);
	t = now_s();
	wr(MBN_REG_CTRL, MBN_CTRL_START);
	uint32_t st;
	do
		st = rd(MBN_REG_STATUS);
	while ((st & MBN_STATUS_BUSY) && now_s() - t < 20);
	t = now_s() - t;
	uint32_t line = mb[MB_IRQ_LINE / 4], code = rd(MBN_REG_FAULT_CODE), done = rd(MBN_REG_DESC_DONE);
	uint32_t cyc = rd(MBN_REG_CYCLES_LO), rdb = rd(MBN_REG_DMA_RD_BYTES_LO), wrb = rd(MBN_REG_DMA_WR_BYTES_LO);
	int outok = 1;
	for (unsigned c = 0; c < lanes; c++)
		if (buf[out_off + c] != 16 + c)
			outok = 0;
	if (st == MBN_STATUS_DONE && done == 1 && outok)
		PASS("DMA job in guest RAM: STATUS DONE, %u cycles, %u bytes read, %u written, output correct (%.3f s)",
		     cyc, rdb, wrb, t);
	else
		FAIL("DMA job: STATUS 0x%x FAULT_CODE %u DESC_DONE %u, out[0..3] = %u %u %u %u (expected 16 17 18 19)",
		     st, code, done, buf[out_off], buf[out_off + 1], buf[out_off + 2], buf[out_off + 3]);
	if (line == 1)
		PASS("IRQ_LINE = 1 after the job (DONE enabled)");
	else
		FAIL("IRQ_LINE %u after the job, expected 1", line);
	uint32_t ist = rd(MBN_REG_IRQ_STATUS);
	wr(MBN_REG_IRQ_STATUS, ist);
	line = mb[MB_IRQ_LINE / 4];
	if (ist == MBN_IRQ_DONE && line == 0)
		PASS("IRQ_STATUS = 1, cleared: IRQ_LINE = 0");
	else
		FAIL("IRQ_STATUS %u (1), IRQ_LINE after clearing %u (0)", ist, line);
	wr(MBN_REG_IRQ_ENABLE, 0);
	return fails ? 1 : 0;
}

/* Run with the bridge's test hooks --axi-error 0:0x80000000 --hang-job 2: job 1 ends in
 * FAULT_AXI, job 2 never completes until CTRL.RESET, job 3 (errors still injected) faults. */
static int faults(void)
{
	if (setup())
		return 1;
	unsigned lanes = MBN_CAPS0_LANES_GET(rd(MBN_REG_CAPS0));
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *buf = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	if (buf == MAP_FAILED)
		return 1;
	memset(buf, 0, pg);
	uint64_t pa = virt_to_phys(buf);
	if (!pa) {
		FAIL("no physical address from /proc/self/pagemap");
		return 1;
	}
	build_job(buf, pa, lanes);
	wr(MBN_REG_IRQ_ENABLE, MBN_IRQ_DONE | MBN_IRQ_FAULT);
	wr(MBN_REG_CTRL, MBN_CTRL_START);
	double t = now_s();
	uint32_t st;
	do
		st = rd(MBN_REG_STATUS);
	while ((st & MBN_STATUS_BUSY) && now_s() - t < 20);
	uint32_t code = rd(MBN_REG_FAULT_CODE), line = mb[MB_IRQ_LINE / 4];
	if (st == MBN_STATUS_FAULT && code == MBN_FAULT_AXI && line == 1)
		PASS("--axi-error: job 1 ends in FAULT_AXI, IRQ_LINE 1");
	else
		FAIL("--axi-error: STATUS 0x%x FAULT_CODE %u IRQ_LINE %u, expected 0x4 %u 1", st, code, line, MBN_FAULT_AXI);
	wr(MBN_REG_IRQ_STATUS, MBN_IRQ_DONE | MBN_IRQ_FAULT);
	wr(MBN_REG_CTRL, MBN_CTRL_START); /* job 2: --hang-job 2 */
	usleep(500000);
	uint32_t dd = rd(MBN_REG_DESC_DONE);
	int polls = 0;
	t = now_s();
	do {
		st = rd(MBN_REG_STATUS);
		polls++;
	} while ((st & MBN_STATUS_BUSY) && now_s() - t < 0.5);
	if ((st & MBN_STATUS_BUSY) && dd == 0 && mb[MB_IRQ_LINE / 4] == 0)
		PASS("--hang-job 2: job 2 still BUSY after 1 s (%d STATUS reads), no irq", polls);
	else
		FAIL("--hang-job 2: STATUS 0x%x DESC_DONE %u IRQ_LINE %u, expected BUSY, 0, 0", st, dd, mb[MB_IRQ_LINE / 4]);
	wr(MBN_REG_CTRL, MBN_CTRL_RESET);
	t = now_s();
	do
		st = rd(MBN_REG_STATUS);
	while ((st & MBN_STATUS_BUSY) && now_s() - t < 5);
	if (!(st & MBN_STATUS_BUSY) && !(st & MBN_STATUS_DONE))
		PASS("CTRL.RESET ends the hung job (STATUS 0x%x, no DONE)", st);
	else
		FAIL("CTRL.RESET: STATUS 0x%x, expected idle without DONE", st);
	wr(MBN_REG_IRQ_STATUS, MBN_IRQ_DONE | MBN_IRQ_FAULT);
	wr(MBN_REG_CTRL, MBN_CTRL_START); /* job 3 runs again */
	t = now_s();
	do
		st = rd(MBN_REG_STATUS);
	while ((st & MBN_STATUS_BUSY) && now_s() - t < 20);
	if (st == MBN_STATUS_FAULT)
		PASS("job 3 after the reset runs (and faults again: STATUS 0x%x)", st);
	else
		FAIL("job 3: STATUS 0x%x, expected 0x4", st);
	wr(MBN_REG_IRQ_STATUS, MBN_IRQ_DONE | MBN_IRQ_FAULT);
	wr(MBN_REG_IRQ_ENABLE, 0);
	return fails ? 1 : 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "selftest"))
		return selftest();
	if (argc == 2 && !strcmp(argv[1], "faults"))
		return faults();
	if (argc == 3 && !strcmp(argv[1], "read")) {
		if (setup())
			return 1;
		uint32_t v;
		if (mbreq(MB_OP_READ, strtoul(argv[2], NULL, 0), 0, &v))
			return fprintf(stderr, "no answer\n"), 1;
		printf("0x%08x\n", v);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "write")) {
		if (setup())
			return 1;
		if (mbreq(MB_OP_WRITE, strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0), NULL))
			return fprintf(stderr, "no answer\n"), 1;
		return 0;
	}
	fprintf(stderr, "usage: mbn-cosim-probe selftest | faults | read OFF | write OFF VAL\n");
	return 2;
}
