/* SPDX-License-Identifier: MIT */
/*
 * pb_config_load() on the fixtures in tests/data/config/.
 */
#include <limits.h>

#include <stdlib.h>
#include <unistd.h>

#include <signal.h>
#include <sys/wait.h>

#include "bench.h"
#include "config.h"
#include "record.h"
#include "tap.h"

/* PB_TEST_DATA_DIR (tests/data) comes from CMake. */
static const char *data_path(const char *name)
{
	static char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s/config/%s", PB_TEST_DATA_DIR, name);
	return buf;
}

/* Load a fixture that must parse. */
static void load_ok(struct pb_config *cfg, const char *name)
{
	char err[PATH_MAX + 256] = "";
	const char *path = data_path(name);

	if (pb_config_load(cfg, path, err, sizeof(err)))
		TAP_FAIL("%s: %s", path, err);
	ASSERT_STREQ(cfg->path, path);
}

TEST(defaults)
{
	static const char *const benches[] = {
		"mprotect-inplace", "mprotect-split-refault", "fault-cost", "correctness",
	};
	struct pb_config cfg;

	memset(&cfg, 0x5a, sizeof(cfg));
	pb_config_defaults(&cfg);
	ASSERT_STREQ(cfg.path, "");
	ASSERT_EQ(4, cfg.nr_benches);
	for (int i = 0; i < 4; i++)
		ASSERT_STREQ(cfg.benches[i], benches[i]);
	ASSERT_TRUE(cfg.backends_auto);
	ASSERT_EQ(0, cfg.nr_backends);
	ASSERT_EQ(200, cfg.defaults.iterations);
	ASSERT_EQ(20, cfg.defaults.warmup);
	ASSERT_EQ(1, cfg.defaults.nr_sizes);
	ASSERT_EQ(1, cfg.defaults.sizes_gib[0]);
	ASSERT_EQ(2, cfg.nr_remote_cpus);
	ASSERT_EQ(0, cfg.remote_cpus[0]);
	ASSERT_EQ(1, cfg.remote_cpus[1]);
	ASSERT_EQ(1, cfg.nr_remote_modes);
	ASSERT_EQ(PB_REMOTE_SPIN, cfg.remote_modes[0]);
	ASSERT_EQ(-1, cfg.cpu);
	ASSERT_EQ(300, cfg.case_timeout_s);
	ASSERT_EQ(1, cfg.repeat);
	ASSERT_STREQ(cfg.device, "");
	ASSERT_FALSE(cfg.destructive);
	ASSERT_EQ(0, cfg.nr_bench_overrides);
	ASSERT_TRUE(pb_config_bench(&cfg, "fault-cost") == &cfg.defaults);
	ASSERT_STREQ(pb_remote_mode_name(PB_REMOTE_SPIN), "spin");
	ASSERT_STREQ(pb_remote_mode_name(PB_REMOTE_READ), "read");
	ASSERT_STREQ(pb_remote_mode_name(PB_REMOTE_LAZY), "lazy");
}

TEST(empty_file_gives_defaults)
{
	struct pb_config cfg, def;

	memset(&cfg, 0x5a, sizeof(cfg));
	load_ok(&cfg, "good-empty.conf");
	pb_config_defaults(&def);
	strcpy(def.path, cfg.path);
	ASSERT_EQ(0, memcmp(&cfg, &def, sizeof(cfg)));
}

TEST(good_full_file)
{
	static const char *const backends[] = { "hugetlb-1G", "thp-2M", "base-4K", "devdax" };
	static const unsigned sizes[] = { 1, 2, 1024 }, remote[] = { 0, 1, 2, 4, 64 };
	struct pb_config cfg;

	load_ok(&cfg, "good-full.conf");
	ASSERT_EQ(2, cfg.nr_benches);
	ASSERT_STREQ(cfg.benches[0], "fault-cost");
	ASSERT_STREQ(cfg.benches[1], "correctness");
	ASSERT_FALSE(cfg.backends_auto);
	ASSERT_EQ(4, cfg.nr_backends);
	for (int i = 0; i < 4; i++)
		ASSERT_STREQ(cfg.backends[i], backends[i]);
	ASSERT_EQ(1000000, cfg.defaults.iterations);
	ASSERT_EQ(0, cfg.defaults.warmup);
	ASSERT_EQ(3, cfg.defaults.nr_sizes);
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(sizes[i], cfg.defaults.sizes_gib[i]);
	ASSERT_EQ(5, cfg.nr_remote_cpus);
	for (int i = 0; i < 5; i++)
		ASSERT_EQ(remote[i], cfg.remote_cpus[i]);
	ASSERT_EQ(3, cfg.nr_remote_modes);
	ASSERT_EQ(PB_REMOTE_READ, cfg.remote_modes[0]);
	ASSERT_EQ(PB_REMOTE_SPIN, cfg.remote_modes[1]);
	ASSERT_EQ(PB_REMOTE_LAZY, cfg.remote_modes[2]);
	ASSERT_EQ(4095, cfg.cpu);
	ASSERT_EQ(86400, cfg.case_timeout_s);
	ASSERT_EQ(1000, cfg.repeat);
	ASSERT_STREQ(cfg.device, "/dev/dax0.0");
	ASSERT_TRUE(cfg.destructive);
	ASSERT_EQ(0, cfg.nr_bench_overrides);
}

