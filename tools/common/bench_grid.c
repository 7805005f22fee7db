/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench_grid.c - mbn-bench --grid (bench_grid.h): the list options, generating each cell's
 * model with mbn-gen (fork + execv of the binary beside mbn-bench, no shell) into a
 * mkdtemp directory, measuring it, and the three outputs (tables, JSON, SVG heat map).
 * Running mbn-gen rather than linking tools/common/gen_*.c keeps the generator's globals
 * and die() out of this process, and makes each cell's model exactly the file
 * `mbn-gen --alpha A --size S --seed N -o FILE` writes.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_grid.h"
#include "json_out.h"

#define GRID_ALPHA_HI 2.0
#define GRID_SIZE_LO 32
#define GRID_SIZE_HI 512

void bench_grid_init(struct bench_grid *g)
{
	static const char *const alphas[] = { "0.25", "0.5", "0.75", "1.0" };
	static const int sizes[] = { 128, 160, 192, 224 };

	memset(g, 0, sizeof(*g));
	for (int i = 0; i < 4; i++) {
		snprintf(g->alpha_arg[i], sizeof(g->alpha_arg[i]), "%s", alphas[i]);
		g->alpha[i] = strtod(alphas[i], NULL);
		g->size[i] = sizes[i];
	}
	g->n_alpha = g->n_size = 4;
	g->seed = 1;
}

/* Splits a comma-separated list into tokens; NULL (after an error) on an empty item or
 * more than GRID_MAX. The tokens point into buf. */
static int split_list(const char *opt, const char *list, char *buf, size_t buflen, char **tok)
{
	int n = 0;

	if (strlen(list) >= buflen) {
		fprintf(stderr, "mbn-bench: %s '%s': too long\n", opt, list);
		return -1;
	}
	strcpy(buf, list);
	for (char *p = buf;;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = 0;
		if (!*p) {
			fprintf(stderr, "mbn-bench: %s '%s': an empty value (expected a comma-separated list)\n", opt, list);
			return -1;
		}
		if (n == GRID_MAX) {
			fprintf(stderr, "mbn-bench: %s '%s': at most %d values\n", opt, list, GRID_MAX);
			return -1;
		}
		tok[n++] = p;
		if (!comma)
			return n;
		p = comma + 1;
	}
}

int bench_grid_set_alpha(struct bench_grid *g, const char *list)
{
	char buf[GRID_MAX * 32 + 64], *tok[GRID_MAX];
	int n = split_list("--grid-alpha", list, buf, sizeof(buf), tok);
	if (n < 0)
		return 1;
	for (int i = 0; i < n; i++) {
		char *end;
		double a = strtod(tok[i], &end);
		if (end == tok[i] || *end || !(a > 0 && a <= GRID_ALPHA_HI) || strlen(tok[i]) >= sizeof(g->alpha_arg[i])) {
			fprintf(stderr, "mbn-bench: --grid-alpha: '%s' is not a width multiplier in (0, %g]\n", tok[i],
				GRID_ALPHA_HI);
			return 1;
		}
		for (int j = 0; j < i; j++)
			if (g->alpha[j] == a) {
				fprintf(stderr, "mbn-bench: --grid-alpha: '%s' is given twice\n", tok[i]);
				return 1;
			}
		g->alpha[i] = a;
		snprintf(g->alpha_arg[i], sizeof(g->alpha_arg[i]), "%s", tok[i]);
	}
	g->n_alpha = n;
	return 0;
}

int bench_grid_set_size(struct bench_grid *g, const char *list)
{
	char buf[GRID_MAX * 32 + 64], *tok[GRID_MAX];
	int n = split_list("--grid-size", list, buf, sizeof(buf), tok);
	if (n < 0)
		return 1;
	for (int i = 0; i < n; i++) {
		char *end;
		errno = 0;
		long s = strtol(tok[i], &end, 10);
		if (errno || end == tok[i] || *end || s < GRID_SIZE_LO || s > GRID_SIZE_HI) {
			fprintf(stderr, "mbn-bench: --grid-size: '%s' is not an input size in %d..%d\n", tok[i], GRID_SIZE_LO,
				GRID_SIZE_HI);
			return 1;
		}
		for (int j = 0; j < i; j++)
			if (g->size[j] == s) {
				fprintf(stderr, "mbn-bench: --grid-size: '%s' is given twice\n", tok[i]);
				return 1;
			}
		g->size[i] = (int)s;
	}
	g->n_size = n;
	return 0;
}

