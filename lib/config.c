/* SPDX-License-Identifier: MIT */
/* Run configuration: INI file read through pb_ini.h, every key validated. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "bench.h"
#include "pb_ini.h"

enum section { SEC_NONE, SEC_RUN = 1, SEC_DEVDAX = 2, SEC_BENCH = 4 };
enum kind { K_UINT, K_INT_AUTO, K_BOOL, K_DEVICE, K_NAMES, K_UINTS, K_MODES };

/*
 * One row per key.  @bench: the field lives in struct pb_bench_config (the
 * [run] copy is cfg->defaults), else in struct pb_config.  Lists hold up to
 * @cap items and keep their length at @nr_off.  "auto" is accepted by
 * K_INT_AUTO (stores -1) and by a K_NAMES list with @auto_off (sets that
 * bool, empties the list).  K_NAMES items are made of @chars.
 */
struct key {
	const char *name;
	unsigned sections;
	bool bench;
	enum kind kind;
	unsigned long min, max;
	size_t off, nr_off, cap, auto_off;
	const char *chars;
	/* a valid value unlike the default: for docs and the echo test */
	const char *example;
};

#define C(f) offsetof(struct pb_config, f)
#define B(f) offsetof(struct pb_bench_config, f)

static const char lower[] = "abcdefghijklmnopqrstuvwxyz0123456789-";
static const char strategy_chars[] = "abcdefghijklmnopqrstuvwxyz0123456789_";
static const char mixed[] = "abcdefghijklmnopqrstuvwxyz0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ";

static const struct key keys[] = {
	{ "benches", SEC_RUN, .example = "fault-cost, correctness",
	  .kind = K_NAMES, .chars = lower,
	  .off = C(benches), .nr_off = C(nr_benches), .cap = PB_CFG_MAX_LIST },
	{ "backends", SEC_RUN, .example = "base-4K",
	  .kind = K_NAMES, .chars = mixed, .auto_off = C(backends_auto),
	  .off = C(backends), .nr_off = C(nr_backends), .cap = PB_CFG_MAX_LIST },
	{ "strategies", SEC_RUN, .example = "inplace",
	  .kind = K_NAMES, .chars = strategy_chars,
	  .auto_off = C(strategies_auto),
	  .off = C(strategies), .nr_off = C(nr_strategies), .cap = PB_CFG_MAX_LIST },
	{ "iterations", SEC_RUN | SEC_BENCH, .example = "7",
	  .bench = true, .kind = K_UINT, .min = 1, .max = 1000000,
	  .off = B(iterations) },
	{ "warmup", SEC_RUN | SEC_BENCH, .example = "3",
	  .bench = true, .kind = K_UINT, .min = 0, .max = 100000,
	  .off = B(warmup) },
	{ "sizes_gib", SEC_RUN | SEC_BENCH, .example = "2, 4",
	  .bench = true, .kind = K_UINTS, .min = 1, .max = 1024,
	  .off = B(sizes_gib), .nr_off = B(nr_sizes), .cap = PB_CFG_MAX_LIST },
	{ "remote_cpus", SEC_RUN, .example = "1",
	  .kind = K_UINTS, .min = 0, .max = 64,
	  .off = C(remote_cpus), .nr_off = C(nr_remote_cpus), .cap = PB_CFG_MAX_LIST },
	{ "remote_mode", SEC_RUN, .example = "read, spin, lazy",
	  .kind = K_MODES,
	  .off = C(remote_modes), .nr_off = C(nr_remote_modes), .cap = PB_REMOTE_MODES },
	{ "cpu", SEC_RUN, .example = "1",
	  .kind = K_INT_AUTO, .min = 0, .max = 4095, .off = C(cpu) },
	{ "case_timeout_s", SEC_RUN, .example = "9",
	  .kind = K_UINT, .min = 1, .max = 86400, .off = C(case_timeout_s) },
	{ "repeat", SEC_RUN, .example = "2",
	  .kind = K_UINT, .min = 1, .max = PB_CFG_MAX_REPEAT, .off = C(repeat) },
	{ "device", SEC_DEVDAX, .example = "/dev/dax1.0",
	  .kind = K_DEVICE, .off = C(device) },
	{ "destructive", SEC_DEVDAX, .example = "yes",
	  .kind = K_BOOL, .off = C(destructive) },
};
#define NR_KEYS (sizeof(keys) / sizeof(keys[0]))
_Static_assert(NR_KEYS <= 32, "seen masks are uint32_t");
static const char *const mode_names[PB_REMOTE_MODES] = {
	[PB_REMOTE_SPIN] = "spin", [PB_REMOTE_READ] = "read", [PB_REMOTE_LAZY] = "lazy"
};

