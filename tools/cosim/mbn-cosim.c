/*
 * mbn-cosim: the co-simulation bridge between a QEMU guest and the Verilated accelerator.
 *
 * It is QEMU's ivshmem server (docs/specs/ivshmem-spec.rst; one client: the guest's
 * ivshmem-doorbell device) and runs libmbnsim.so (hw/sim/mbn_sim.h) with the guest's RAM
 * as the simulated DRAM. The guest reaches the accelerator's registers through a 4 KiB
 * mailbox (BAR2 of the ivshmem device) and doorbells; the accelerator's interrupt goes
 * back as MSI-X vector 0. The contract is docs/cosim.md.
 *
 *   mbn-cosim --socket PATH --mem GUESTRAM [--mem-size SIZE] [--vectors 2] [--lib SO]
 *             [--log FILE] [--ready FILE] [--hang-job N] [--stuck-reset N] [--hung-at-start]
 *             [--axi-error LO:HI]
 *             [--bw N] [--lat N] [--outstanding N] [--chunk CYCLES]
 *
 * --mem-size creates (or extends) GUESTRAM with that size (e.g. 512M) before listening, so
 * QEMU can be given the same path with share=on; without it the bridge waits up to 30 s
 * for QEMU to create the file. --ready FILE is created once the socket listens (start
 * QEMU after that). Exits 0 when the guest (QEMU) disconnects or on SIGTERM/SIGINT.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "mbn_sim_load.h"
#include "mbn_regs.h"
#include "cosim_mailbox.h"

#define MAX_VECTORS 8

static struct mbn_sim_lib A;      /* the simulator library (hw/sim/mbn_sim_load.h) */
static mbn_sim *sim;
static volatile uint32_t *mb;       /* the mailbox, 4 KiB */
static FILE *logf;
static volatile sig_atomic_t stop_sig;
static int guest_efd[MAX_VECTORS];  /* bridge -> guest (MSI-X) */
static int host_efd[MAX_VECTORS];   /* guest -> bridge (doorbells) */
static int nvec = 2;

/* accelerator state as the bridge tracks it */
static int irq_line;                /* last seen irq output */
static int busy;                    /* clock the simulator */
static unsigned long hung;          /* --hang-job: clock stopped until CTRL.RESET (1 + STATUS polls) */
static unsigned long starts;        /* START writes seen */
static unsigned long hang_job;
static uint64_t g_mem_base;         /* --mem-base: guest physical address of RAM's byte 0 */
static unsigned long stuck_resets;  /* --stuck-reset N: the first N resets of a hung job are lost */
static uint64_t job_start_cycle;
static uint64_t chunk = 10000;
static unsigned long nreq, nirq;

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("mbn-cosim: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double t0;

static void logm(const char *fmt, ...)
{
	if (!logf)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(logf, "%10.6f ", now_s() - t0);
	vfprintf(logf, fmt, ap);
	fputc('\n', logf);
	va_end(ap);
}

static void on_signal(int sig) { stop_sig = sig; }

static uint64_t parse_size(const char *s, const char *what)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s)
		die("bad %s '%s'", what, s);
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end == 'i' || *end == 'B')
		end++;
	if (*end == 'B')
		end++;
	if (*end)
		die("bad %s '%s'", what, s);
	return v;
}

/* ---- simulator ---------------------------------------------------------------------- */

static void load_sim(const char *path)
{
	char err[PATH_MAX + 256];

	if (mbn_sim_lib_open(&A, path, err, sizeof(err)))
		die("%s (build it with `make sim`, or give --lib / MBN_SIM_LIB)", err);
}

static void default_lib(char *out, size_t n)
{
	const char *env = getenv("MBN_SIM_LIB");
	if (env && *env) {
		snprintf(out, n, "%s", env);
		return;
	}
	char exe[PATH_MAX];
	ssize_t l = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (l > 0) {
		exe[l] = 0;
		char *s = strrchr(exe, '/');
		if (s) {
			*s = 0; /* .../build/bin */
			s = strrchr(exe, '/');
			if (s) {
				*s = 0; /* .../build; the simulator is always the optimized build */
				char cand[PATH_MAX + 64];
				snprintf(cand, sizeof(cand), "%s/lib/libmbnsim.so", exe);
				if (access(cand, R_OK) == 0) {
					snprintf(out, n, "%s", cand);
					return;
				}
				s = strrchr(exe, '/');
				if (s) {
					*s = 0;
					snprintf(cand, sizeof(cand), "%s/build/lib/libmbnsim.so", exe);
					if (access(cand, R_OK) == 0) {
						snprintf(out, n, "%s", cand);
						return;
					}
				}
			}
		}
	}
	snprintf(out, n, "build/lib/libmbnsim.so");
}