TEST(bench_overrides_inherit_final_run_values)
{
	/* [bench:fault-cost] comes before [run] and again after it */
	static const struct {
		const char *name;
		unsigned iterations, warmup, nr_sizes, sizes_gib[2];
	} want[] = {
		{ "fault-cost", 500, 7, 2, { 2, 4 } },
		{ "correctness", 300, 5, 1, { 8 } },
	};
	const struct pb_bench_config *other;
	struct pb_config cfg;

	load_ok(&cfg, "good-bench-order.conf");
	ASSERT_EQ(-1, cfg.cpu);
	ASSERT_EQ(300, cfg.defaults.iterations);
	ASSERT_EQ(2, cfg.nr_bench_overrides);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct pb_bench_config *b = pb_config_bench(&cfg, want[i].name);

		ASSERT_STREQ(b->name, want[i].name);
		ASSERT_EQ(want[i].iterations, b->iterations);
		ASSERT_EQ(want[i].warmup, b->warmup);
		ASSERT_EQ(want[i].nr_sizes, b->nr_sizes);
		for (unsigned j = 0; j < want[i].nr_sizes; j++)
			ASSERT_EQ(want[i].sizes_gib[j], b->sizes_gib[j]);
	}

	other = pb_config_bench(&cfg, "mprotect-inplace");
	ASSERT_TRUE(other == &cfg.defaults);
	ASSERT_EQ(300, other->iterations);
}

TEST(repeat_in_run)
{
	struct pb_config cfg;

	load_ok(&cfg, "good-repeat.conf");
	ASSERT_EQ(5, cfg.repeat);
	ASSERT_EQ(1, cfg.nr_backends);
	/* the other keys keep their defaults */
	ASSERT_EQ(200, cfg.defaults.iterations);
}