int bench_grid_set_seed(struct bench_grid *g, const char *arg)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] < '0' || arg[0] > '9') {
		fprintf(stderr, "mbn-bench: --grid-seed: '%s' is not a non-negative integer\n", arg);
		return 1;
	}
	g->seed = v;
	return 0;
}

/* ------------------------------------------------------- generating the models */

/* The temporary directory and model file, for the signal handler: an interrupted grid
 * leaves nothing behind either. */
static char tmp_dir[4096], tmp_model[4200];
static volatile sig_atomic_t tmp_live;

static void remove_tmp(void)
{
	if (!tmp_live)
		return;
	unlink(tmp_model);
	rmdir(tmp_dir);
	tmp_live = 0;
}

static void on_signal(int sig)
{
	if (tmp_live) {
		unlink(tmp_model);
		rmdir(tmp_dir);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* mbn-gen beside this executable (build/bin, or PREFIX/bin once installed). */
static int find_gen(char *path, size_t len)
{
	ssize_t l = readlink("/proc/self/exe", path, len - 16);
	if (l <= 0) {
		fprintf(stderr, "mbn-bench: --grid: /proc/self/exe: %s (needed to find mbn-gen beside mbn-bench)\n",
			strerror(errno));
		return 1;
	}
	path[l] = 0;
	char *slash = strrchr(path, '/');
	strcpy(slash ? slash + 1 : path, "mbn-gen");
	if (access(path, X_OK)) {
		fprintf(stderr, "mbn-bench: --grid: %s: %s (mbn-gen, beside mbn-bench, writes the grid's models: make tools)\n",
			path, strerror(errno));
		return 1;
	}
	return 0;
}

/* Runs `gen --alpha A --size S --seed N -o tmp_model`; 0, or nonzero after an error that
 * names the command. Its stdout goes to our stderr, so --json stays clean. */
static int run_gen(const char *gen, const char *alpha, int size, unsigned long long seed, const char *cellname)
{
	char size_s[16], seed_s[24];
	snprintf(size_s, sizeof(size_s), "%d", size);
	snprintf(seed_s, sizeof(seed_s), "%llu", seed);
	char *const argv[] = { (char *)gen, "--alpha", (char *)alpha, "--size", size_s, "--seed", seed_s, "-o", tmp_model, NULL };

	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "mbn-bench: %s: fork: %s\n", cellname, strerror(errno));
		return 1;
	}
	if (!pid) {
		dup2(2, 1);
		execv(gen, argv);
		fprintf(stderr, "mbn-bench: %s: %s: %s\n", cellname, gen, strerror(errno));
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "mbn-bench: %s: waitpid: %s\n", cellname, strerror(errno));
			return 1;
		}
	if (WIFEXITED(status) && !WEXITSTATUS(status))
		return 0;
	char how[64];
	if (WIFEXITED(status))
		snprintf(how, sizeof(how), "exited with status %d", WEXITSTATUS(status));
	else
		snprintf(how, sizeof(how), "was killed by signal %d", WTERMSIG(status));
	fprintf(stderr, "mbn-bench: %s: `%s --alpha %s --size %s --seed %s -o %s` %s\n", cellname, gen, alpha, size_s,
		seed_s, tmp_model, how);
	return 1;
}

/* Opens the device, "" or NULL meaning the default; 0, or nonzero after an error that
 * starts with what (the cell, or "--grid"). */
static int open_dev(const char *device, const char *what, mbn_device **dev)
{
	if (!mbn_device_open(device, dev))
		return 0;
	fprintf(stderr, "mbn-bench: %s: %s\n", what, mbn_last_error());
	return 1;
}