struct parse {
	struct pb_ini ini;		/* path, line and the first error */
	struct pb_config cfg;		/* result, copied out only on success */
	uint32_t run_seen;		/* keys seen in [run] / [devdax] */
	uint32_t bench_seen[PB_CFG_MAX_LIST];	/* per bench_overrides[] */
};

static bool is_name(const char *s, const char *chars)
{
	size_t len = strspn(s, chars);

	return len && !s[len] && len < PB_CFG_NAME_MAX;
}

static enum section section_kind(const char *sec)
{
	if (!strcmp(sec, "run"))
		return SEC_RUN;
	if (!strcmp(sec, "devdax"))
		return SEC_DEVDAX;
	if (!strncmp(sec, "bench:", 6) && is_name(sec + 6, lower))
		return SEC_BENCH;
	return SEC_NONE;
}

/* Parse one scalar or list item of @key (a struct key) into @slot; message in @what. */
static bool parse_item(const char *s, void *slot, const void *key, char *what, size_t wlen)
{
	const struct key *k = key;
	unsigned long v;

	switch (k->kind) {
	case K_UINT:
	case K_UINTS:
	case K_INT_AUTO:
		if (!pb_ini_parse_ulong(s, k->min, k->max, &v, what, wlen))
			return false;
		if (k->kind == K_INT_AUTO)
			*(int *)slot = (int)v;
		else
			*(unsigned *)slot = (unsigned)v;
		return true;
	case K_NAMES:
		if (!is_name(s, k->chars)) {
			snprintf(what, wlen, "'%s' is not a name ([%s], 1..%d chars)", s,
				 k->chars == lower ? "a-z0-9-" : k->chars == strategy_chars ?
				 "a-z0-9_" : "a-zA-Z0-9-", PB_CFG_NAME_MAX - 1);
			return false;
		}
		if (k->auto_off && !strcmp(s, "auto")) {
			snprintf(what, wlen, "'auto' cannot be combined with names");
			return false;
		}
		strcpy(slot, s);
		return true;
	case K_MODES:
		for (size_t m = 0; m < sizeof(mode_names) / sizeof(mode_names[0]); m++)
			if (!strcmp(s, mode_names[m])) {
				*(enum pb_remote_mode *)slot = (enum pb_remote_mode)m;
				return true;
			}
		snprintf(what, wlen, "'%s' is not one of spin, read, lazy", s);
		return false;
	case K_BOOL:
		if (!strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "1"))
			*(bool *)slot = true;
		else if (!strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "0"))
			*(bool *)slot = false;
		else {
			snprintf(what, wlen, "'%s' is not yes/no/true/false/1/0", s);
			return false;
		}
		return true;
	case K_DEVICE:
		if (strncmp(s, "/dev/", 5) || !s[5] || strlen(s) >= PATH_MAX) {
			snprintf(what, wlen, "'%s' is not a path under /dev/", s);
			return false;
		}
		strcpy(slot, s);
		return true;
	}
	return false;
}

static size_t item_size(const struct key *k)
{
	switch (k->kind) {
	case K_NAMES:
		return PB_CFG_NAME_MAX;
	case K_MODES:
		return sizeof(enum pb_remote_mode);
	default:
		return sizeof(unsigned);
	}
}

/* Comma list: "a, b, c".  No empty entries, no duplicates, at most k->cap. */
static bool parse_list(const struct key *k, const char *value, char *base, char *what, size_t wlen)
{
	const struct pb_ini_list list = {
		.items = base + k->off, .size = item_size(k), .cap = k->cap,
		.nr = (unsigned *)(base + k->nr_off), .parse_item = parse_item, .ctx = k,
	};

	return pb_ini_parse_list(value, &list, what, wlen) >= 0;
}

