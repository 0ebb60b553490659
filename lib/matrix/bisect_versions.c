// SPDX-License-Identifier: MIT
/* The bisect's ordered series of package versions (see bisect.h). */
#define _GNU_SOURCE
#include "bisect.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "subproc.h"

/* dpkg's own ordering (epochs, ~, +): true when @a @rel @b ("lt", "eq"). */
static bool dpkg_compare(const char *a, const char *rel, const char *b)
{
	char *argv[] = { "/usr/bin/dpkg", "--compare-versions", (char *)a, (char *)rel, (char *)b,
			 NULL };

	return pb_spawn_wait(argv, NULL, 0, 30) == 0;
}

static int by_version(const void *pa, const void *pb)
{
	const struct pb_bisect_version *a = pa, *b = pb;

	if (dpkg_compare(a->version, "lt", b->version))
		return -1;
	return dpkg_compare(a->version, "gt", b->version) ? 1 : 0;
}

/* One "PACKAGE VERSION [SUITE]" or "PACKAGE=VERSION" line into @v; -1 if it is not that. */
static int parse_line(char *line, struct pb_bisect_version *v)
{
	char *eq = strchr(line, '='), pkg[PB_BISECT_NAME_MAX], ver[PB_BISECT_NAME_MAX];
	char suite[64] = "", extra;
	int n;

	if (eq && !strchr(line, ' '))
		*eq = ' ';
	n = sscanf(line, "%127s %127s %63s %c", pkg, ver, suite, &extra);
	if (n != 2 && n != 3)
		return -1;
	memset(v, 0, sizeof(*v));
	snprintf(v->package, sizeof(v->package), "%s", pkg);
	snprintf(v->version, sizeof(v->version), "%s", ver);
	snprintf(v->suite, sizeof(v->suite), "%s", suite);
	return 0;
}

static int find_bound(const struct pb_bisect_version *v, int nr, const char *name)
{
	for (int i = 0; i < nr; i++)
		if (!strcmp(v[i].version, name) || !strcmp(v[i].package, name))
			return i;
	return -1;
}

/* Keep @from..@to of the sorted @v; the new count or -1 with @err. */
static int restrict_range(struct pb_bisect_version *v, int nr, const char *from, const char *to,
			  char *err, size_t errlen)
{
	int lo = from ? find_bound(v, nr, from) : 0;
	int hi = to ? find_bound(v, nr, to) : nr - 1;

	if (lo < 0 || hi < 0) {
		snprintf(err, errlen, "--%s %s: not among the %d versions listed", lo < 0 ? "from" :
			 "to", lo < 0 ? from : to, nr);
		return -1;
	}
	if (hi < lo) {
		snprintf(err, errlen, "--from %s is newer than --to %s", from, to);
		return -1;
	}
	memmove(v, v + lo, (size_t)(hi - lo + 1) * sizeof(*v));
	return hi - lo + 1;
}

int pb_bisect_versions_parse(const char *text, const char *from, const char *to,
			     struct pb_bisect_version *v, unsigned max, char *err, size_t errlen)
{
	char *dup = strdup(text), *save = NULL;
	int nr = 0, bad = 0;

	for (char *l = strtok_r(dup, "\n", &save); l && !bad; l = strtok_r(NULL, "\n", &save)) {
		if (!l[strspn(l, " \t")])
			continue;
		if ((unsigned)nr == max)
			bad = snprintf(err, errlen, "more than %u versions", max);
		else if (parse_line(l, &v[nr++]))
			bad = snprintf(err, errlen, "version list: '%s' is not PACKAGE VERSION", l);
	}
	free(dup);
	if (bad)
		return -1;
	if (!nr) {
		snprintf(err, errlen, "no versions listed");
		return -1;
	}
	qsort(v, (size_t)nr, sizeof(*v), by_version);
	for (int i = 1; i < nr; i++)
		if (!by_version(&v[i - 1], &v[i])) {
			snprintf(err, errlen, "version %s is listed twice (%s, %s)", v[i].version,
				 v[i - 1].package, v[i].package);
			return -1;
		}
	return restrict_range(v, nr, from, to, err, errlen);
}

void pb_bisect_upstream(const char *version, char *buf, size_t len)
{
	const char *colon = strchr(version, ':'), *s = colon ? colon + 1 : version;
	const char *dash = strrchr(s, '-');

	snprintf(buf, len, "%.*s", dash ? (int)(dash - s) : (int)strlen(s), s);
}
