// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
/*
 * README.md's "Adding a benchmark" example cannot rot: its snippets (each
 * fenced block after a "<!-- example: PATH -->" or "<!-- example: append
 * PATH -->" marker) go into a scratch copy of the source tree, which is
 * built (pudbench-bin only) and run with the example's config.  The
 * example's benchmark must then have records, and each option its
 * [bench:NAME] sets must be echoed with that value, not the default `list`
 * shows, in the results' config and in every record.
 */
#include <ftw.h>
#include <sys/stat.h>

#include "config.h"
#include "record.h"
#include "run_cmd.h"
#include "tap.h"

#define MAX_SNIPPETS 8
#define MAX_OPTS 8
#define OUT_MAX (1 << 16)

struct snippet {
	char path[128];
	bool append;
	char *text;
};

/* What main() found and did; each step runs only if the one before worked. */
static struct {
	struct snippet snip[MAX_SNIPPETS];
	int nr_snip;
	const struct snippet *conf;	/* the one that is the run's config */
	char bench[64];			/* from its [bench:NAME] */
	char opt[MAX_OPTS][64];
	long val[MAX_OPTS];
	int nr_opts;
	char metric[64], abbrev[16];	/* its own metric: key, table column */
	char dir[PATH_MAX];
	int build_status, run_status;	/* -1: not reached */
	char out[OUT_MAX];		/* the last command's output */
	char list[OUT_MAX];		/* the scratch pudbench-bin's list */
	json_object *doc;
} ex = { .build_status = -1, .run_status = -1 };

/* The snippets of @readme, in order; false if a marker has no fenced block. */
static bool extract_snippets(char *readme)
{
	static const char marker[] = "<!-- example: ";
	char *p = readme;

	while ((p = strstr(p, marker)) && ex.nr_snip < MAX_SNIPPETS) {
		struct snippet *s = &ex.snip[ex.nr_snip++];
		char *start, *end;

		p += strlen(marker);
		s->append = !strncmp(p, "append ", 7);
		p += s->append ? 7 : 0;
		if (sscanf(p, "%127[^ >]", s->path) != 1 || !(start = strstr(p, "\n```")) ||
		    !(start = strchr(start + 1, '\n')) || !(end = strstr(start, "\n```")))
			return false;
		s->text = strndup(start + 1, (size_t)(end - start));
		p = end + 4;
	}
	return ex.nr_snip > 0;
}

/* The first metric row of the benchmark's file: its key and column name. */
static void find_metric(void)
{
	for (int i = 0; i < ex.nr_snip; i++) {
		const char *key = strstr(ex.snip[i].text, ".key = \""), *ab;

		if (!strncmp(ex.snip[i].path, "bench/", 6) && key &&
		    (ab = strstr(key, ".abbrev = \""))) {
			sscanf(key + 8, "%63[^\"]", ex.metric);
			sscanf(ab + 11, "%15[^\"]", ex.abbrev);
		}
	}
}

/* The config snippet's [bench:NAME] and the options it sets there. */
static void parse_conf(void)
{
	struct pb_config_key_info ki;
	char *copy = strdup(ex.conf->text), *line, *save = NULL;
	bool in_bench = false;

	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char key[64];
		long v;
		bool common = false;

		if (line[0] == '[')
			in_bench = sscanf(line, "[bench:%63[a-z0-9-]]", ex.bench) == 1;
		if (!in_bench || sscanf(line, "%63[a-z0-9_] = %ld", key, &v) != 2)
			continue;
		for (size_t i = 0; pb_config_key_info(i, &ki); i++)
			common |= !strcmp(ki.name, key);
		if (!common && ex.nr_opts < MAX_OPTS) {
			snprintf(ex.opt[ex.nr_opts], sizeof(ex.opt[0]), "%s", key);
			ex.val[ex.nr_opts++] = v;
		}
	}
	free(copy);
}

/* Run `sh -c @cmd`, output into ex.out: its status. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[4 * PATH_MAX];
	char *const argv[] = { "/bin/sh", "-c", cmd, NULL };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return run_cmd(argv, ex.out, sizeof(ex.out));
}

/* The scratch tree: the sources CMake needs, libperf's .deps, the snippets. */
static int make_tree(void)
{
	char path[PATH_MAX + 160];

	if (sh("cd '%s' && cp -a CMakeLists.txt bench lib src guest tests '%s'/ && "
	       "ln -s '%s/.deps' '%s/.deps'", PB_SOURCE_DIR, ex.dir, PB_SOURCE_DIR, ex.dir))
		return -1;
	for (int i = 0; i < ex.nr_snip; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", ex.dir, ex.snip[i].path);
		if (!(f = fopen(path, ex.snip[i].append ? "a" : "w")))
			return -1;
		fputs(ex.snip[i].text, f);
		fclose(f);
	}
	return 0;
}

/* Build the scratch tree's pudbench-bin, run the example, read its results. */
static void build_and_run(void)
{
	char path[PATH_MAX + 64];
	char *const list[] = { path, "list", NULL };

	if (make_tree()) {
		snprintf(ex.out, sizeof(ex.out), "cannot make the scratch tree in %s", ex.dir);
		return;
	}
	/* Debug: no optimisation, the quickest build; warnings are still errors */
	ex.build_status = sh("cd '%s' && '%s' -S . -B build -DCMAKE_BUILD_TYPE=Debug && "
			     "'%s' --build build --target pudbench-bin -j2", ex.dir, PB_CMAKE,
			     PB_CMAKE);
	if (ex.build_status)
		return;
	snprintf(path, sizeof(path), "%s/build/pudbench-bin", ex.dir);
	run_cmd(list, ex.list, sizeof(ex.list));
	ex.run_status = sh("cd '%s' && build/pudbench-bin run --config '%s' --out out", ex.dir,
			   ex.conf->path);
	snprintf(path, sizeof(path), "%s/out/results.json", ex.dir);
	ex.doc = json_object_from_file(path);
}