static bool parse_value(const struct key *k, const char *value, char *base, char *what, size_t wlen)
{
	if ((k->kind == K_INT_AUTO || k->auto_off) && !strcmp(value, "auto")) {
		if (k->kind == K_INT_AUTO) {
			*(int *)(base + k->off) = -1;
		} else {
			*(bool *)(base + k->auto_off) = true;
			*(unsigned *)(base + k->nr_off) = 0;
		}
		return true;
	}
	if (k->kind == K_NAMES || k->kind == K_UINTS || k->kind == K_MODES) {
		if (k->kind == K_NAMES && k->auto_off)
			*(bool *)(base + k->auto_off) = false;
		return parse_list(k, value, base, what, wlen);
	}
	return parse_item(value, base + k->off, k, what, wlen);
}

/* Index of [bench:NAME] in the overrides, adding it if new; -1 if full. */
static int bench_slot(struct pb_config *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->nr_bench_overrides; i++)
		if (!strcmp(cfg->bench_overrides[i].name, name))
			return (int)i;
	if (cfg->nr_bench_overrides == PB_CFG_MAX_LIST)
		return -1;
	strcpy(cfg->bench_overrides[cfg->nr_bench_overrides].name, name);
	return (int)cfg->nr_bench_overrides++;
}

/* "a, b, c": the keys a [bench:NAME] takes whatever the benchmark. */
static void per_bench_key_names(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < NR_KEYS && used < len; i++)
		if (keys[i].sections & SEC_BENCH)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 keys[i].name);
}

/* A key of no section of its own; in [run], a benchmark option is hinted at. */
static void unknown_key(struct pb_ini *ini, const char *section, const char *name)
{
	const struct pb_bench *owner = pb_bench_opt_owner(name);

	if (owner)
		pb_ini_error(ini, section, name, "unknown key (an option of benchmark %s: set it "
			     "in [bench:%s])", owner->name, owner->name);
	else
		pb_ini_error(ini, section, name, "unknown key");
}

/* The [bench:NAME] overrides of @section (a known benchmark's), or NULL after the error. */
static struct pb_bench_config *bench_section(struct pb_ini *ini, const char *section,
					     const char *name, uint32_t **seen)
{
	struct parse *p = ini->user;
	int i = bench_slot(&p->cfg, section + 6);

	if (i < 0) {
		pb_ini_error(ini, section, name, "too many [bench:...] sections");
		return NULL;
	}
	*seen = &p->bench_seen[i];
	return &p->cfg.bench_overrides[i];
}

/* A key of [bench:NAME] that is not in the table: one of NAME's own options. */
static bool on_bench_opt(struct pb_ini *ini, const char *section, const char *name,
			 const char *value)
{
	const struct pb_bench *b = pb_bench_find(section + 6);
	int i = b ? pb_bench_opt_index(b, name) : -1;
	char what[PB_INI_MAX_LINE + 64], opts[256], common[128];
	struct pb_bench_config *bc;
	uint32_t *seen;

	if (!b) {	/* on_section() said so already */
		pb_ini_error(ini, section, name, "unknown benchmark");
		return false;
	}
	if (i < 0) {
		pb_bench_opt_names(b, opts, sizeof(opts));
		per_bench_key_names(common, sizeof(common));
		pb_ini_error(ini, section, name, "unknown key for benchmark %s (its options: %s; "
			     "every benchmark's: %s)", section + 6, opts, common);
		return false;
	}
	if (!(bc = bench_section(ini, section, name, &seen)))
		return false;
	if (bc->opts_set & 1u << i) {
		pb_ini_error(ini, section, name, "duplicate key");
		return false;
	}
	if (!pb_bench_opt_parse(b, i, value, bc, what, sizeof(what))) {
		pb_ini_error(ini, section, name, "%s", what);
		return false;
	}
	return true;
}

static bool on_key(struct pb_ini *ini, const char *section, const char *name, const char *value)
{
	struct parse *p = ini->user;
	enum section sec = section_kind(section);
	char what[PB_INI_MAX_LINE + 64];
	uint32_t *seen = &p->run_seen;
	char *base = (char *)&p->cfg;
	const struct key *k = NULL;

	for (size_t i = 0; i < NR_KEYS && !k; i++)
		if (!strcmp(keys[i].name, name))
			k = &keys[i];
	if (sec == SEC_NONE) {
		pb_ini_error(ini, section, name, *section ? "unknown section" : "no [section] before it");
		return false;
	}
	if (sec == SEC_BENCH && (!k || !(k->sections & SEC_BENCH)))
		return on_bench_opt(ini, section, name, value);
	if (!k || !(k->sections & sec)) {
		unknown_key(ini, section, name);
		return false;
	}
	if (sec == SEC_BENCH) {
		if (!(base = (char *)bench_section(ini, section, name, &seen)))
			return false;
	} else if (k->bench) {
		base = (char *)&p->cfg.defaults;
	}
	if (*seen & 1u << (k - keys)) {
		pb_ini_error(ini, section, name, "duplicate key");
		return false;
	}
	*seen |= 1u << (k - keys);
	if (!parse_value(k, value, base, what, sizeof(what))) {
		pb_ini_error(ini, section, name, "%s", what);
		return false;
	}
	return true;
}

