// SPDX-License-Identifier: MIT
/* Kernel matrix configuration: see kernels_conf.h for the format. */
#include "kernels_conf.h"

#include <dirent.h>
#include <sys/stat.h>

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "pb_ini.h"

static const char *const align_names[] = { "1G", "2M", "4K" };

unsigned long pb_kernels_conf_align_bytes(const char *name)
{
	static const unsigned long bytes[] = { 1UL << 30, 2UL << 20, 4UL << 10 };

	for (size_t i = 0; i < sizeof(bytes) / sizeof(*bytes); i++)
		if (!strcmp(name, align_names[i]))
			return bytes[i];
	return 0;
}

static const char *const accel_names[] = { "auto", "kvm", "tcg" };

int pb_kernels_conf_accel_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(accel_names) / sizeof(*accel_names); i++)
		if (!strcmp(name, accel_names[i]))
			return (int)i;
	return -1;
}

const char *pb_kernels_conf_accel_name(enum pb_kernels_conf_accel accel)
{
	return accel_names[accel];
}

struct kparse {
	struct pb_ini ini;
	struct pb_kernels_conf kc;
	char dir[PATH_MAX];		/* of the config file, for relative paths */
	unsigned matrix_seen;		/* bit per key */
	bool spec_seen[PB_KERNELS_CONF_MAX_KERNELS];
	bool arch_seen[PB_KERNELS_CONF_MAX_KERNELS];
};

static const char *const arch_names[] = { PB_KERNELS_CONF_ARCHES };

