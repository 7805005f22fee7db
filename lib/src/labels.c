/* SPDX-License-Identifier: Apache-2.0 */
/*
 * labels.c - classifier helpers: top-k selection and a label file (one label a line).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mbnaccel.h"
#include "util.h"

MBN_EXPORT int mbn_topk(const float *scores, int n, int k, int *indices)
{
	if (!scores || !indices || n < 0 || k < 0)
		return mbn_set_error(-EINVAL, "mbn_topk: bad arguments");
	if (k > n)
		k = n;
	/* Selection by insertion: k is small (5); ties keep the lower index first. */
	int have = 0;
	for (int i = 0; i < n; i++) {
		int pos = have;
		while (pos > 0 && scores[i] > scores[indices[pos - 1]])
			pos--;
		if (pos >= k)
			continue;
		int last = have < k ? have : k - 1;
		for (int j = last; j > pos; j--)
			indices[j] = indices[j - 1];
		indices[pos] = i;
		if (have < k)
			have++;
	}
	return have;
}

struct mbn_labels {
	int n;
	char **text;
	char *blob;
};

MBN_EXPORT int mbn_labels_load(const char *path, mbn_labels **out)
{
	FILE *f;
	long size;

	if (!path || !out)
		return mbn_set_error(-EINVAL, "mbn_labels_load: NULL argument");
	*out = NULL;
	if (!(f = fopen(path, "rb")))
		return mbn_set_error(-errno, "%s: cannot open label file: %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || size > (64 << 20) || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return mbn_set_error(-EINVAL, "%s: not a readable label file (or larger than 64 MiB)", path);
	}
	mbn_labels *l = calloc(1, sizeof(*l));
	char *blob = malloc((size_t)size + 1);
	if (!l || !blob || fread(blob, 1, (size_t)size, f) != (size_t)size) {
		fclose(f);
		free(l);
		free(blob);
		return mbn_set_error(-EIO, "%s: cannot read label file", path);
	}
	fclose(f);
	blob[size] = 0;
	int lines = 1;
	for (long i = 0; i < size; i++)
		lines += blob[i] == '\n';
	l->text = calloc((size_t)lines, sizeof(char *));
	if (!l->text) {
		free(l);
		free(blob);
		return mbn_set_error(-ENOMEM, "out of memory");
	}
	l->blob = blob;
	for (char *p = blob; *p || p == blob;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		size_t len = strlen(p);
		if (len && p[len - 1] == '\r')
			p[len - 1] = 0;
		if (!nl && !*p)
			break;
		l->text[l->n++] = p;
		if (!nl)
			break;
		p = nl + 1;
	}
	*out = l;
	return l->n;
}

MBN_EXPORT int mbn_labels_count(const mbn_labels *l)
{
	return l ? l->n : 0;
}

MBN_EXPORT const char *mbn_labels_get(const mbn_labels *l, int i)
{
	return l && i >= 0 && i < l->n ? l->text[i] : NULL;
}

MBN_EXPORT void mbn_labels_free(mbn_labels *l)
{
	if (!l)
		return;
	free(l->text);
	free(l->blob);
	free(l);
}
