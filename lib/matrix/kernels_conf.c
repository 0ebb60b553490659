// SPDX-License-Identifier: MIT
/* Kernel matrix configuration: see kernels_conf.h for the format. */
#include "kernels_conf.h"

#include <dirent.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <ini.h>

static const char *const align_names[] = { "1G", "2M", "4K" };

unsigned long pb_kc_align_bytes(const char *name)
{
	static const unsigned long bytes[] = { 1UL << 30, 2UL << 20, 4UL << 10 };

	for (size_t i = 0; i < sizeof(bytes) / sizeof(*bytes); i++)
		if (!strcmp(name, align_names[i]))
			return bytes[i];
	return 0;
}

struct kparse {
	struct pb_kernels_conf kc;
	FILE *fp;
	int line;
	bool failed;
	char *err;
	size_t errlen;
	char dir[PATH_MAX];		/* of the config file, for relative paths */
	unsigned matrix_seen;		/* bit per key */
	bool spec_seen[PB_KC_MAX_KERNELS];
};

/* First error wins; later ones are often consequences. */
static void fail(struct kparse *p, const char *name, const char *section, const char *what)
{
	if (p->failed)
		return;
	p->failed = true;
	if (name)
		snprintf(p->err, p->errlen, "%s:%d: key '%s' in [%s]: %s", p->kc.path, p->line,
			 name, section, what);
	else
		snprintf(p->err, p->errlen, "%s:%d: %s", p->kc.path, p->line, what);
}

/* Relative paths are taken from the config file's directory. */
static void resolve(const struct kparse *p, const char *rel, char *out, size_t len)
{
	int n;

	if (rel[0] == '/')
		n = snprintf(out, len, "%s", rel);
	else
		n = snprintf(out, len, "%s/%s", p->dir, rel);
	if (n < 0 || (size_t)n >= len)
		out[0] = '\0';	/* too long: fails like a missing file later */
}

static bool parse_uint(const char *s, unsigned min, unsigned max, unsigned *out)
{
	unsigned long v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || (v = v * 10 + (unsigned long)(*s - '0')) > max)
			return false;
	}
	*out = (unsigned)v;
	return v >= min;
}

/* "1G, 2M": known names, no duplicates, no empty entries. */
static const char *parse_aligns(struct pb_kernels_conf *kc, const char *value)
{
	char buf[256], *tok, *next;

	if (strlen(value) >= sizeof(buf))
		return "value too long";
	strcpy(buf, value);
	kc->nr_aligns = 0;
	for (tok = buf; tok; tok = next) {
		char *end;

		next = strchr(tok, ',');
		if (next)
			*next++ = '\0';
		tok += strspn(tok, " \t");
		for (end = tok + strlen(tok); end > tok && (end[-1] == ' ' || end[-1] == '\t');)
			*--end = '\0';
		if (!pb_kc_align_bytes(tok))
			return "entries must be 1G, 2M or 4K";
		for (unsigned i = 0; i < kc->nr_aligns; i++)
			if (!strcmp(kc->aligns[i], tok))
				return "duplicate entry";
		if (kc->nr_aligns == PB_KC_MAX_ALIGNS)
			return "too many entries";
		strcpy(kc->aligns[kc->nr_aligns++], tok);
	}
	return NULL;
}

/*
 * "0001,0002" -> "0001 0002" for build-kernel.sh --patches; "none" or
 * nothing = the stock source.  Names are patches/ prefixes: no paths.
 */