/* The irq output after anything that clocked the simulator: mirror it in the mailbox and
 * raise MSI-X vector 0 on a rising edge. */
static void update_irq(void)
{
	int l = A.irq(sim);
	if (l == irq_line)
		return;
	irq_line = l;
	__atomic_store_n(&mb[MB_IRQ_LINE / 4], (uint32_t)l, __ATOMIC_RELEASE);
	if (l) {
		uint64_t one = 1;
		nirq++;
		if (write(guest_efd[0], &one, sizeof(one)) != sizeof(one))
			logm("irq: eventfd write failed: %s", strerror(errno));
		logm("irq 0->1 (cycle %" PRIu64 "), MSI-X vector 0", A.cycles(sim));
	} else {
		logm("irq 1->0 (cycle %" PRIu64 ")", A.cycles(sim));
	}
}

static void job_end(const char *why)
{
	busy = 0;
	uint32_t st = A.reg_read(sim, MBN_REG_STATUS);
	uint32_t cyc = A.reg_read(sim, MBN_REG_CYCLES_LO);
	logm("job %lu ended (%s): STATUS=0x%x FAULT_CODE=%u DESC_DONE=%u CYCLES=%u, %" PRIu64
	     " cycles simulated since START", starts, why, st, A.reg_read(sim, MBN_REG_FAULT_CODE),
	     A.reg_read(sim, MBN_REG_DESC_DONE), cyc, A.cycles(sim) - job_start_cycle);
}

static uint32_t do_request(uint32_t op, uint32_t off, uint32_t val)
{
	uint64_t size;
	uint8_t *mem;
	switch (op) {
	case MB_OP_READ: {
		if (hung && off == MBN_REG_STATUS) {
			/* a register access clocks the RTL a few cycles: polling STATUS would
			 * complete a small "hung" job, so the bridge answers it itself */
			if (hung++ == 1)
				logm("rd 0x%03x -> 0x00000001 (hung job: STATUS answered by the bridge, "
				     "not logged again)", off);
			return 1;
		}
		uint32_t v = A.reg_read(sim, off);
		logm("rd 0x%03x -> 0x%08x", off, v);
		return v;
	}
	case MB_OP_WRITE:
		logm("wr 0x%03x <- 0x%08x", off, val);
		if (off == MBN_REG_CTRL && (val & 2) && hung && stuck_resets) {
			/* --stuck-reset: the engine stays busy (the write never reached it) */
			stuck_resets--;
			logm("job %lu: CTRL.RESET ignored (--stuck-reset, %lu more)", starts, stuck_resets);
			return 0;
		}
		A.reg_write(sim, off, val);
		if (off == MBN_REG_CTRL && (val & 2)) {
			if (hung)
				logm("job %lu: CTRL.RESET, the clock runs again", starts);
			hung = 0;
			/* clock until the abort has drained */
			busy = (A.reg_read(sim, MBN_REG_STATUS) & 1) != 0;
		}
		if (off == MBN_REG_CTRL && (val & 1)) {
			starts++;
			busy = 1;
			job_start_cycle = A.cycles(sim);
			logm("job %lu START (cycle %" PRIu64 ")%s", starts, job_start_cycle,
			     hang_job && starts == hang_job ? ": --hang-job, clock stopped until CTRL.RESET" : "");
			if (hang_job && starts == hang_job)
				hung = 1;
		}
		return 0;
	case MB_OP_PEEK: /* bridge test op: a u32 of simulated DRAM (= guest RAM) */
		mem = A.mem(sim, &size);
		{
			uint64_t pa = (uint64_t)val << 32 | off;
			uint32_t v = ~0u;
			if (pa >= g_mem_base && pa - g_mem_base + 4 <= size && !(pa & 3))
				memcpy(&v, mem + (pa - g_mem_base), 4);
			logm("peek 0x%" PRIx64 " -> 0x%08x", pa, v);
			return v;
		}
	default:
		logm("bad request op %u (off 0x%x val 0x%x)", op, off, val);
		return ~0u;
	}
}