/* A known architecture into @dst, or why not. */
static const char *parse_arch(const char *value, char *dst)
{
	for (size_t i = 0; i < sizeof(arch_names) / sizeof(*arch_names); i++)
		if (!strcmp(value, arch_names[i])) {
			strcpy(dst, value);
			return NULL;
		}
	static char why[PB_INI_MAX_LINE];
	size_t n = (size_t)snprintf(why, sizeof(why), "unknown architecture '%.64s' (known:", value);

	for (size_t i = 0; i < sizeof(arch_names) / sizeof(*arch_names); i++)
		n += (size_t)snprintf(why + n, sizeof(why) - n, " %s", arch_names[i]);
	snprintf(why + n, sizeof(why) - n, ")");
	return why;
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

static bool parse_uint(const char *s, unsigned min, unsigned max, unsigned *out, char *what,
		       size_t wlen)
{
	unsigned long v;

	if (!pb_ini_parse_ulong(s, min, max, &v, what, wlen))
		return false;
	*out = (unsigned)v;
	return true;
}

static bool parse_accel(const char *s, enum pb_kernels_conf_accel *out, char *what, size_t wlen)
{
	int a = pb_kernels_conf_accel_parse(s);

	if (a < 0) {
		snprintf(what, wlen, "'%s' is not auto, kvm or tcg", s);
		return false;
	}
	*out = (enum pb_kernels_conf_accel)a;
	return true;
}

static bool parse_align(const char *entry, void *slot, const void *ctx, char *what, size_t wlen)
{
	(void)ctx;
	if (!pb_kernels_conf_align_bytes(entry)) {
		snprintf(what, wlen, "entries must be 1G, 2M or 4K");
		return false;
	}
	strcpy(slot, entry);
	return true;
}

/* "1G, 2M": known names, no duplicates, no empty entries. */
static bool parse_aligns(struct pb_kernels_conf *kc, const char *value, char *what, size_t wlen)
{
	const struct pb_ini_list list = {
		.items = kc->aligns, .size = sizeof(kc->aligns[0]), .cap = PB_KERNELS_CONF_MAX_ALIGNS,
		.nr = &kc->nr_aligns, .parse_item = parse_align,
	};

	return pb_ini_parse_list(value, &list, what, wlen) >= 0;
}

/* "7.3:" of "7.3:mprotect-pud,8001" into k->base (a version: digits and one dot); the rest. */
static const char *parse_base(struct pb_kernel_spec *k, const char *spec, const char **rest)
{
	spec += strspn(spec, " \t");	/* "build: 7.3:x" as "build:7.3:x" */
	const char *colon = strchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : 0;
	size_t major = strspn(spec, "0123456789");

	*rest = colon ? colon + 1 : spec;
	if (!colon) {
		snprintf(k->base, sizeof(k->base), "%s", PB_KERNELS_CONF_DEFAULT_BASE);
		return NULL;
	}
	if (len >= sizeof(k->base) || !major || spec[major] != '.' || major + 1 == len ||
	    strspn(spec + major + 1, "0123456789") != len - major - 1)
		return "expected build:[<base>:]<name>[,<name>...] (a base such as 7.3 or 6.12)";
	memcpy(k->base, spec, len);
	k->base[len] = '\0';
	return NULL;
}

/*
 * "7.3:mprotect-pud,8001" -> base "7.3", "mprotect-pud 8001" for
 * build-kernel.sh --patches; "none" or nothing = the stock source.  Names are
 * resolved by check_patches(): no paths.
 */
static const char *parse_build(struct pb_kernel_spec *k, const char *spec)
{
	char buf[sizeof(k->arg)], *save = NULL;
	const char *list, *bad = parse_base(k, spec, &list);

	if (bad)
		return bad;
	snprintf(buf, sizeof(buf), "%s", list);
	k->kind = PB_KSPEC_BUILD;
	k->arg[0] = '\0';
	for (char *tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		const char *slash = strchr(tok, '/');

		/* a series, SERIES/NNNN or NNNN: never a path of its own */
		if (tok[0] == '.' || slash == tok || (slash && (slash[1] == '.' || strchr(slash + 1, '/'))) ||
		    tok[strspn(tok, "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/")])
			return "expected build:[<base>:]<name>[,<name>...] (a series of patches/<base>/, "
			       "SERIES/NNNN, or a bench-only or test-only patch number)";
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
		/* [suite/]package(glob)[=version] go to fetch-kernel.sh as one word */
		const char *slash = strchr(value + 7, '/'), *pkg = slash ? slash + 1 : value + 7;

		if (!*pkg || *pkg == '=' || pkg == value + 8 || strchr(pkg, '/') ||
		    strpbrk(value, " \t'\"\\;|&$`"))
			return "expected debian:[<suite>/]<package>[=<version>]";
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
	return "expected debian:[<suite>/]<package>[=<version>], bzimage:<path> or build:[<base>:]<names>";
}

/* "NAME=VALUE" (a file name and a word: it travels on the guest's cmdline) into @dst, or why not. */
static const char *parse_debugfs(const char *value, char *dst)
{
	const char *eq = strchr(value, '=');
	size_t name = eq ? (size_t)(eq - value) : 0;

	if (!eq || !name || !eq[1] || strlen(value) >= PB_KERNELS_CONF_DEBUGFS_MAX ||
	    strspn(value, "abcdefghijklmnopqrstuvwxyz0123456789_") != name ||
	    strspn(eq + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
		    strlen(eq + 1))
		return "expected NAME=VALUE (NAME of [a-z0-9_], VALUE of [a-zA-Z0-9_], under 64 chars)";
	strcpy(dst, value);
	return NULL;
}

/* "debug, soft-dirty" -> "debug soft-dirty": names of configs/kernel/NAME.fragment. */
static const char *parse_configs(const char *value, char *dst)
{
	char buf[PB_KERNELS_CONF_CONFIGS_MAX], *save = NULL;

	if (strlen(value) >= sizeof(buf))
		return "value too long";
	snprintf(buf, sizeof(buf), "%s", value);
	dst[0] = '\0';
	for (char *tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		if (tok[0] == '.' || tok[0] == '-' ||
		    tok[strspn(tok, "abcdefghijklmnopqrstuvwxyz0123456789_-")])
			return "expected NAME[, NAME...] of configs/kernel/NAME.fragment (a-z 0-9 _ -)";
		strcat(dst[0] ? strcat(dst, " ") : dst, tok);
	}
	return dst[0] ? NULL : "empty list";
}

/* A C function name: what a WARNING's "at FUNC+0x2c/0x102" names. */
static const char *parse_function(const char *value, char *dst)
{
	if (!*value || strlen(value) >= PB_KERNELS_CONF_FUNCTION_MAX ||
	    strchr("0123456789", value[0]) ||
	    strspn(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
		    strlen(value))
		return "expected a function name (letters, digits, _; under 64 chars)";
	strcpy(dst, value);
	return NULL;
}

static bool on_key(struct pb_ini *ini, const char *section, const char *name, const char *value)
{
	static const char *const matrix_keys[] = { "suite", "aligns", "timeout_s", "numa", "pmem_gib",
						   "hugepages_1g", "boots", "accel", "cpus" };
	const size_t nr_keys = sizeof(matrix_keys) / sizeof(*matrix_keys);
	struct kparse *p = ini->user;
	struct pb_kernels_conf *kc = &p->kc;
	char msg[PB_INI_MAX_LINE + 64];
	const char *what = NULL;

	if (!strncmp(section, "kernel:", 7)) {
		unsigned i = kc->nr_kernels - 1;	/* on_section() added it */

		if (!strcmp(name, "fragment") || !strcmp(name, "suite")) {
			char *dst = name[0] == 'f' ? kc->kernels[i].fragment : kc->kernels[i].suite;

			if (dst[0])
				what = "duplicate key";
			else if (!*value)
				what = "empty path";
			else
				resolve(p, value, dst, PATH_MAX);
		} else if (!strcmp(name, "config")) {
			what = kc->kernels[i].configs[0] ? "duplicate key" :
			       parse_configs(value, kc->kernels[i].configs);
		} else if (!strcmp(name, "arch")) {
			what = p->arch_seen[i] ? "duplicate key" : parse_arch(value, kc->kernels[i].arch);
			p->arch_seen[i] = true;
		} else if (!strcmp(name, "debugfs")) {
			what = kc->kernels[i].debugfs[0] ? "duplicate key" :
			       parse_debugfs(value, kc->kernels[i].debugfs);
		} else if (!strcmp(name, "expect_warning")) {
			what = kc->kernels[i].expect_warning[0] ? "duplicate key" :
			       parse_function(value, kc->kernels[i].expect_warning);
		} else if (strcmp(name, "spec")) {
			what = "unknown key (expected spec, fragment, config, suite, debugfs, arch, "
			       "expect_warning)";
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
			       "hugepages_1g, boots, accel, cpus)";
		else if (p->matrix_seen & 1u << k)
			what = "duplicate key";
		else if (k == 0 && !*value)
			what = "empty path";
		else if (k == 0)
			resolve(p, value, kc->suite, sizeof(kc->suite));
		else if ((k == 1 && !parse_aligns(kc, value, msg, sizeof(msg))) ||
			 (k == 2 && !parse_uint(value, 30, 86400, &kc->timeout_s, msg, sizeof(msg))) ||
			 (k == 3 && !parse_uint(value, 1, 2, &kc->numa, msg, sizeof(msg))) ||
			 /* boot.sh's NVDIMM is a sparse file: only what the guest writes is real */
			 (k == 4 && !parse_uint(value, 2, 60, &kc->pmem_gib, msg, sizeof(msg))) ||
			 /* at boot, before memory fragments: a run-time reserve may find no 1 GiB */
			 (k == 5 && !parse_uint(value, 0, 8, &kc->hugepages_1g, msg, sizeof(msg))) ||
			 (k == 6 && !parse_uint(value, 1, PB_KERNELS_CONF_MAX_BOOTS, &kc->boots, msg, sizeof(msg))) ||
			 (k == 7 && !parse_accel(value, &kc->accel, msg, sizeof(msg))) ||
			 (k == 8 && !parse_uint(value, 1, PB_KERNELS_CONF_MAX_CPUS, &kc->cpus, msg,
						sizeof(msg))))
			what = msg;
		p->matrix_seen |= k < nr_keys ? 1u << k : 0;
	} else {
		what = *section ? "unknown section" : "no [section] before it";
	}
	if (what) {
		pb_ini_error(ini, section, name, "%s", what);
		return false;
	}
	return true;
}

/* Label of [kernel:LABEL]: used as a directory name. */
static bool good_label(const char *s, size_t len)
{
	if (!len || len >= PB_KERNELS_CONF_LABEL_MAX || s[0] == '.' || s[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", s[i]))
			return false;
	return true;
}

static int kernel_index(const struct pb_kernels_conf *kc, const char *label)
{
	for (unsigned i = 0; i < kc->nr_kernels; i++)
		if (!strcmp(kc->kernels[i].label, label))
			return (int)i;
	return -1;
}

/* "kernel:LABEL", for errors found after the parse. */
static const char *kernel_section(const struct pb_kernel_spec *k, char *buf, size_t len)
{
	snprintf(buf, len, "kernel:%s", k->label);
	return buf;
}

/* Every header, keys or not: each [kernel:LABEL] is registered in file order. */
static bool on_section(struct pb_ini *ini, const char *section)
{
	struct kparse *p = ini->user;
	struct pb_kernels_conf *kc = &p->kc;
	const char *label = section + 7;
	const char *what = NULL;

	if (!strcmp(section, "matrix"))
		return true;
	if (strncmp(section, "kernel:", 7))
		what = "unknown section (expected matrix, kernel:LABEL)";
	else if (!good_label(label, strlen(label)))
		what = "bad kernel label (letters, digits, . _ -; 1..47 chars)";
	else if (kernel_index(kc, label) >= 0)
		what = "duplicate section";
	else if (kc->nr_kernels == PB_KERNELS_CONF_MAX_KERNELS)
		what = "too many [kernel:...] sections";
	if (what) {
		pb_ini_error(ini, section, NULL, "%s", what);
		return false;
	}
	snprintf(kc->kernels[kc->nr_kernels].label, PB_KERNELS_CONF_LABEL_MAX, "%s", label);
	strcpy(kc->kernels[kc->nr_kernels].arch, arch_names[0]);
	kc->kernels[kc->nr_kernels++].line = ini->line;
	return true;
}

static bool is_patch_file(const char *name)
{
	size_t len = strlen(name);

	return len > 6 && !strcmp(name + len - 6, ".patch");
}

/* Files in @dir that the patch name @name selects, as build-kernel.sh does; "": every patch. */
static int patch_matches(const char *dir, const char *name)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t len = strlen(name);
	int n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if ((!len && is_patch_file(e->d_name)) || (len && !strcmp(e->d_name, name)) ||
		    (len && !strncmp(e->d_name, name, len) &&
		     (!strcmp(e->d_name + len, ".patch") ||
		      (e->d_name[len] == '-' && is_patch_file(e->d_name + len)))))
			n++;
	closedir(d);
	return n;
}

/*
 * How many patches @name selects for @base (tools/lib/kernel-source.sh's
 * pb_patch_files() resolves the same way): a series directory
 * patches/<base>/NAME/ counts once if it has patches; SERIES/NNNN selects in
 * that directory; any other name in bench/kernel-patches/<base>/ and
 * tests/kernel-patches/<base>/.  test_kernels_conf holds the two to the
 * same answers.
 */
static int name_matches(const char *root, const char *base, const char *name)
{
	const char *slash = strchr(name, '/');
	char dir[PATH_MAX];
	struct stat st;

	if (slash) {
		snprintf(dir, sizeof(dir), "%s/patches/%s/%.*s", root, base, (int)(slash - name), name);
		return patch_matches(dir, slash + 1);
	}
	snprintf(dir, sizeof(dir), "%s/patches/%s/%s", root, base, name);
	if (!stat(dir, &st) && S_ISDIR(st.st_mode))
		return patch_matches(dir, "") > 0;
	snprintf(dir, sizeof(dir), "%s/bench/kernel-patches/%s", root, base);
	int n = patch_matches(dir, name);

	snprintf(dir, sizeof(dir), "%s/tests/kernel-patches/%s", root, base);
	return n + patch_matches(dir, name);
}

/* Each config = NAME must be configs/kernel/NAME.fragment of the checkout. */
static int check_configs(struct pb_ini *ini, const struct pb_kernel_spec *k, const char *root)
{
	char buf[sizeof(k->configs)], *save = NULL, path[PATH_MAX], section[PB_KERNELS_CONF_LABEL_MAX + 8];
	struct stat st;

	snprintf(buf, sizeof(buf), "%s", k->configs);
	for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		snprintf(path, sizeof(path), "%s/configs/kernel/%s.fragment", root, tok);
		if (stat(path, &st) || !S_ISREG(st.st_mode)) {
			pb_ini_error_at(ini, k->line, kernel_section(k, section, sizeof(section)),
					"config", "unknown config '%s': the checkout has no "
					"configs/kernel/%s.fragment", tok, tok);
			return -1;
		}
	}
	return 0;
}

/*
 * A build: base must have its patches/<base>/ and each name select exactly one
 * series or patch: a renamed one is an error here.
 */
static int check_patches(struct pb_ini *ini, const struct pb_kernels_conf *kc, const char *root)
{
	for (unsigned i = 0; i < kc->nr_kernels; i++) {
		const struct pb_kernel_spec *k = &kc->kernels[i];
		char buf[sizeof(k->arg)], *save = NULL, dir[PATH_MAX], section[PB_KERNELS_CONF_LABEL_MAX + 8];
		struct stat st;

		if (k->kind != PB_KSPEC_BUILD)
			continue;
		snprintf(dir, PATH_MAX, "%s/patches/%s", root, k->base);
		if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
			pb_ini_error_at(ini, k->line, kernel_section(k, section, sizeof(section)), NULL,
					"unknown base '%s': the checkout has no patches/%s/", k->base, k->base);
			return -1;
		}
		if (check_configs(ini, k, root))
			return -1;
		snprintf(buf, sizeof(buf), "%s", k->arg);
		for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
			int n = name_matches(root, k->base, tok);

			if (n != 1) {
				pb_ini_error_at(ini, k->line, kernel_section(k, section, sizeof(section)),
						NULL, "'%s' selects %d of the series in patches/%s/, "
						"SERIES/NNNN there, bench/kernel-patches/%s/ and "
						"tests/kernel-patches/%s/ (want exactly one)", tok, n,
						k->base, k->base, k->base);
				return -1;
			}
		}
	}
	return 0;
}

const char *pb_kernels_conf_suite(const struct pb_kernels_conf *kc, unsigned i)
{
	return kc->kernels[i].suite[0] ? kc->kernels[i].suite : kc->suite;
}

int pb_kernels_conf_load(struct pb_kernels_conf *out, const char *path, const char *root,
			 char *err, size_t errlen)
{
	static struct kparse p;	/* large: keep it off the stack */
	const char *slash = strrchr(path, '/');
	char section[PB_KERNELS_CONF_LABEL_MAX + 8];

	memset(&p, 0, sizeof(p));
	p.ini = (struct pb_ini){ .path = path, .err = err, .errlen = errlen, .user = &p,
				 .on_section = on_section, .on_key = on_key };
	snprintf(p.kc.path, sizeof(p.kc.path), "%s", path);
	snprintf(p.dir, sizeof(p.dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	if (slash == path)
		strcpy(p.dir, "/");
	resolve(&p, "vm-quick.conf", p.kc.suite, sizeof(p.kc.suite));
	strcpy(p.kc.aligns[0], "1G");
	strcpy(p.kc.aligns[1], "2M");
	p.kc.nr_aligns = 2;
	p.kc.timeout_s = 600;
	p.kc.boots = 1;
	p.kc.numa = 1;
	p.kc.cpus = 2;
	p.kc.pmem_gib = 4;
	if (pb_ini_parse(&p.ini))
		return -1;
	if (!p.kc.nr_kernels) {
		pb_ini_error_at(&p.ini, 0, NULL, NULL, "no [kernel:LABEL] section");
		return -1;
	}
	if (p.kc.numa == 2 && p.kc.cpus < 2) {
		pb_ini_error_at(&p.ini, 0, "matrix", "cpus", "numa = 2 needs cpus >= 2 (a CPU per node)");
		return -1;
	}
	for (unsigned i = 0; i < p.kc.nr_kernels; i++) {
		const struct pb_kernel_spec *k = &p.kc.kernels[i];

		if (!p.spec_seen[i] ||
		    ((k->fragment[0] || k->configs[0]) && k->kind != PB_KSPEC_BUILD)) {
			pb_ini_error_at(&p.ini, k->line, kernel_section(k, section, sizeof(section)),
					NULL, "%s", p.spec_seen[i] ?
					"fragment and config are for build: specs only" : "no spec");
			return -1;
		}
		if (p.arch_seen[i] && k->kind != PB_KSPEC_BUILD) {
			pb_ini_error_at(&p.ini, k->line, kernel_section(k, section, sizeof(section)),
					"arch", "arch is for build: specs only (a debian: or bzimage: "
					"kernel is x86_64)");
			return -1;
		}
	}
	if (root && check_patches(&p.ini, &p.kc, root))
		return -1;
	*out = p.kc;
	return 0;
}