static const char *parse_build(struct pb_kernel_spec *k, const char *list)
{
	char buf[sizeof(k->arg)], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	k->kind = PB_KSPEC_BUILD;
	k->arg[0] = '\0';
	for (char *tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		if (tok[0] == '.' || tok[strspn(tok, "abcdefghijklmnopqrstuvwxyz"
						     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-")])
			return "expected build:<patch>[,<patch>...] (names or numbers in patches/)";
		if (!strcmp(tok, "none"))
			continue;
		if (strlen(k->arg) + strlen(tok) + 2 > sizeof(k->arg))
			return "value too long";
		strcat(k->arg[0] ? strcat(k->arg, " ") : k->arg, tok);
	}
	return NULL;
}

static const char *parse_spec(struct kparse *p, struct pb_kernel_spec *k, const char *value)
{
	if (strlen(value) >= sizeof(k->spec))
		return "value too long";
	strcpy(k->spec, value);
	if (!strncmp(value, "debian:", 7)) {
		/* the package (glob) and version go to fetch-kernel.sh as one word */
		if (!value[7] || value[7] == '=' || strpbrk(value, " \t'\"\\;|&$`"))
			return "expected debian:<package>[=<version>]";
		k->kind = PB_KSPEC_DEBIAN;
		strcpy(k->arg, value);
		return NULL;
	}
	if (!strncmp(value, "bzimage:", 8)) {
		if (!value[8])
			return "expected bzimage:<path>";
		k->kind = PB_KSPEC_BZIMAGE;
		resolve(p, value + 8, k->arg, sizeof(k->arg));
		return NULL;
	}
	if (!strncmp(value, "build:", 6))
		return parse_build(k, value + 6);
	return "expected debian:<package>[=<version>], bzimage:<path> or build:<patches>";
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	static const char *const matrix_keys[] = { "suite", "aligns", "timeout_s", "numa", "pmem_gib",
						   "hugepages_1g" };
	const size_t nr_keys = sizeof(matrix_keys) / sizeof(*matrix_keys);
	struct kparse *p = user;
	struct pb_kernels_conf *kc = &p->kc;
	const char *what = NULL;

	if (!strncmp(section, "kernel:", 7)) {
		unsigned i = kc->nr_kernels - 1;	/* read_line() added it */

		if (!strcmp(name, "fragment") || !strcmp(name, "suite")) {
			char *dst = name[0] == 'f' ? kc->kernels[i].fragment : kc->kernels[i].suite;

			if (dst[0])
				what = "duplicate key";
			else if (!*value)
				what = "empty path";
			else
				resolve(p, value, dst, PATH_MAX);
		} else if (strcmp(name, "spec")) {
			what = "unknown key (expected spec, fragment, suite)";
		} else if (p->spec_seen[i]) {
			what = "duplicate key";
		} else {
			what = parse_spec(p, &kc->kernels[i], value);
			p->spec_seen[i] = true;
		}
	} else if (!strcmp(section, "matrix")) {
		size_t k;

		for (k = 0; k < nr_keys && strcmp(name, matrix_keys[k]); k++)
			;
		if (k == nr_keys)
			what = "unknown key (expected suite, aligns, timeout_s, numa, pmem_gib, "
			       "hugepages_1g)";
		else if (p->matrix_seen & 1u << k)
			what = "duplicate key";
		else if (k == 0 && !*value)
			what = "empty path";
		else if (k == 0)
			resolve(p, value, kc->suite, sizeof(kc->suite));
		else if (k == 1)
			what = parse_aligns(kc, value);
		else if (k == 2 && !parse_uint(value, 30, 86400, &kc->timeout_s))
			what = "not an integer in 30..86400";
		else if (k == 3 && !parse_uint(value, 1, 2, &kc->numa))
			what = "must be 1 or 2";
		/* boot.sh's NVDIMM is a sparse file: only what the guest writes is real */
		else if (k == 4 && !parse_uint(value, 2, 60, &kc->pmem_gib))
			what = "not an integer in 2..60";
		/* at boot, before memory fragments: a run-time reserve may find no 1 GiB */
		else if (k == 5 && !parse_uint(value, 0, 8, &kc->hugepages_1g))
			what = "not an integer in 0..8";
		p->matrix_seen |= k < nr_keys ? 1u << k : 0;
	} else {
		what = *section ? "unknown section" : "no [section] before it";
	}
	if (what) {
		fail(p, name, section, what);
		return 0;
	}
	return 1;
}

/* Label of [kernel:LABEL]: used as a directory name. */
static bool good_label(const char *s, size_t len)
{
	if (!len || len >= PB_KC_LABEL_MAX || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", s[i]))
			return false;
	return true;
}

/*
 * Line reader for ini_parse_stream(): counts lines for the messages and
 * registers every [kernel:LABEL] header in file order, with or without keys.
 */
static char *read_line(char *str, int num, void *user)
{
	struct kparse *p = user;
	char *s, *end;

	if (!fgets(str, num, p->fp))
		return NULL;
	p->line++;
	s = str + strspn(str, " \t");
	memmove(str, s, strlen(s) + 1);
	if (str[0] != '[' || !(end = strchr(str, ']')))
		return str;
	s = str + 1;
	if (!strncmp(s, "kernel:", 7)) {
		struct pb_kernels_conf *kc = &p->kc;
		size_t len = (size_t)(end - s - 7);

		if (!good_label(s + 7, len)) {
			fail(p, NULL, NULL, "bad kernel label (letters, digits, . _ -; 1..47 chars)");
			return NULL;
		}
		for (unsigned i = 0; i < kc->nr_kernels; i++)
			if (strlen(kc->kernels[i].label) == len && !strncmp(kc->kernels[i].label, s + 7, len)) {
				fail(p, NULL, NULL, "duplicate [kernel:...] section");
				return NULL;
			}
		if (kc->nr_kernels == PB_KC_MAX_KERNELS) {
			fail(p, NULL, NULL, "too many [kernel:...] sections");
			return NULL;
		}
		snprintf(kc->kernels[kc->nr_kernels].label, PB_KC_LABEL_MAX, "%.*s", (int)len, s + 7);
		kc->kernels[kc->nr_kernels++].line = p->line;
	} else if (strncmp(s, "matrix]", 7)) {
		fail(p, NULL, NULL, "unknown section (expected [matrix] or [kernel:LABEL])");
		return NULL;
	}
	return str;
}

/* Files in @dir that the patch name @name selects, as build-kernel.sh does. */
static int patch_matches(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t len = strlen(name);
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (!strcmp(e->d_name, name) ||
		    (!strncmp(e->d_name, name, len) &&
		     (!strcmp(e->d_name + len, ".patch") ||
		      (e->d_name[len] == '-' && strlen(e->d_name) > len + 6 &&
		       !strcmp(e->d_name + strlen(e->d_name) - 6, ".patch")))))
			n++;
	closedir(d);
	return n;
}

/* Every build: name must select exactly one patch: a renamed one is an error here. */
static int check_patches(const struct pb_kernels_conf *kc, const char *root, char *err,
			 size_t errlen)
{
	for (unsigned i = 0; i < kc->nr_kernels; i++) {
		const struct pb_kernel_spec *k = &kc->kernels[i];
		char buf[sizeof(k->arg)], *save = NULL, dir[2][PATH_MAX];

		if (k->kind != PB_KSPEC_BUILD)
			continue;
		snprintf(dir[0], PATH_MAX, "%s/patches", root);
		snprintf(dir[1], PATH_MAX, "%s/tests/kernel-patches", root);
		snprintf(buf, sizeof(buf), "%s", k->arg);
		for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			int n = patch_matches(dir[0], tok) + patch_matches(dir[1], tok);

			if (n != 1) {
				snprintf(err, errlen, "%s:%d: [kernel:%s]: patch '%s' matches %d files "
					 "in patches/ and tests/kernel-patches/ (want exactly one)",
					 kc->path, k->line, k->label, tok, n);
				return -1;
			}
		}
	}
	return 0;
}

const char *pb_kc_suite(const struct pb_kernels_conf *kc, unsigned i)
{
	return kc->kernels[i].suite[0] ? kc->kernels[i].suite : kc->suite;
}

int pb_kernels_conf_load(struct pb_kernels_conf *out, const char *path, const char *root,
			 char *err, size_t errlen)
{
	static struct kparse p;	/* large: keep it off the stack */
	const char *slash = strrchr(path, '/');
	int rc;

	memset(&p, 0, sizeof(p));
	p.err = err;
	p.errlen = errlen;
	snprintf(p.kc.path, sizeof(p.kc.path), "%s", path);
	snprintf(p.dir, sizeof(p.dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	if (slash == path)
		strcpy(p.dir, "/");
	resolve(&p, "vm-quick.conf", p.kc.suite, sizeof(p.kc.suite));
	strcpy(p.kc.aligns[0], "1G");
	strcpy(p.kc.aligns[1], "2M");
	p.kc.nr_aligns = 2;
	p.kc.timeout_s = 600;
	p.kc.numa = 1;
	p.kc.pmem_gib = 4;
	p.fp = fopen(path, "r");
	if (!p.fp) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = ini_parse_stream(read_line, &p, handler, &p);
	fclose(p.fp);
	if (p.failed)
		return -1;
	if (rc) {
		snprintf(err, errlen, "%s:%d: syntax error", path, rc);
		return -1;
	}
	if (!p.kc.nr_kernels) {
		snprintf(err, errlen, "%s: no [kernel:LABEL] section", path);
		return -1;
	}
	for (unsigned i = 0; i < p.kc.nr_kernels; i++) {
		const struct pb_kernel_spec *k = &p.kc.kernels[i];

		if (!p.spec_seen[i] || (k->fragment[0] && k->kind != PB_KSPEC_BUILD)) {
			snprintf(err, errlen, "%s:%d: [kernel:%s]: %s", path, k->line, k->label,
				 p.spec_seen[i] ? "fragment is for build: specs only" : "no spec");
			return -1;
		}
	}
	if (root && check_patches(&p.kc, root, err, errlen))
		return -1;
	*out = p.kc;
	return 0;
}