/* Serve a pending mailbox request, if any. */
static void service_mailbox(void)
{
	uint32_t req = __atomic_load_n(&mb[MB_REQ_SEQ / 4], __ATOMIC_ACQUIRE);
	if (req == mb[MB_ACK_SEQ / 4])
		return;
	uint32_t op = mb[MB_REQ_OP / 4], off = mb[MB_REQ_OFF / 4], val = mb[MB_REQ_VAL / 4];
	uint32_t v = do_request(op, off, val);
	nreq++;
	mb[MB_ACK_VAL / 4] = v;
	update_irq();
	__atomic_store_n(&mb[MB_ACK_SEQ / 4], req, __ATOMIC_RELEASE);
}

/* One chunk of simulated time while the accelerator is busy. */
static void clock_chunk(void)
{
	if (!busy || hung)
		return;
	if (!irq_line)
		A.wait_irq(sim, chunk); /* stops at the cycle the irq rises */
	else
		A.step(sim, chunk);
	int was = irq_line;
	update_irq();
	if (!was && irq_line) {
		job_end("irq");
		return;
	}
	uint32_t st = A.reg_read(sim, MBN_REG_STATUS);
	update_irq();
	if (!(st & 1))
		job_end("idle");
}

/* ---- ivshmem server ----------------------------------------------------------------- */

static int send_msg(int sock, int64_t v, int fd)
{
	struct iovec iov = { .iov_base = &v, .iov_len = sizeof(v) };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		m.msg_control = u.buf;
		m.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	ssize_t r;
	do
		r = sendmsg(sock, &m, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r == sizeof(v) ? 0 : -1;
}

#define HOST_ID  0
#define GUEST_ID 1

static int greet(int c, int memfd)
{
	/* protocol version, the client's ID, the shared memory; then the peers' (our) vectors,
	 * then the client's own vectors. */
	if (send_msg(c, 0, -1) || send_msg(c, GUEST_ID, -1) || send_msg(c, -1, memfd))
		return -1;
	for (int v = 0; v < nvec; v++)
		if (send_msg(c, HOST_ID, host_efd[v]))
			return -1;
	for (int v = 0; v < nvec; v++)
		if (send_msg(c, GUEST_ID, guest_efd[v]))
			return -1;
	return 0;
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		die("socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		die("socket: %s", strerror(errno));
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno != EADDRINUSE)
			die("cannot bind %s: %s", path, strerror(errno));
		/* a live server, or a stale file? */
		int t = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (connect(t, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			die("socket %s is in use by another server", path);
		close(t);
		struct stat st;
		if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode))
			die("%s exists and is not a socket", path);
		unlink(path);
		if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			die("cannot bind %s: %s", path, strerror(errno));
	}
	if (listen(s, 4) < 0)
		die("listen %s: %s", path, strerror(errno));
	return s;
}