int bench_grid_run(struct bench_grid *g, const char *device, const struct bench_opts *o)
{
	char gen[4096];
	mbn_device *dev;
	int rc = 0;

	/* What the device is, and whether it has a MAC array at all, before generating. */
	if (open_dev(device, "--grid", &dev))
		return 1;
	snprintf(g->dev_uri, sizeof(g->dev_uri), "%s", mbn_device_uri(dev));
	snprintf(g->dev_desc, sizeof(g->dev_desc), "%s", mbn_device_describe(dev));
	g->array = bench_array_macs(dev);
	mbn_device_close(dev);
	if (!g->array) {
		fprintf(stderr, "mbn-bench: --grid measures MAC utilization, so it needs an accelerator device "
				"(sim or drm); '%s' has no MAC array\n",
			g->dev_uri);
		return 1;
	}
	if (find_gen(gen, sizeof(gen)))
		return 1;
	const char *tmp = getenv("TMPDIR");
	snprintf(tmp_dir, sizeof(tmp_dir), "%s/mbn-grid.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmp_dir)) {
		fprintf(stderr, "mbn-bench: --grid: mkdtemp %s: %s\n", tmp_dir, strerror(errno));
		return 1;
	}
	snprintf(tmp_model, sizeof(tmp_model), "%s/model.tflite", tmp_dir);
	tmp_live = 1;
	void (*old_int)(int) = signal(SIGINT, on_signal);
	void (*old_term)(int) = signal(SIGTERM, on_signal);

	for (int a = 0; a < g->n_alpha && !rc; a++)
		for (int s = 0; s < g->n_size && !rc; s++) {
			struct grid_cell *c = &g->cell[a * g->n_size + s];
			char cellname[96], msg[128];
			snprintf(cellname, sizeof(cellname), "--grid cell alpha %s size %d", g->alpha_arg[a], g->size[s]);
			snprintf(msg, sizeof(msg), "cell %d/%d: alpha %s size %d: generating",
				 a * g->n_size + s + 1, g->n_alpha * g->n_size, g->alpha_arg[a], g->size[s]);
			bench_say(o->progress, msg);
			if (run_gen(gen, g->alpha_arg[a], g->size[s], g->seed, cellname)) {
				rc = 1;
				break;
			}
			snprintf(msg, sizeof(msg), "cell %d/%d: alpha %s size %d: measuring",
				 a * g->n_size + s + 1, g->n_alpha * g->n_size, g->alpha_arg[a], g->size[s]);
			bench_say(o->progress, msg);
			/* A fresh device per cell, as a separate mbn-bench run has (its buffers
			 * where a separate run puts them). A shared sim device once shifted later
			 * cells' cycles by one: the DRAM model's R/W arbiter kept its turn from job
			 * to job; it now restarts at every START (hw/sim/dram.h). */
			if (open_dev(device, cellname, &dev)) {
				rc = 1;
				break;
			}
			struct bench_opts co = *o;
			co.progress = 0; /* the cell's line above stays */
			struct bench_result r;
			const char *path = tmp_model;
			if (bench_measure(dev, &path, 1, &co, &r)) {
				bench_say(o->progress, "");
				fprintf(stderr, "mbn-bench: %s on %s: %s\n", cellname, g->dev_uri, r.err);
				mbn_device_close(dev);
				rc = 1;
				break;
			}
			snprintf(c->model, sizeof(c->model), "%s", mbn_model_describe(r.m));
			c->cycles = r.rs.accel_cycles;
			c->dram_read_bytes = r.rs.dram_read_bytes;
			c->dram_write_bytes = r.rs.dram_write_bytes;
			c->macs = r.macs;
			c->accel_macs = r.accel_macs;
			c->util = r.util;
			c->fps = r.fps;
			bench_result_free(&r);
			mbn_device_close(dev);
			unlink(tmp_model);
			if (!c->cycles) {
				fprintf(stderr, "mbn-bench: %s on %s: no layer ran on the accelerator (0 cycles)\n", cellname,
					g->dev_uri);
				rc = 1;
			}
		}
	bench_say(o->progress, "");
	remove_tmp();
	signal(SIGINT, old_int);
	signal(SIGTERM, old_term);
	return rc;
}

/* ------------------------------------------------------------------- output */

static const struct grid_cell *cell_at(const struct bench_grid *g, int a, int s)
{
	return &g->cell[a * g->n_size + s];
}

enum metric {
	M_UTIL,
	M_CYCLES,
	M_FPS,
	M_DRAM,
};