static void need(int status, const char *what)
{
	if (status) {
		TH_INFO("%s", ex.out);
		TAP_FAIL("%s: exit status %d (the output is above)", what, status);
	}
}

TEST(readme_has_the_example)
{
	bool bench_file = false;

	for (int i = 0; i < ex.nr_snip; i++) {
		TH_INFO("snippet %s%s", ex.snip[i].append ? "appended to " : "", ex.snip[i].path);
		bench_file |= !strncmp(ex.snip[i].path, "bench/", 6) && !ex.snip[i].append;
	}
	ASSERT_TRUE(bench_file);
	ASSERT_TRUE(ex.conf != NULL);
	ASSERT_TRUE(ex.bench[0]);
	/* the example shows an option */
	ASSERT_GE(ex.nr_opts, 1);
}

TEST(example_builds_and_runs)
{
	need(ex.build_status, "the build of the scratch tree");
	need(ex.run_status, "pudbench-bin run with the example's config");
	TH_INFO("%s", ex.out);
	ASSERT_TRUE(ex.doc != NULL);
}

/* Records of the example's benchmark, each with samples and the options set. */
TEST(example_records_echo_its_options)
{
	json_object *recs = pb_jget(ex.doc, "results");
	size_t n = 0;

	ASSERT_TRUE(ex.doc != NULL);
	for (size_t i = 0; i < pb_jlen(recs); i++) {
		json_object *rec = pb_jidx(recs, i);

		if (strcmp(pb_jstr(rec, "bench", ""), ex.bench))
			continue;
		n++;
		ASSERT_GE(pb_jlen(pb_jget(rec, "samples_ns")), 1);
		for (int o = 0; o < ex.nr_opts; o++) {
			char part[96];

			ASSERT_EQ(ex.val[o], (long)pb_jnum(pb_jget(rec, "options"), ex.opt[o]));
			/* the example sets no option to its default: each is in the case's name */
			snprintf(part, sizeof(part), "/%s=%ld", ex.opt[o], ex.val[o]);
			ASSERT_SUBSTR(pb_jstr(rec, "case", ""), part);
		}
	}
	TH_INFO("%zu records of %s", n, ex.bench);
	ASSERT_GE(n, 1);
}

/*
 * Its derived metric in every record: the median call over the pages it
 * changed (the example's first option), and a column of the run table.
 */
TEST(example_records_hold_its_derived_metric)
{
	json_object *recs = pb_jget(ex.doc, "results");

	ASSERT_TRUE(ex.metric[0] && ex.abbrev[0]);
	ASSERT_TRUE(ex.doc != NULL);
	for (size_t i = 0; i < pb_jlen(recs); i++) {
		json_object *rec = pb_jidx(recs, i);
		double v = pb_jnum(pb_jget(rec, "per_sample"), ex.metric);
		double median = pb_jnum(pb_jget(rec, "latency_ns"), "median");

		if (strcmp(pb_jstr(rec, "bench", ""), ex.bench))
			continue;
		TH_INFO("%s %s: %s %.1f, median %.0f ns", pb_jstr(rec, "operation", "?"),
			ex.opt[0], ex.metric, v, median);
		ASSERT_TRUE(v > 0);
		ASSERT_NEAR(v * (double)ex.val[0], median, median * 1e-9);
	}
	ASSERT_SUBSTR(ex.out, ex.abbrev);
}

/* In the config echo, with the value set; `list` shows a different default. */
TEST(example_config_echoes_its_options)
{
	json_object *opts = pb_jget(pb_jget(pb_jget(pb_jget(ex.doc, "env"), "config"),
					    "bench_options"), ex.bench);

	ASSERT_TRUE(ex.doc != NULL);
	for (int o = 0; o < ex.nr_opts; o++) {
		char needle[96], *at;
		long def;

		ASSERT_EQ(ex.val[o], (long)pb_jnum(opts, ex.opt[o]));
		snprintf(needle, sizeof(needle), "option %s = ", ex.opt[o]);
		at = strstr(ex.list, needle);
		ASSERT_TRUE(at && sscanf(at + strlen(needle), "%ld", &def) == 1);
		TH_INFO("%s: set %ld, default %ld", ex.opt[o], ex.val[o], def);
		ASSERT_NE(def, ex.val[o]);
	}
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

int main(int argc, char **argv)
{
	char path[PATH_MAX], *readme;

	(void)argc, (void)argv;
	snprintf(path, sizeof(path), "%s/README.md", PB_SOURCE_DIR);
	snprintf(ex.dir, sizeof(ex.dir), "%s/pudbench-readme-example-XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if ((readme = pb_slurp(path, NULL)) && extract_snippets(readme)) {
		for (int i = 0; i < ex.nr_snip; i++)
			if (strstr(ex.snip[i].path, ".conf"))
				ex.conf = &ex.snip[i];
		if (ex.conf)
			parse_conf();
		find_metric();
		if (ex.conf && mkdtemp(ex.dir)) {
			build_and_run();
			nftw(ex.dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
		}
	}
	free(readme);
	return tap_main();
}