/* Each bad fixture: the line of the first error and what the message names. */
static const struct bad_case {
	const char *file;
	int line;
	const char *key, *what;
} bad_cases[] = {
	{ "bad-unknown-key.conf", 3, "key 'iteratons' in [run]", "unknown key" },
	{ "bad-unknown-section.conf", 4, "[runn]", "unknown section" },
	{ "bad-empty-unknown-section.conf", 3, "[devdx]", "unknown section" },
	{ "bad-bench-name.conf", 1, "[bench:Fault]", "unknown section" },
	{ "bad-no-section.conf", 2, "key 'iterations' in []", "no [section]" },
	{ "bad-int.conf", 7, "key 'iterations' in [run]", "'12x' is not an integer in 1..1000000" },
	{ "bad-range.conf", 2, "key 'case_timeout_s' in [run]", "'86401' is not an integer in 1..86400" },
	{ "bad-range-low.conf", 2, "key 'iterations' in [run]", "'0' is not an integer in 1..1000000" },
	{ "bad-negative.conf", 3, "key 'cpu' in [run]", "'-1' is not an integer in 0..4095" },
	{ "bad-overflow.conf", 2, "key 'iterations' in [run]", "is not an integer" },
	{ "bad-list-range.conf", 2, "key 'sizes_gib' in [run]", "'2048' is not an integer in 1..1024" },
	{ "bad-duplicate.conf", 4, "key 'iterations' in [run]", "duplicate key" },
	{ "bad-duplicate-bench.conf", 6, "key 'warmup' in [bench:fault-cost]", "duplicate key" },
	{ "bad-empty-list.conf", 3, "key 'benches' in [run]", "empty list" },
	{ "bad-empty-entry.conf", 2, "key 'sizes_gib' in [run]", "empty entry" },
	{ "bad-long-list.conf", 2, "key 'remote_cpus' in [run]", "more than 16 entries" },
	{ "bad-duplicate-entry.conf", 2, "key 'remote_cpus' in [run]", "duplicate entry '1'" },
	{ "bad-bool.conf", 3, "key 'destructive' in [devdax]", "'maybe' is not yes/no" },
	{ "bad-device.conf", 2, "key 'device' in [devdax]", "/dev/" },
	{ "bad-syntax.conf", 3, "syntax error", "key = value" },
	{ "bad-syntax-first.conf", 2, "syntax error", "key = value" },
	{ "bad-syntax-after.conf", 2, "key 'iterations' in [run]", "'12x'" },
	{ "bad-bench-key.conf", 3, "key 'cpu' in [bench:fault-cost]", "unknown key" },
	{ "bad-name.conf", 2, "key 'benches' in [run]", "'Fault_Cost' is not a name" },
	{ "bad-long-name.conf", 2, "key 'benches' in [run]", "is not a name" },
	{ "bad-mode.conf", 2, "key 'remote_mode' in [run]", "'write' is not one of spin, read, lazy" },
	{ "bad-auto-mixed.conf", 2, "key 'backends' in [run]", "'auto'" },
	{ "bad-long-line.conf", 2, "line longer than", "198 characters" },
	{ "bad-repeat-zero.conf", 2, "key 'repeat' in [run]", "'0' is not an integer in 1..1000" },
	{ "bad-repeat-range.conf", 3, "key 'repeat' in [run]", "'1001' is not an integer in 1..1000" },
	{ "bad-repeat-text.conf", 2, "key 'repeat' in [run]", "'3x' is not an integer in 1..1000" },
	{ "bad-repeat-negative.conf", 2, "key 'repeat' in [run]", "'-2' is not an integer" },
	{ "bad-repeat-bench.conf", 3, "key 'repeat' in [bench:fault-cost]", "unknown key" },
	{ "bad-bench-unknown.conf", 4, "section [bench:mprotect-vma-splitt]",
	  "unknown benchmark 'mprotect-vma-splitt' (benchmarks: mprotect-inplace," },
	{ "bad-bench-opt-unknown.conf", 4, "key 'middle_pud' in [bench:mprotect-vma-split]",
	  "unknown key for benchmark mprotect-vma-split (its options: middle_puds; "
	  "every benchmark's: iterations, warmup, sizes_gib)" },
	{ "bad-bench-opt-other-bench.conf", 3, "key 'middle_puds' in [bench:fault-cost]",
	  "unknown key for benchmark fault-cost (its options: none;" },
	{ "bad-bench-opt-in-run.conf", 2, "key 'middle_puds' in [run]",
	  "unknown key (an option of benchmark mprotect-vma-split: set it in "
	  "[bench:mprotect-vma-split])" },
	{ "bad-bench-opt-range.conf", 3, "key 'middle_puds' in [bench:mprotect-vma-split]",
	  "'1023' is not an integer in 1..1022" },
	{ "bad-bench-opt-duplicate.conf", 4, "key 'middle_puds' in [bench:mprotect-vma-split]",
	  "duplicate key" },
	{ "bad-bench-opt-enum.conf", 3, "key 'file' in [bench:observer-cost]",
	  "'smap' is not one of: all smaps_rollup smaps numa_maps pagemap maps clear_refs "
	  "madv_cold madv_pageout mincore" },
};

TEST(bad_files_fail_with_file_line_key)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *bc = &bad_cases[i];
		char err[PATH_MAX + 256] = "", prefix[PATH_MAX + 32];
		struct pb_config cfg, pattern;
		const char *path = data_path(bc->file);

		/* cfg must come back untouched, whatever it held */
		memset(&pattern, 0x5a, sizeof(pattern));
		cfg = pattern;
		snprintf(prefix, sizeof(prefix), "%s:%d: ", path, bc->line);
		ASSERT_EQ(-1, pb_config_load(&cfg, path, err, sizeof(err)));
		TH_INFO("%s", err);
		ASSERT_EQ(0, memcmp(&cfg, &pattern, sizeof(cfg)));
		ASSERT_EQ(0, strncmp(err, prefix, strlen(prefix)));
		ASSERT_SUBSTR(err, bc->key);
		ASSERT_SUBSTR(err, bc->what);
		ASSERT_TRUE(!strchr(err, '\n'));
	}
}