/* "a, b, c": every benchmark's name. */
static void bench_names(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; pb_benches[i] && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
					 pb_benches[i]->name);
}

/* Every header, keys or not: a misspelt empty section is still an error. */
static bool on_section(struct pb_ini *ini, const char *section)
{
	char names[512];

	if (section_kind(section) == SEC_BENCH && !pb_bench_find(section + 6)) {
		bench_names(names, sizeof(names));
		pb_ini_error(ini, section, NULL, "unknown benchmark '%s' (benchmarks: %s)",
			     section + 6, names);
		return false;
	}
	if (section_kind(section) != SEC_NONE)
		return true;
	pb_ini_error(ini, section, NULL, "unknown section (expected run, devdax, bench:NAME)");
	return false;
}

/* [bench:X] = [run] as it stands at the end of the file + X's own keys. */
static void resolve_overrides(struct parse *p)
{
	for (unsigned i = 0; i < p->cfg.nr_bench_overrides; i++) {
		struct pb_bench_config *ov = &p->cfg.bench_overrides[i];
		struct pb_bench_config out = p->cfg.defaults;

		memcpy(out.name, ov->name, sizeof(out.name));
		out.opts_set = ov->opts_set;	/* only sections have options */
		memcpy(out.opts, ov->opts, sizeof(out.opts));
		for (size_t j = 0; j < NR_KEYS; j++) {
			const struct key *k = &keys[j];

			if (!k->bench || !(p->bench_seen[i] & 1u << j))
				continue;
			memcpy((char *)&out + k->off, (char *)ov + k->off,
			       item_size(k) * (k->cap ? k->cap : 1));
			if (k->cap)
				memcpy((char *)&out + k->nr_off, (char *)ov + k->nr_off,
				       sizeof(unsigned));
		}
		*ov = out;
	}
}

void pb_config_defaults(struct pb_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->defaults.iterations = 200;
	cfg->defaults.warmup = 20;
	cfg->defaults.nr_sizes = 1;
	cfg->defaults.sizes_gib[0] = 1;
	cfg->backends_auto = true;
	cfg->strategies_auto = true;
	for (int i = 0; pb_benches[i]; i++)
		if (pb_bench_has(pb_benches[i], PB_BENCH_DEFAULT))
			strcpy(cfg->benches[cfg->nr_benches++], pb_benches[i]->name);
	cfg->nr_remote_cpus = 2;
	cfg->remote_cpus[0] = 0;
	cfg->remote_cpus[1] = 1;
	cfg->nr_remote_modes = 1;
	cfg->remote_modes[0] = PB_REMOTE_SPIN;
	cfg->cpu = -1;
	cfg->case_timeout_s = 300;
	cfg->repeat = 1;
	cfg->destructive = false;
}

int pb_config_load(struct pb_config *cfg, const char *path, char *err, size_t errlen)
{
	/* Parse into a copy: @cfg is written only on success. */
	struct parse p = {
		.ini = { .path = path, .err = err, .errlen = errlen,
			 .on_section = on_section, .on_key = on_key },
	};

	p.ini.user = &p;
	pb_config_defaults(&p.cfg);
	if (strlen(path) >= sizeof(p.cfg.path)) {
		pb_ini_error_at(&p.ini, 0, NULL, NULL, "path too long");
		return -1;
	}
	strcpy(p.cfg.path, path);
	if (pb_ini_parse(&p.ini))
		return -1;
	resolve_overrides(&p);
	*cfg = p.cfg;
	return 0;
}