static void table(const struct bench_grid *g, enum metric m, const char *title)
{
	printf("\n%s\n%-12s", title, "alpha \\ size");
	for (int s = 0; s < g->n_size; s++)
		printf(" %12d", g->size[s]);
	printf("\n");
	for (int a = 0; a < g->n_alpha; a++) {
		printf("%-12s", g->alpha_arg[a]);
		for (int s = 0; s < g->n_size; s++) {
			const struct grid_cell *c = cell_at(g, a, s);
			char v[32];
			switch (m) {
			case M_UTIL:
				snprintf(v, sizeof(v), "%.1f %%", c->util * 100);
				break;
			case M_CYCLES:
				snprintf(v, sizeof(v), "%llu", (unsigned long long)c->cycles);
				break;
			case M_FPS:
				snprintf(v, sizeof(v), "%.1f", c->fps);
				break;
			case M_DRAM:
				snprintf(v, sizeof(v), "%.2f + %.2f", c->dram_read_bytes / 1e6, c->dram_write_bytes / 1e6);
				break;
			}
			printf(" %12s", v);
		}
		printf("\n");
	}
}

void bench_grid_print(const struct bench_grid *g, double clock_mhz)
{
	int array = g->array;
	char t[160];

	printf("MobileNet v1 width x resolution grid (mbn-gen seed %llu) on %s (%s)\n", g->seed, g->dev_uri,
	       g->dev_desc);
	snprintf(t, sizeof(t), "MAC utilization (accelerator MACs / (cycles x %d)):", array);
	table(g, M_UTIL, t);
	table(g, M_CYCLES, "accelerator cycles per inference:");
	snprintf(t, sizeof(t), "frames/s at %g MHz:", clock_mhz);
	table(g, M_FPS, t);
	table(g, M_DRAM, "DRAM traffic, MB read + written:");
}

void bench_grid_json(const struct bench_grid *g, double clock_mhz)
{
	printf("{\"device\":");
	json_string(g->dev_uri);
	printf(",\"device_description\":");
	json_string(g->dev_desc);
	printf(",\"mac_count\":%d,\"clock_mhz\":%g,\"seed\":%llu,\"alphas\":[", g->array, clock_mhz, g->seed);
	for (int a = 0; a < g->n_alpha; a++)
		printf("%s%g", a ? "," : "", g->alpha[a]);
	printf("],\"sizes\":[");
	for (int s = 0; s < g->n_size; s++)
		printf("%s%d", s ? "," : "", g->size[s]);
	printf("],\"cells\":[");
	for (int a = 0; a < g->n_alpha; a++)
		for (int s = 0; s < g->n_size; s++) {
			const struct grid_cell *c = cell_at(g, a, s);
			printf("%s{\"alpha\":%g,\"size\":%d,\"model\":", a || s ? "," : "", g->alpha[a], g->size[s]);
			json_string(c->model);
			printf(",\"cycles\":%llu,\"mac_utilization\":%.4f,\"macs\":%llu,\"accelerator_macs\":%llu,"
			       "\"dram_read_bytes\":%llu,\"dram_write_bytes\":%llu,\"frames_per_second\":%.2f}",
			       (unsigned long long)c->cycles, c->util, (unsigned long long)c->macs,
			       (unsigned long long)c->accel_macs, (unsigned long long)c->dram_read_bytes,
			       (unsigned long long)c->dram_write_bytes, c->fps);
		}
	printf("]}\n");
}

/* Text for an SVG element: & < > " escaped. */
static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			fputc(*s, f);
		}
}

/* Utilization 0..1 on the viridis scale (matplotlib's, 5 stops, linear between them):
 * ordered in lightness, readable in grey and by most colour-blind readers. */