TEST(exact_message_format)
{
	char err[PATH_MAX + 256], want[PATH_MAX + 256];
	const char *path = data_path("bad-int.conf");
	struct pb_config cfg;

	pb_config_defaults(&cfg);
	ASSERT_EQ(-1, pb_config_load(&cfg, path, err, sizeof(err)));
	snprintf(want, sizeof(want),
		 "%s:7: key 'iterations' in [run]: '12x' is not an integer in 1..1000000", path);
	ASSERT_STREQ(err, want);
}

TEST(missing_file)
{
	char err[PATH_MAX + 256] = "", want[PATH_MAX + 64];
	struct pb_config cfg, before;
	const char *path;

	load_ok(&cfg, "good-full.conf");
	before = cfg;
	path = data_path("no-such-file.conf");	/* static buffer: after load_ok */
	ASSERT_EQ(-1, pb_config_load(&cfg, path, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: cannot open: %s", path, strerror(ENOENT));
	ASSERT_STREQ(err, want);
	ASSERT_EQ(0, memcmp(&cfg, &before, sizeof(cfg)));
}

TEST(small_error_buffer_is_truncated_not_overrun)
{
	char err[16];
	struct pb_config cfg;

	memset(err, 'x', sizeof(err));
	ASSERT_EQ(-1, pb_config_load(&cfg, data_path("bad-int.conf"), err, 8));
	ASSERT_EQ(7, strlen(err));
	ASSERT_EQ('x', err[8]);
	ASSERT_EQ(-1, pb_config_load(&cfg, data_path("bad-int.conf"), NULL, 0));
}

/* Load @text as a config file; -1 with @err. */
static int load_text(struct pb_config *cfg, const char *text, char *err, size_t errlen)
{
	char path[] = "/tmp/pb-test-config-XXXXXX";
	int fd = mkstemp(path), rc;
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!f)
		TAP_FAIL("mkstemp: %s", strerror(errno));
	fputs(text, f);
	fclose(f);
	rc = pb_config_load(cfg, path, err, errlen);
	unlink(path);
	return rc;
}

/* The echo of key @name in @o, failing the test when it has none. */
static json_object *echo_of(json_object *o, const char *name)
{
	json_object *v;

	if (!o || !json_object_object_get_ex(o, name, &v))
		TAP_FAIL("key '%s' is not echoed", name);
	return v;
}

/*
 * Every row of the key table, set to its example, reaches the results'
 * config echo with that value (not the default's): a key added to the
 * table and not echoed fails here.  Per-bench keys are echoed under "run"
 * and in their [bench:NAME]'s entry of "bench_overrides".
 */
TEST(every_key_is_echoed)
{
	struct pb_config_key_info ki;
	struct pb_config def;
	json_object *def_json;
	size_t i;

	pb_config_defaults(&def);
	def_json = pb_config_json(&def);
	for (i = 0; pb_config_key_info(i, &ki); i++) {
		char text[512], err[PATH_MAX + 256] = "";
		json_object *cfg_json, *want_def, *got;
		struct pb_config cfg;

		snprintf(text, sizeof(text), "[%s]\n%s = %s\n", ki.section, ki.name, ki.example);
		if (ki.per_bench)
			snprintf(text + strlen(text), sizeof(text) - strlen(text),
				 "[bench:fault-cost]\n%s = %s\n", ki.name, ki.example);
		if (load_text(&cfg, text, err, sizeof(err)))
			TAP_FAIL("example of '%s': %s", ki.name, err);
		cfg_json = pb_config_json(&cfg);
		want_def = echo_of(ki.per_bench ? pb_jget(def_json, "run") : def_json, ki.name);
		got = echo_of(ki.per_bench ? pb_jget(cfg_json, "run") : cfg_json, ki.name);
		TH_INFO("%s = %s -> %s", ki.name, ki.example, json_object_to_json_string(got));
		/* the value set, not the default */
		ASSERT_FALSE(json_object_equal(got, want_def));
		if (ki.per_bench) {
			got = echo_of(pb_jget(pb_jget(cfg_json, "bench_overrides"), "fault-cost"),
				      ki.name);
			ASSERT_FALSE(json_object_equal(got, want_def));
		}
		json_object_put(cfg_json);
	}
	ASSERT_GE(i, 13);
	json_object_put(def_json);
}

/* Option @name of @bench as the echo in the results' config shows it. */
static long echoed_option(const struct pb_config *cfg, const char *bench, const char *name)
{
	json_object *o = pb_config_json(cfg);
	json_object *v = pb_jget(pb_jget(pb_jget(o, "bench_options"), bench), name);
	long value = v ? (long)json_object_get_int64(v) : -1;

	json_object_put(o);
	return value;
}

/* A benchmark option: set in its section, defaulted elsewhere, read and echoed. */
TEST(bench_option_set_defaulted_echoed)
{
	const struct pb_bench *vma = pb_bench_find("mprotect-vma-split");
	struct pb_case c = { .bench = vma };
	char err[PATH_MAX + 256] = "";
	struct pb_config cfg;

	load_ok(&cfg, "good-bench-opts.conf");
	c.bcfg = pb_config_bench(&cfg, vma->name);
	ASSERT_EQ(2, pb_case_opt(&c, "middle_puds"));
	ASSERT_EQ(4, c.bcfg->sizes_gib[0]);
	ASSERT_EQ(4, c.bcfg->warmup);	/* [run] values still inherited */
	ASSERT_EQ(2, echoed_option(&cfg, vma->name, "middle_puds"));

	/* not set: the row's default, read and echoed */
	if (load_text(&cfg, "[run]\nbenches = mprotect-vma-split\n", err, sizeof(err)))
		TAP_FAIL("%s", err);
	c.bcfg = pb_config_bench(&cfg, vma->name);
	ASSERT_EQ(1, pb_case_opt(&c, "middle_puds"));
	ASSERT_EQ(1, echoed_option(&cfg, vma->name, "middle_puds"));
}

/* An enum option: set by name, read as its index, echoed as its name. */
TEST(bench_enum_option_by_name)
{
	const struct pb_bench *obs = pb_bench_find("observer-cost");
	struct pb_case c = { .bench = obs };
	char err[PATH_MAX + 256] = "";
	struct pb_config cfg;
	json_object *o;

	if (load_text(&cfg, "[run]\nbenches = observer-cost\n[bench:observer-cost]\n"
		      "file = pagemap\n", err, sizeof(err)))
		TAP_FAIL("%s", err);
	c.bcfg = pb_config_bench(&cfg, obs->name);
	ASSERT_STREQ(obs->opts[0].choices[pb_case_opt(&c, "file")], "pagemap");
	o = pb_config_json(&cfg);
	ASSERT_STREQ(json_object_get_string(pb_jget(pb_jget(pb_jget(o, "bench_options"),
							       obs->name), "file")), "pagemap");
	json_object_put(o);
}

/* Reading an option the benchmark does not declare is a bug: abort() with a message. */
TEST(undeclared_option_aborts)
{
	struct pb_config cfg;
	struct pb_case c = { .bench = pb_bench_find("mprotect-vma-split") };
	int status;
	pid_t pid;

	pb_config_defaults(&cfg);
	c.bcfg = &cfg.defaults;
	pid = fork();
	if (pid == 0) {
		pb_case_opt(&c, "middle_pud");
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

/* Every benchmark's options table: room, names, help and min <= default <= max. */
TEST(bench_option_tables_are_sane)
{
	int with_opts = 0;

	for (int b = 0; pb_benches[b]; b++) {
		const struct pb_bench_opt *o = pb_benches[b]->opts;
		int n = 0;

		for (; o && o->name; o++, n++) {
			struct pb_config_key_info ki;

			TH_INFO("%s: %s = %ld (%ld..%ld)", pb_benches[b]->name, o->name, o->def,
				o->min, o->max);
			ASSERT_EQ(strlen(o->name), strspn(o->name, "abcdefghijklmnopqrstuvwxyz0123456789_"));
			ASSERT_TRUE(o->help && *o->help);
			ASSERT_TRUE(o->kind == PB_OPT_INT || o->kind == PB_OPT_ENUM);
			ASSERT_TRUE(0 <= o->min && o->min <= o->def && o->def <= o->max);
			if (o->kind == PB_OPT_ENUM) {
				long k = 0;

				while (o->choices[k])
					k++;
				/* min..max are exactly the indexes of the names */
				ASSERT_TRUE(o->min == 0 && o->max == k - 1);
			}
			/* a table key of the same name would hide it */
			for (size_t k = 0; pb_config_key_info(k, &ki); k++)
				ASSERT_TRUE(strcmp(ki.name, o->name));
			ASSERT_EQ(n, pb_bench_opt_index(pb_benches[b], o->name));
		}
		ASSERT_LE(n, PB_BENCH_MAX_OPTS);
		with_opts += n > 0;
	}
	ASSERT_GE(with_opts, 1);
}

int main(int argc, char **argv)
{
	return tap_main();
}