int pb_config_set(struct pb_config *cfg, const char *key, const char *value, char *err,
		  size_t errlen)
{
	for (size_t i = 0; i < NR_KEYS; i++) {
		const struct key *k = &keys[i];

		if (strcmp(k->name, key))
			continue;
		/* per-bench keys were resolved into the [bench:X] overrides at load */
		if (k->bench || !(k->sections & SEC_RUN))
			break;
		return parse_value(k, value, (char *)cfg, err, errlen) ? 0 : -1;
	}
	snprintf(err, errlen, "'%s' is not a run-wide key of [run]", key);
	return -1;
}

/* One list entry of @k at @item, as the echo shows it. */
static json_object *item_json(const struct key *k, const char *item)
{
	switch (k->kind) {
	case K_NAMES:
		return json_object_new_string(item);
	case K_MODES:
		return json_object_new_string(pb_remote_mode_name(*(const enum pb_remote_mode *)item));
	default:
		return json_object_new_int64(*(const unsigned *)item);
	}
}

/* The value of @k in @base: "auto" as the string, lists as arrays, no device as null. */
static json_object *key_json(const struct key *k, const char *base)
{
	const char *field = base + k->off;
	json_object *a;

	if (k->auto_off && *(const bool *)(base + k->auto_off))
		return json_object_new_string("auto");
	switch (k->kind) {
	case K_UINT:
		return json_object_new_int64(*(const unsigned *)field);
	case K_INT_AUTO:
		return json_object_new_int(*(const int *)field);	/* -1: auto */
	case K_BOOL:
		return json_object_new_boolean(*(const bool *)field);
	case K_DEVICE:
		return *field ? json_object_new_string(field) : NULL;
	default:
		break;
	}
	a = json_object_new_array();
	for (unsigned i = 0; i < *(const unsigned *)(base + k->nr_off); i++)
		json_object_array_add(a, item_json(k, field + i * item_size(k)));
	return a;
}

/* The per-bench keys of @bc (the [run] values or a resolved [bench:NAME]). */
static json_object *bench_config_json(const struct pb_bench_config *bc)
{
	json_object *o = json_object_new_object();

	for (size_t i = 0; i < NR_KEYS; i++)
		if (keys[i].bench)
			json_object_object_add(o, keys[i].name, key_json(&keys[i], (const char *)bc));
	return o;
}

/* The options of every benchmark of the run that has some, set or default. */
static json_object *bench_options_json(const struct pb_config *cfg)
{
	json_object *o = json_object_new_object();

	for (unsigned i = 0; i < cfg->nr_benches; i++) {
		const struct pb_bench *b = pb_bench_find(cfg->benches[i]);

		if (b && b->opts)
			json_object_object_add(o, b->name, pb_bench_opts_json(
				b, pb_config_bench(cfg, b->name)));
	}
	return o;
}

json_object *pb_config_json(const struct pb_config *cfg)
{
	json_object *o = json_object_new_object(), *over = json_object_new_object();

	json_object_object_add(o, "path", json_object_new_string(cfg->path));
	for (size_t i = 0; i < NR_KEYS; i++)
		if (!keys[i].bench)
			json_object_object_add(o, keys[i].name, key_json(&keys[i], (const char *)cfg));
	json_object_object_add(o, "run", bench_config_json(&cfg->defaults));
	for (unsigned i = 0; i < cfg->nr_bench_overrides; i++)
		json_object_object_add(over, cfg->bench_overrides[i].name,
				       bench_config_json(&cfg->bench_overrides[i]));
	json_object_object_add(o, "bench_overrides", over);
	json_object_object_add(o, "bench_options", bench_options_json(cfg));
	return o;
}

const struct pb_bench_config *pb_config_bench(const struct pb_config *cfg, const char *bench)
{
	for (unsigned i = 0; i < cfg->nr_bench_overrides; i++)
		if (!strcmp(cfg->bench_overrides[i].name, bench))
			return &cfg->bench_overrides[i];
	return &cfg->defaults;
}

const char *pb_remote_mode_name(enum pb_remote_mode m)
{
	return (unsigned)m < sizeof(mode_names) / sizeof(mode_names[0]) ? mode_names[m] : "?";
}

bool pb_config_key_info(size_t i, struct pb_config_key_info *out)
{
	if (i >= NR_KEYS)
		return false;
	out->name = keys[i].name;
	out->section = keys[i].sections & SEC_RUN ? "run" : "devdax";
	out->per_bench = keys[i].bench;
	out->example = keys[i].example;
	return true;
}