static void color(double u, char *out, size_t len, int *dark)
{
	static const unsigned char stop[5][3] = {
		{ 0x44, 0x01, 0x54 },
		{ 0x3b, 0x52, 0x8b },
		{ 0x21, 0x91, 0x8c },
		{ 0x5e, 0xc9, 0x62 },
		{ 0xfd, 0xe7, 0x25 },
	};
	if (!(u > 0))
		u = 0;
	if (u > 1)
		u = 1;
	int i = u >= 1 ? 3 : (int)(u * 4);
	double t = u * 4 - i;
	int rgb[3];
	for (int k = 0; k < 3; k++)
		rgb[k] = (int)(stop[i][k] + t * (stop[i + 1][k] - stop[i][k]) + 0.5);
	snprintf(out, len, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
	*dark = u < 0.55;
}

int bench_grid_svg(const struct bench_grid *g, const char *path)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "mbn-bench: %s: cannot create: %s\n", path, strerror(errno));
		return 1;
	}
	const int cw = 96, ch = 56, left = 110, top = 64, legend = 70;
	int w = left + g->n_size * cw + legend + 20, h = top + g->n_alpha * ch + 60;
	if (w < 640) /* room for the title lines */
		w = 640;
	char fill[8];
	int dark;

	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		   "font-family=\"sans-serif\" font-size=\"12\">\n",
		w, h, w, h);
	fprintf(f, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", w, h);
	fprintf(f, "<text x=\"%d\" y=\"22\" font-size=\"15\" font-weight=\"bold\">MobileNet v1 MAC utilization: ", 10);
	xml_text(f, g->dev_uri);
	fprintf(f, ", %d MACs</text>\n", g->array);
	fprintf(f, "<text x=\"10\" y=\"40\" font-size=\"11\" fill=\"#444\">mbn-gen models, seed %llu; "
		   "cycles per inference from the accelerator's counters</text>\n",
		g->seed);

	for (int a = 0; a < g->n_alpha; a++) {
		int y = top + a * ch;
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", left - 8, y + ch / 2 + 4,
			g->alpha_arg[a]);
		for (int s = 0; s < g->n_size; s++) {
			const struct grid_cell *c = cell_at(g, a, s);
			int x = left + s * cw;
			color(c->util, fill, sizeof(fill), &dark);
			fprintf(f, "<rect class=\"cell\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" "
				   "stroke=\"white\" stroke-width=\"2\"><title>alpha %s, %dx%d: %.1f%% MAC utilization, "
				   "%llu cycles, %.1f frames/s, DRAM %.2f + %.2f MB</title></rect>\n",
				x, y, cw, ch, fill, g->alpha_arg[a], g->size[s], g->size[s], c->util * 100,
				(unsigned long long)c->cycles, c->fps, c->dram_read_bytes / 1e6, c->dram_write_bytes / 1e6);
			const char *ink = dark ? "white" : "black";
			fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\" "
				   "fill=\"%s\">%.1f %%</text>\n",
				x + cw / 2, y + ch / 2, ink, c->util * 100);
			fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\" fill=\"%s\">%.3f M cycles</text>\n",
				x + cw / 2, y + ch / 2 + 16, ink, c->cycles / 1e6);
		}
	}
	int gy = top + g->n_alpha * ch;
	for (int s = 0; s < g->n_size; s++)
		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text>\n", left + s * cw + cw / 2, gy + 18,
			g->size[s]);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">input size (pixels, square)</text>\n",
		left + g->n_size * cw / 2, gy + 40);
	fprintf(f, "<text x=\"24\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 24 %d)\">width multiplier "
		   "alpha</text>\n",
		top + g->n_alpha * ch / 2, top + g->n_alpha * ch / 2);

	/* Legend: the scale from 0 % (bottom) to 100 % (top). */
	int lx = left + g->n_size * cw + 20, lh = g->n_alpha * ch;
	fprintf(f, "<defs><linearGradient id=\"scale\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">\n");
	for (int i = 0; i <= 4; i++) {
		color(i / 4.0, fill, sizeof(fill), &dark);
		fprintf(f, "<stop offset=\"%d%%\" stop-color=\"%s\"/>\n", i * 25, fill);
	}
	fprintf(f, "</linearGradient></defs>\n");
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"%d\" fill=\"url(#scale)\"/>\n", lx, top, lh);
	for (int pct = 0; pct <= 100; pct += 25)
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"10\">%d %%</text>\n", lx + 18,
			top + lh - pct * lh / 100 + 4, pct);
	fprintf(f, "</svg>\n");
	if (fclose(f)) {
		fprintf(stderr, "mbn-bench: %s: %s\n", path, strerror(errno));
		return 1;
	}
	return 0;
}