/* ---- main --------------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fputs("usage: mbn-cosim --socket PATH --mem GUESTRAM [options]\n"
	      "  --socket PATH      ivshmem server socket (QEMU: -chardev socket,path=PATH)\n"
	      "  --mem FILE         guest RAM backing file (QEMU: memory-backend-file,share=on)\n"
	      "  --mem-size SIZE    create/size FILE (e.g. 512M) instead of waiting for QEMU\n"
	      "  --mem-base ADDR    guest physical address of FILE's first byte (default 0, a PC;\n"
	      "                     0x40000000 for an arm64 QEMU virt machine)\n"
	      "  --vectors N        interrupt vectors of the ivshmem device (default 2)\n"
	      "  --lib PATH         libmbnsim.so (default $MBN_SIM_LIB, else build/lib beside the binary)\n"
	      "  --log FILE         one line per register access, job and interrupt\n"
	      "  --ready FILE       create FILE once the socket listens\n"
	      "  --hang-job N       the N-th START (1-based) stalls until CTRL.RESET\n"
	      "  --stuck-reset N    the first N CTRL.RESETs of a stalled job are lost (BUSY stays)\n"
	      "  --hung-at-start    a stalled job is on the engine before the guest boots (as left\n"
	      "                     by a previous owner): BUSY until a CTRL.RESET reaches it\n"
	      "  --axi-error LO:HI  DRAM accesses in [LO,HI) get SLVERR\n"
	      "  --bw N --lat N --outstanding N   DRAM model (bytes/cycle, read latency, reads)\n"
	      "  --chunk CYCLES     cycles simulated between mailbox checks while busy (10000)\n",
	      f);
}

int main(int argc, char **argv)
{
	const char *sock_path = NULL, *mem_path = NULL, *lib = NULL, *log_path = NULL;
	const char *ready = NULL, *axi = NULL;
	uint64_t mem_size = 0;
	unsigned bw = 0, lat = 0, outst = 0;
	static const struct option opts[] = {
		{ "socket", 1, 0, 's' }, { "mem", 1, 0, 'm' }, { "mem-size", 1, 0, 'M' },
		{ "vectors", 1, 0, 'v' }, { "lib", 1, 0, 'L' }, { "log", 1, 0, 'l' },
		{ "ready", 1, 0, 'r' }, { "hang-job", 1, 0, 'H' }, { "axi-error", 1, 0, 'a' },
		{ "bw", 1, 0, 'b' }, { "lat", 1, 0, 't' }, { "outstanding", 1, 0, 'o' },
		{ "chunk", 1, 0, 'c' }, { "stuck-reset", 1, 0, 'R' },
		{ "mem-base", 1, 0, 'B' }, { "hung-at-start", 0, 0, 'A' }, { "help", 0, 0, 'h' }, { 0, 0, 0, 0 }
	};
	int o;
	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 's': sock_path = optarg; break;
		case 'm': mem_path = optarg; break;
		case 'M': mem_size = parse_size(optarg, "--mem-size"); break;
		case 'B': g_mem_base = parse_size(optarg, "--mem-base"); break;
		case 'v': nvec = atoi(optarg); break;
		case 'L': lib = optarg; break;
		case 'l': log_path = optarg; break;
		case 'r': ready = optarg; break;
		case 'H': hang_job = strtoul(optarg, NULL, 0); break;
		case 'R': stuck_resets = strtoul(optarg, NULL, 0); break;
		case 'A': hung = 1; break;
		case 'a': axi = optarg; break;
		case 'b': bw = atoi(optarg); break;
		case 't': lat = atoi(optarg); break;
		case 'o': outst = atoi(optarg); break;
		case 'c': chunk = parse_size(optarg, "--chunk"); break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!sock_path || !mem_path || optind != argc) {
		usage(stderr);
		return 2;
	}
	if (nvec < 1 || nvec > MAX_VECTORS)
		die("--vectors must be 1..%d", MAX_VECTORS);
	if (chunk == 0)
		chunk = 10000;
	t0 = now_s();
	if (log_path) {
		logf = fopen(log_path, "w");
		if (!logf)
			die("cannot open log %s: %s", log_path, strerror(errno));
		setvbuf(logf, NULL, _IOLBF, 0);
	}

	char libbuf[2 * PATH_MAX];
	if (!lib) {
		default_lib(libbuf, sizeof(libbuf));
		lib = libbuf;
	}
	load_sim(lib);

	/* guest RAM */
	int memfd;
	if (mem_size) {
		memfd = open(mem_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (memfd < 0)
			die("cannot create %s: %s", mem_path, strerror(errno));
		struct stat st;
		fstat(memfd, &st);
		if ((uint64_t)st.st_size < mem_size && ftruncate(memfd, mem_size) < 0)
			die("cannot size %s to %" PRIu64 " bytes: %s", mem_path, mem_size, strerror(errno));
	} else {
		double until = now_s() + 30;
		struct stat st;
		while ((stat(mem_path, &st) < 0 || st.st_size == 0) && now_s() < until && !stop_sig)
			usleep(20000);
		memfd = open(mem_path, O_RDWR | O_CLOEXEC);
		if (memfd < 0)
			die("cannot open guest RAM %s: %s (create it with --mem-size)", mem_path, strerror(errno));
	}
	struct stat st;
	if (fstat(memfd, &st) < 0)
		die("stat %s: %s", mem_path, strerror(errno));
	uint64_t ram_bytes = st.st_size;
	if (ram_bytes < (16u << 20))
		die("guest RAM file %s is too small (%" PRIu64 " bytes; QEMU's -m, at least 16 MiB)",
		    mem_path, ram_bytes);
	uint8_t *ram = mmap(NULL, ram_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (ram == MAP_FAILED)
		die("mmap %s: %s", mem_path, strerror(errno));
	close(memfd);

	struct mbn_sim_config cfg;
	A.default_config(&cfg);
	cfg.mem_bytes = ram_bytes;
	cfg.mem_external = ram;
	cfg.mem_base = g_mem_base;
	if (bw)
		cfg.bytes_per_cycle = bw;
	if (lat)
		cfg.read_latency = lat;
	if (outst)
		cfg.max_outstanding = outst;
	char err[256] = "";
	sim = A.create(&cfg, err, sizeof(err));
	if (!sim)
		die("simulator: %s", err);
	if (axi) {
		char *colon = strchr(axi, ':');
		if (!colon)
			die("--axi-error wants LO:HI");
		*colon = 0;
		uint64_t lo = parse_size(axi, "--axi-error"), hi = parse_size(colon + 1, "--axi-error");
		A.inject_axi_error(sim, lo, hi);
		logm("AXI errors injected in [0x%" PRIx64 ", 0x%" PRIx64 ")", lo, hi);
	}

	/* mailbox */
	int mbfd = memfd_create("mbn-cosim-mailbox", MFD_CLOEXEC);
	if (mbfd < 0)
		die("memfd_create: %s", strerror(errno));
	if (ftruncate(mbfd, MB_SIZE) < 0)
		die("ftruncate mailbox: %s", strerror(errno));
	mb = mmap(NULL, MB_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, mbfd, 0);
	if (mb == MAP_FAILED)
		die("mmap mailbox: %s", strerror(errno));
	mb[MB_VERSION / 4] = MB_VERSION_VALUE;
	mb[MB_HOST_ID / 4] = HOST_ID;
	irq_line = A.irq(sim);
	mb[MB_IRQ_LINE / 4] = irq_line;
	__atomic_store_n(&mb[MB_MAGIC / 4], MB_MAGIC_VALUE, __ATOMIC_RELEASE);

	for (int v = 0; v < nvec; v++) {
		host_efd[v] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		guest_efd[v] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (host_efd[v] < 0 || guest_efd[v] < 0)
			die("eventfd: %s", strerror(errno));
	}

	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	int ls = listen_on(sock_path);
	logm("listening on %s; guest RAM %s (%" PRIu64 " MiB); simulator %s (%s); vectors %d",
	     sock_path, mem_path, ram_bytes >> 20, lib, A.params(), nvec);
	if (ready) {
		int f = open(ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (f < 0)
			die("cannot create %s: %s", ready, strerror(errno));
		dprintf(f, "%d\n", (int)getpid());
		close(f);
	}

	int client = -1, rc = 0;
	double tstart = now_s();
	while (!stop_sig) {
		struct pollfd p[2 + MAX_VECTORS];
		int n = 0;
		p[n++] = (struct pollfd){ .fd = ls, .events = POLLIN };
		p[n++] = (struct pollfd){ .fd = client, .events = POLLIN };
		for (int v = 0; v < nvec; v++)
			p[n++] = (struct pollfd){ .fd = client >= 0 ? host_efd[v] : -1, .events = POLLIN };
		int tmo = (busy && !hung) ? 0 : 10;
		int r = poll(p, n, tmo);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		if (p[0].revents & POLLIN) {
			int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
			if (c >= 0) {
				if (client >= 0) {
					logm("a second client connected: refused (one guest per bridge)");
					close(c);
				} else if (greet(c, mbfd) < 0) {
					logm("client went away during the greeting: %s", strerror(errno));
					close(c);
				} else {
					client = c;
					logm("guest connected (guest ID %d, host ID %d)", GUEST_ID, HOST_ID);
				}
			}
		}
		if (client >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			char buf[64];
			ssize_t k = recv(client, buf, sizeof(buf), MSG_DONTWAIT);
			if (k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR)) {
				logm("guest disconnected");
				break;
			}
		}
		for (int v = 0; v < nvec; v++) {
			if (p[2 + v].revents & POLLIN) {
				uint64_t cnt;
				if (read(host_efd[v], &cnt, sizeof(cnt)) < 0 && errno != EAGAIN)
					logm("doorbell read: %s", strerror(errno));
			}
		}
		/* always: doorbells can be coalesced or (robustness) missing */
		service_mailbox();
		clock_chunk();
	}
	if (stop_sig)
		logm("signal %d: exiting", (int)stop_sig);
	uint64_t perr = A.protocol_errors(sim);
	logm("done: %lu requests, %lu jobs, %lu interrupts, %" PRIu64 " cycles, %.1f s, %" PRIu64
	     " AXI protocol errors", nreq, starts, nirq, A.cycles(sim), now_s() - tstart, perr);
	if (perr) {
		fprintf(stderr, "mbn-cosim: %" PRIu64 " AXI protocol errors\n", perr);
		rc = 3;
	}
	A.destroy(sim);
	close(ls);
	unlink(sock_path);
	if (client >= 0)
		close(client);
	return rc;
}
