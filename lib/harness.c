// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "checks.h"
#include "env.h"
#include "kmsg.h"
#include "noise.h"
#include "probe.h"
#include "procmaps.h"
#include "repeat.h"
#include "results.h"

static volatile sig_atomic_t interrupted;

static void on_interrupt(int sig)
{
	interrupted = sig;
}

/* ---- inside the case child ------------------------------------------- */

static int report_fd = -1;

static void report(json_object *msg)
{
	const char *s = json_object_to_json_string_ext(msg, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(s), off = 0;

	while (off < len) {
		ssize_t n = write(report_fd, s + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (write(report_fd, "\n", 1) < 0)
		(void)0;
	json_object_put(msg);
}

static void report_str(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void report_str(const char *key, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	json_object *msg;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	msg = json_object_new_object();
	json_object_object_add(msg, key, json_object_new_string(buf));
	report(msg);
}

static uint64_t pattern_at(size_t off)
{
	/* distinct per offset, never all-zero like a fresh page */
	return (off * 0x9e3779b97f4a7c15ull) ^ 0x5044554442454e43ull;
}

/*
 * The offsets the populate step writes: every page, and inside the first
 * page 512 evenly spaced ones, so a mapping that fell back to smaller pages
 * takes more faults than the page size predicts.
 */
static size_t populate_step(const struct pb_case *c, size_t off)
{
	size_t probe = c->page_size / 512 < PB_SZ_4K ? PB_SZ_4K : c->page_size / 512;

	return off < c->page_size ? probe : c->page_size;
}

static long thread_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

static long populate(struct pb_case *c)
{
	long before;

	/*
	 * getrusage() writes its result after counting: the first write to
	 * that stack page since fork() is a COW fault that the count after
	 * would take for the mapping's (seen as one extra fault per case,
	 * depending on how deep the environment put the stack).
	 */
	thread_faults();
	before = thread_faults();

	for (size_t off = 0; off < c->map.size; off += populate_step(c, off))
		*(volatile uint64_t *)(c->map.addr + off) = pattern_at(off);
	return thread_faults() - before;
}

static long pattern_mismatches(const struct pb_case *c)
{
	long bad = 0;

	for (size_t off = 0; off < c->map.size; off += populate_step(c, off))
		bad += *(volatile uint64_t *)(c->map.addr + off) != pattern_at(off);
	return bad;
}

static long smaps_kb(json_object *smaps, const char *key)
{
	json_object *v = smaps ? json_object_object_get(smaps, key) : NULL;

	return v ? json_object_get_int64(v) : -1;
}

/* Does smaps agree that the range is mapped with @page_size pages? */
static bool smaps_confirms(json_object *smaps, size_t page_size, size_t size)
{
	long kps = smaps_kb(smaps, "KernelPageSize");

	if (!smaps)
		return false;
	if (page_size == PB_SZ_4K)
		return kps == 4 && smaps_kb(smaps, "AnonHugePages") <= 0;
	if ((size_t)kps * 1024 == page_size)
		return true;	/* hugetlb, device-dax */
	return (size_t)smaps_kb(smaps, "AnonHugePages") * 1024 == size ||
	       (size_t)smaps_kb(smaps, "ShmemPmdMapped") * 1024 == size;
}

static json_object *mapping_json(const struct pb_case *c, long populate_faults,
				 json_object *smaps)
{
	json_object *o = json_object_new_object();
	long expected = (long)(c->map.size / c->page_size);
	bool populated = pb_bench_has(c->bench, PB_BENCH_POPULATE);
	bool faults_ok = populate_faults == expected;
	bool smaps_ok = smaps_confirms(smaps, c->page_size, c->map.size);

	json_object_object_add(o, "populate_faults", populated ?
			       json_object_new_int64(populate_faults) : NULL);
	json_object_object_add(o, "expected_faults", json_object_new_int64(expected));
	/* what the fault count implies; the nominal size when it matches */
	json_object_object_add(o, "mapped_page_size", populated && populate_faults > 0 ?
			       json_object_new_int64(faults_ok ? (int64_t)c->page_size :
						     (int64_t)(c->map.size / populate_faults)) : NULL);
	json_object_object_add(o, "smaps_confirms", json_object_new_boolean(smaps_ok));
	json_object_object_add(o, "granularity_verified", populated ?
			       json_object_new_boolean(faults_ok && smaps_ok) : NULL);
	json_object_object_add(o, "smaps_kb", smaps);
	return o;
}

/*
 * Which checks were made for this record's series alone, and which once
 * for the whole case: the kernel log and the data are checked over every
 * strategy and direction the case interleaved, so a record carries them
 * but they are not its own measurement.
 */
static json_object *checks_scope(json_object *checks)
{
	json_object *o = json_object_new_object();

	json_object_object_foreach(checks, key, val) {
		int id = pb_check_find(key);

		(void)val;
		if (id < 0)
			continue;	/* details of a check (kernel_log, *_probes), not checks */
		json_object_object_add(o, key, json_object_new_string(
			pb_checks[id].scope == PB_CHECK_CASE ? "case" : "series"));
	}
	return o;
}

/* Completes the record's checks (a benchmark may have put its own there). */
static void add_checks(json_object *rec, const struct pb_kmsg *km, long mismatches,
		       bool data_checked)
{
	json_object *o;

	if (!json_object_object_get_ex(rec, "checks", &o)) {
		o = json_object_new_object();
		json_object_object_add(rec, "checks", o);
	}
	/* every record has the key; null: this series made no write probe */
	if (!json_object_object_get_ex(o, "stale_write", NULL))
		json_object_object_add(o, "stale_write", NULL);
	json_object_object_add(o, "bad_pud", km->measured ? json_object_new_int(km->bad_pud) : NULL);
	json_object_object_add(o, "kernel_warnings",
			       km->measured ? json_object_new_int(km->warnings) : NULL);
	json_object_object_add(o, "data_intact", data_checked ?
			       json_object_new_boolean(mismatches == 0) : NULL);
	if (!km->measured)
		json_object_object_add(o, "kernel_log_unavailable",
				       json_object_new_string(km->unavailable));
	json_object_object_add(rec, "checks_scope", checks_scope(o));
	if (km->nr_kept) {
		json_object *lines = json_object_new_array();

		for (unsigned i = 0; i < km->nr_kept; i++)
			json_object_array_add(lines, json_object_new_string(km->kept[i]));
		json_object_object_add(o, "kernel_log", lines);
	}
}

/*
 * Fault injection for the tests: PUDBENCH_INJECT="STAGE:BENCH:crash" kills
 * the case with SIGBUS when it reaches STAGE, "...:hang" makes it hang
 * there, so the isolation of crashing and hanging cases can be tested.
 */
static void inject(const char *stage_name, const char *bench)
{
	if (!bench)
		return;
	if (pb_injected(stage_name, bench, "crash"))
		raise(SIGBUS);
	if (pb_injected(stage_name, bench, "hang"))
		for (;;)
			pause();
}

static const char *current_bench;

static void stage(const char *name)
{
	report_str("stage", "%s", name);
	inject(name, current_bench);
}

/* Runs in the forked child; reports over report_fd and exits. */
static int case_child(struct pb_case *c)
{
	long populate_faults = 0, mismatches = 0;
	pid_t tids[PB_MAX_THREADS];
	char err[512] = "";
	struct pb_kmsg km;
	struct sigaction segv;
	json_object *smaps;
	bool data_checked;
	int rc;

	current_bench = c->bench->name;
	stage("pin");
	if (pb_pin_self(c->cpu)) {
		report_str("error", "pinning to CPU %d: %m", c->cpu);
		return 1;
	}
	stage("map");
	if (pb_mapping_create(c->backend, c->cfg, c->size, &c->map, err, sizeof(err))) {
		report_str("error", "%s", err);
		return 1;
	}
	if (pb_bench_has(c->bench, PB_BENCH_POPULATE)) {
		stage("populate");
		populate_faults = populate(c);
	}
	stage("participants");
	if (pb_participants_start(&c->remote, c->remote_cpus, c->nr_remote, c->remote_mode,
				  c->map.addr, c->map.size, err, sizeof(err))) {
		report_str("error", "%s", err);
		return 1;
	}
	stage("counters");
	tids[0] = (pid_t)syscall(SYS_gettid);
	for (int i = 0; i < c->nr_remote; i++)
		tids[1 + i] = c->remote.tids[i];
	c->ctrs = pb_counters_open(tids, 1 + c->nr_remote);
	if (!c->ctrs) {
		report_str("error", "opening counters: %m");
		return 1;
	}
	c->records = json_object_new_array();
	pb_kmsg_start(&km);

	stage("run");
	/* probes may fault on purpose; any other SIGSEGV still kills the case */
	pb_probe_install(&segv);
	rc = c->bench->run(c);
	pb_probe_restore(&segv);
	/* the records need the counters open: they say which were available */
	if (rc == 0)
		pb_case_emit_series(c);
	pb_case_free_series(c);

	stage("checks");
	pb_kmsg_collect(&km);
	pb_kmsg_stop(&km);
	pb_participants_stop(&c->remote);
	pb_counters_close(c->ctrs);
	c->ctrs = NULL;
	/* smaps walks the page tables: only after the measurement */
	smaps = pb_smaps_of(c->map.addr);
	data_checked = pb_bench_has(c->bench, PB_BENCH_KEEPS_DATA) && rc == 0 &&
		       (!pb_bench_has(c->bench, PB_BENCH_ZAPS) || c->backend->zap_keeps_data);
	/* negative control: one word the benchmark never wrote, changed */
	if (data_checked && pb_case_injected(c, "corrupt-data"))
		((volatile char *)c->map.addr)[c->map.size / 2] ^= 0x5a;
	if (data_checked)
		mismatches = pattern_mismatches(c);
	pb_mapping_destroy(c->backend, &c->map);
	if (rc) {
		report_str("error", "%s", c->error[0] ? c->error : "benchmark failed");
		json_object_put(smaps);
		return 1;
	}
	for (size_t i = 0; i < json_object_array_length(c->records); i++) {
		json_object *rec = json_object_get(json_object_array_get_idx(c->records, i));
		json_object *msg = json_object_new_object();

		add_checks(rec, &km, mismatches, data_checked);
		json_object_object_add(rec, "mapping", mapping_json(c, populate_faults,
								    json_object_get(smaps)));
		json_object_object_add(msg, "record", rec);
		report(msg);
	}
	json_object_put(smaps);
	json_object_put(c->records);
	return 0;
}

/* ---- in the parent ---------------------------------------------------- */

static json_object *case_id(const struct pb_case *c)
{
	json_object *o = json_object_new_object();

	pb_case_identity_json(c, o);
	return o;
}

static void describe(const struct pb_case *c, char *buf, size_t len)
{
	snprintf(buf, len, "%s on %s, %zu GiB, %d remote%s%s", c->bench->name,
		 c->backend->name, c->size >> 30, c->nr_remote, c->nr_remote ? " " : "",
		 c->nr_remote ? pb_remote_mode_name(c->remote_mode) : "");
}

struct collector {
	struct pb_results *res;
	int rep;		/* 0-based repetition, -1 when the case runs once */
	char stage[32];
	char error[1024];
	int records;
};

static void handle_line(struct collector *col, const char *line)
{
	json_object *msg = json_tokener_parse(line), *v;

	if (!msg) {
		snprintf(col->error, sizeof(col->error), "unparsable report from case: %.80s", line);
		return;
	}
	if (json_object_object_get_ex(msg, "stage", &v))
		snprintf(col->stage, sizeof(col->stage), "%s", json_object_get_string(v));
	else if (json_object_object_get_ex(msg, "error", &v))
		snprintf(col->error, sizeof(col->error), "%s", json_object_get_string(v));
	else if (json_object_object_get_ex(msg, "record", &v)) {
		pb_results_print_record(stdout, v);
		fflush(stdout);
		if (col->rep >= 0)
			pb_results_add_rep(col->res, json_object_get(v), (unsigned)col->rep);
		else
			pb_results_add_record(col->res, json_object_get(v));
		col->records++;
	}
	json_object_put(msg);
}

/* Read the child's reports until EOF, the timeout or an interrupt. */
static int collect(int fd, struct collector *col, unsigned timeout_s)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	time_t deadline = time(NULL) + timeout_s;
	int rc = 0;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long left = (long)(deadline - time(NULL));
		char *nl;
		ssize_t n;

		if (interrupted) {
			rc = -2;
			break;
		}
		if (left <= 0) {
			rc = -1;
			break;
		}
		if (poll(&pfd, 1, (int)(left > 1 ? 1000 : left * 1000)) <= 0)
			continue;
		if (len + 65536 > cap)
			buf = realloc(buf, cap *= 2);
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		while ((nl = memchr(buf, '\n', len))) {
			*nl = '\0';
			handle_line(col, buf);
			len -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, len);
			buf[len] = '\0';
		}
	}
	free(buf);
	return rc;
}

/* The case's identity, and which repetition failed when it runs more than once. */
static json_object *failure_id(const struct pb_case *c, int rep)
{
	json_object *id = case_id(c);

	if (rep >= 0)
		json_object_object_add(id, "repetition", json_object_new_int(rep + 1));
	return id;
}

static int run_case(struct pb_case *c, struct pb_results *res, int rep)
{
	struct collector col = { .res = res, .rep = rep, .stage = "fork" };
	cpu_set_t parent_cpus;
	char what[256], why[1200];
	int pfd[2], status, rc;
	pid_t pid;

	describe(c, what, sizeof(what));
	if (pipe2(pfd, O_CLOEXEC)) {
		pb_results_add_failure(res, failure_id(c, rep), "fork", strerror(errno));
		return -1;
	}
	fflush(NULL);
	/*
	 * Born on its CPU: a child forked elsewhere keeps that CPU in its
	 * mm_cpumask, and x86 then sends flushes there for nothing.
	 */
	sched_getaffinity(0, sizeof(parent_cpus), &parent_cpus);
	pb_pin_self(c->cpu);
	pid = fork();
	if (pid != 0)
		sched_setaffinity(0, sizeof(parent_cpus), &parent_cpus);
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		close(pfd[0]);
		report_fd = pfd[1];
		_exit(case_child(c));
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		pb_results_add_failure(res, failure_id(c, rep), "fork", strerror(errno));
		return -1;
	}
	rc = collect(pfd[0], &col, c->cfg->case_timeout_s);
	close(pfd[0]);
	if (rc < 0)
		kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc == -2)
		snprintf(why, sizeof(why), "interrupted by signal %d", (int)interrupted);
	else if (rc == -1)
		snprintf(why, sizeof(why), "timed out after %u s (case_timeout_s)",
			 c->cfg->case_timeout_s);
	else if (WIFSIGNALED(status))
		snprintf(why, sizeof(why), "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else if (WEXITSTATUS(status) || col.error[0])
		snprintf(why, sizeof(why), "%s", col.error[0] ? col.error : "exited with an error");
	else if (!col.records)
		snprintf(why, sizeof(why), "produced no records");
	else
		return 0;
	printf("%-22s %-10s FAILED in stage '%s'%s: %s\n", c->bench->name, c->backend->name,
	       col.stage, rep >= 0 ? " (this repetition)" : "", why);
	pb_results_add_failure(res, failure_id(c, rep), col.stage, why);
	(void)what;
	return -1;
}

int pb_harness_validate(const struct pb_config *cfg)
{
	const char *where = cfg->path[0] ? cfg->path : "(defaults)";
	int bad = 0;

	for (unsigned i = 0; i < cfg->nr_benches; i++)
		if (!pb_bench_find(cfg->benches[i])) {
			fprintf(stderr, "%s: key 'benches' in [run]: unknown benchmark '%s' "
				"(see ./pudbench list)\n", where, cfg->benches[i]);
			bad = 1;
		}
	for (unsigned i = 0; i < cfg->nr_backends; i++)
		if (!pb_backend_find(cfg->backends[i])) {
			fprintf(stderr, "%s: key 'backends' in [run]: unknown backend '%s' "
				"(see ./pudbench list)\n", where, cfg->backends[i]);
			bad = 1;
		}
	for (unsigned i = 0; i < cfg->nr_bench_overrides; i++)
		if (!pb_bench_find(cfg->bench_overrides[i].name)) {
			fprintf(stderr, "%s: section [bench:%s]: unknown benchmark\n", where,
				cfg->bench_overrides[i].name);
			bad = 1;
		}
	return bad ? -1 : 0;
}

#define MAX_RUN_BACKENDS 8

/* Pick the backends to run; say why each one that is left out is. */
static int select_backends(const struct pb_config *cfg, struct pb_results *res,
			   const struct pb_backend **out)
{
	const char *names[PB_CFG_MAX_LIST + 1];
	char why[512];
	int n = 0, nr_names = 0;

	if (cfg->backends_auto)
		for (int i = 0; pb_backends_auto[i]; i++)
			names[nr_names++] = pb_backends_auto[i];
	else
		for (unsigned i = 0; i < cfg->nr_backends; i++)
			names[nr_names++] = cfg->backends[i];
	for (int i = 0; i < nr_names && n < MAX_RUN_BACKENDS; i++) {
		const struct pb_backend *be = pb_backend_find(names[i]);

		if (!be->probe(cfg, why, sizeof(why))) {
			printf("backend %-10s unavailable: %s\n", be->name, why);
			pb_results_backend(res, be->name, why);
			continue;
		}
		pb_results_backend(res, be->name, NULL);
		out[n++] = be;
		/* the best backend there is: "auto" measures devdax alone */
		if (cfg->backends_auto && !strcmp(be->name, "devdax"))
			break;
	}
	return n;
}

/* The strategies to interleave: "auto" = all the kernel offers. */
static int select_strategies(const struct pb_config *cfg, const struct pb_strategies *avail,
			     const char **out, json_object **desc)
{
	json_object *o = json_object_new_object(), *offered = json_object_new_array();
	json_object *used = json_object_new_array();
	int n = 0;

	for (int i = 0; i < avail->nr; i++)
		json_object_array_add(offered, json_object_new_string(avail->names[i]));
	if (cfg->strategies_auto) {
		/* broken_*: a test kernel's negative controls, run only by name */
		for (int i = 0; i < avail->nr; i++)
			if (strncmp(avail->names[i], "broken_", 7))
				out[n++] = avail->names[i];
	} else {
		for (unsigned i = 0; i < cfg->nr_strategies && n < PB_STRATEGY_MAX; i++) {
			int k = 0;

			while (k < avail->nr && strcmp(avail->names[k], cfg->strategies[i]))
				k++;
			if (k == avail->nr) {
				fprintf(stderr, "%s: key 'strategies' in [run]: this kernel does not offer "
					"'%s' (%s)\n", cfg->path[0] ? cfg->path : "(defaults)",
					cfg->strategies[i], avail->knob ? "see " PB_STRATEGY_KNOB :
					"it has no " PB_STRATEGY_KNOB);
				json_object_put(o);
				json_object_put(offered);
				json_object_put(used);
				return -1;
			}
			out[n++] = avail->names[k];
		}
	}
	for (int i = 0; i < n; i++)
		json_object_array_add(used, json_object_new_string(out[i]));
	json_object_object_add(o, "knob", avail->knob ? json_object_new_string(PB_STRATEGY_KNOB) : NULL);
	json_object_object_add(o, "initial", avail->knob ? json_object_new_string(avail->initial) : NULL);
	json_object_object_add(o, "offered", offered);
	json_object_object_add(o, "interleaved", used);
	*desc = o;
	return n;
}

/* The largest (@largest) or smallest size any benchmark of the run maps, in GiB. */
static size_t size_gib_bound(const struct pb_config *cfg, bool largest)
{
	unsigned bound = largest ? 0 : UINT_MAX;

	for (unsigned b = 0; b < cfg->nr_benches; b++) {
		const struct pb_bench_config *bc = pb_config_bench(cfg, cfg->benches[b]);

		for (unsigned s = 0; s < bc->nr_sizes; s++)
			if (largest ? bc->sizes_gib[s] > bound : bc->sizes_gib[s] < bound)
				bound = bc->sizes_gib[s];
	}
	return bound;
}

/* A backend of the run and how large a case its reservation holds. */
struct run_backend {
	const struct pb_backend *be;
	size_t room;			/* SIZE_MAX: no reservation to run short of */
	char short_of[256];		/* why the reservation holds less than asked */
};

/* What every case of a run shares. */
struct run_ctx {
	const struct pb_config *cfg;
	struct pb_results *res;
	const struct pb_strategies *knob;
	const char *strategies[PB_STRATEGY_MAX];
	int nr_strategies;
	int main_cpu;
	int failed;
	int rep;		/* 0-based; -1 when every case runs once */
};

/* A case that cannot run here, with why: the same every repetition, so said once. */
static void skip_case(struct run_ctx *rx, const struct pb_case *c, const char *why)
{
	if (rx->rep > 0)
		return;
	printf("%-22s %-10s skipped: %s\n", c->bench->name, c->backend->name, why);
	pb_results_add_skip(rx->res, case_id(c), why);
}

/* A case larger than its backend's reservation: false with why. */
static bool fits_reservation(const struct run_backend *rb, const struct pb_case *c, char *why,
			     size_t len)
{
	if (c->size <= rb->room)
		return true;
	snprintf(why, len, "needs %zu MiB of %s pages, the run could reserve only %zu MiB: %s",
		 c->size >> 20, rb->be->name, rb->room >> 20, rb->short_of);
	return false;
}

static void run_one(struct run_ctx *rx, const struct pb_bench *bench,
		    const struct pb_bench_config *bcfg, const struct run_backend *rb,
		    unsigned size_gib, unsigned nr_remote, enum pb_remote_mode mode)
{
	const struct pb_backend *be = rb->be;
	struct pb_case c = {
		.bench = bench,
		.backend = be,
		.cfg = rx->cfg,
		.bcfg = bcfg,
		.page_size = pb_backend_page_size(be, rx->cfg),
		.size = (size_t)size_gib * PB_SZ_1G,
		.cpu = rx->main_cpu,
		.nr_remote = (int)nr_remote,
		.remote_mode = mode,
		.knob = rx->knob,
		.nr_strategies = pb_bench_has(bench, PB_BENCH_STRATEGIES) ? rx->nr_strategies : 1,
	};
	char err[512];

	memcpy(c.strategies, rx->strategies, sizeof(c.strategies));
	if ((bench->supports && !bench->supports(be, err, sizeof(err))) ||
	    !fits_reservation(rb, &c, err, sizeof(err)) ||
	    pb_pick_remote_cpus(rx->main_cpu, c.nr_remote, c.remote_cpus, err, sizeof(err))) {
		skip_case(rx, &c, err);
	} else if (run_case(&c, rx->res, rx->rep)) {
		rx->failed++;
	}
	/* a crashed case must not leave the next one on its strategy */
	pb_strategies_restore(rx->knob);
	pb_results_flush(rx->res);
}

static void skip_size(struct run_ctx *rx, const struct pb_bench *bench,
		      const struct pb_backend *be, unsigned size_gib)
{
	struct pb_case c = { .bench = bench, .backend = be, .size = (size_t)size_gib * PB_SZ_1G };
	char why[128];

	snprintf(why, sizeof(why), "needs at least %u GiB (sizes_gib = %u)", bench->min_size_gib,
		 size_gib);
	skip_case(rx, &c, why);
}

/* Every size x remote count x remote mode of one benchmark on one backend. */
static void run_bench(struct run_ctx *rx, const struct pb_bench *bench,
		      const struct run_backend *rb)
{
	const struct pb_backend *be = rb->be;
	const struct pb_config *cfg = rx->cfg;
	const struct pb_bench_config *bcfg = pb_config_bench(cfg, bench->name);
	/* without participants the remote axes collapse to one case */
	unsigned nr_counts = pb_bench_has(bench, PB_BENCH_REMOTE) ? cfg->nr_remote_cpus : 1;

	for (unsigned s = 0; s < bcfg->nr_sizes && !interrupted; s++) {
		if (bcfg->sizes_gib[s] < bench->min_size_gib) {
			skip_size(rx, bench, be, bcfg->sizes_gib[s]);
			continue;
		}
		for (unsigned r = 0; r < nr_counts && !interrupted; r++) {
			unsigned nr_remote = pb_bench_has(bench, PB_BENCH_REMOTE) ? cfg->remote_cpus[r] : 0;
			unsigned nr_modes = nr_remote ? cfg->nr_remote_modes : 1;

			for (unsigned m = 0; m < nr_modes && !interrupted; m++) {
				/* read-mode participants would fault on its PROT_NONE */
				if (pb_bench_has(bench, PB_BENCH_REMOTE_SPIN_ONLY) && nr_remote &&
				    cfg->remote_modes[m] != PB_REMOTE_SPIN)
					continue;
				run_one(rx, bench, bcfg, rb, bcfg->sizes_gib[s], nr_remote,
					cfg->remote_modes[m]);
			}
		}
	}
}

/* The CPUs cases run on: the main one and the most participants the config asks for. */
static void bench_cpus(const struct run_ctx *rx, cpu_set_t *set)
{
	int cpus[PB_MAX_REMOTE], most = 0;
	char err[256];

	CPU_ZERO(set);
	CPU_SET(rx->main_cpu, set);
	for (unsigned i = 0; i < rx->cfg->nr_remote_cpus; i++)
		if ((int)rx->cfg->remote_cpus[i] > most)
			most = (int)rx->cfg->remote_cpus[i];
	/* too many for this machine: the cases with that many are skipped anyway */
	while (most > 0 && pb_pick_remote_cpus(rx->main_cpu, most, cpus, err, sizeof(err)))
		most--;
	for (int i = 0; i < most; i++)
		CPU_SET(cpus[i], set);
}

/*
 * Reserve for the largest case, or as much as the machine gives: the cases
 * that fit run, the larger ones are skipped with the reason.  -1 (the
 * backend left out, said why) when not even the smallest case fits.
 */
static int reserve_backend(const struct pb_config *cfg, struct pb_results *res,
			   struct run_backend *rb, const struct pb_backend *be)
{
	size_t want = size_gib_bound(cfg, true) * PB_SZ_1G;
	json_object *desc;

	*rb = (struct run_backend){ .be = be, .room = SIZE_MAX };
	if (!be->reserve)
		return 0;
	if (be->reserve(cfg, want, &rb->room, rb->short_of, sizeof(rb->short_of)) ||
	    rb->room < size_gib_bound(cfg, false) * PB_SZ_1G) {
		/* not even the smallest case fits: as good as no pool */
		printf("backend %-10s unavailable: %s\n", be->name, rb->short_of);
		pb_results_backend(res, be->name, rb->short_of);
		if (be->release)
			be->release();
		return -1;
	}
	desc = json_object_object_get(json_object_object_get(res->doc, "backends"), be->name);
	json_object_object_add(desc, "reserved_bytes", json_object_new_int64((int64_t)rb->room));
	json_object_object_add(desc, "wanted_bytes", json_object_new_int64((int64_t)want));
	if (rb->room >= want) {
		json_object_object_add(desc, "reserve_short", NULL);
		return 0;
	}
	printf("backend %-10s reserved %zu of %zu MiB: %s; the cases larger than that are "
	       "skipped\n", be->name, rb->room >> 20, want >> 20, rb->short_of);
	json_object_object_add(desc, "reserve_short", json_object_new_string(rb->short_of));
	return 0;
}

int pb_harness_run(const struct pb_config *cfg, const char *out_dir)
{
	const struct pb_backend *backends[MAX_RUN_BACKENDS];
	struct run_backend run_backends[MAX_RUN_BACKENDS];
	struct sigaction sa = { .sa_handler = on_interrupt };
	struct pb_strategies knob;
	json_object *strategies_desc;
	struct pb_results res;
	struct pb_noise noise;
	struct pb_counters *keys_on;
	cpu_set_t cpus;
	struct run_ctx rx = { .cfg = cfg, .res = &res, .knob = &knob };
	int nr_backends, status;
	char err[512];

	if (pb_harness_validate(cfg))
		return PB_EXIT_USAGE;
	rx.main_cpu = pb_pick_main_cpu(cfg->cpu, err, sizeof(err));
	if (rx.main_cpu < 0) {
		fprintf(stderr, "%s: key 'cpu' in [run]: %s\n", cfg->path, err);
		return PB_EXIT_USAGE;
	}
	if (pb_strategies_detect(&knob, err, sizeof(err))) {
		fprintf(stderr, "pudbench: %s\n", err);
		return PB_EXIT_USAGE;
	}
	rx.nr_strategies = select_strategies(cfg, &knob, rx.strategies, &strategies_desc);
	if (rx.nr_strategies < 0)
		return PB_EXIT_USAGE;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (pb_results_open(&res, out_dir, pb_env_json(cfg))) {
		json_object_put(strategies_desc);
		return PB_EXIT_USAGE;
	}
	json_object_object_add(res.doc, "strategies", strategies_desc);
	printf("pudbench: kernel %s, %s, results in %s\n",
	       json_object_get_string(json_object_object_get(
		       json_object_object_get(res.doc, "env"), "kernel_release")),
	       pb_virtualization(), res.json_path);

	nr_backends = select_backends(cfg, &res, backends);
	if (cfg->backends_auto && (nr_backends == 0 || strcmp(backends[0]->name, "devdax")))
		printf("no usable device-dax device: measuring the next best backends\n");
	for (int b = 0; b < nr_backends; b++)
		if (reserve_backend(cfg, &res, &run_backends[b], backends[b]))
			backends[b] = NULL;
	pb_results_flush(&res);
	bench_cpus(&rx, &cpus);
	pb_noise_start(&noise, &cpus, stdout);
	/*
	 * The same events, held open on this process for the whole run: the
	 * kernel's static keys behind them (perf_sched_events, the tracepoints)
	 * then stay on, so a case opening and closing its counters does not
	 * patch kernel text each time: a patch is IPIs to every CPU during a
	 * measurement.  (In a QEMU guest, init holds them from before the
	 * second CPU comes up, which also keeps TCG's patching race away:
	 * guest/init.sh.)
	 */
	keys_on = pb_counters_open((pid_t[]){ (pid_t)syscall(SYS_gettid) }, 1);
	pb_results_print_header(stdout);

	/* repetitions interleaved: A B C, A B C, ... so drift hits every case alike */
	for (unsigned r = 0; r < cfg->repeat && !interrupted; r++) {
		rx.rep = cfg->repeat > 1 ? (int)r : -1;
		if (cfg->repeat > 1)
			printf("-- repetition %u/%u\n", r + 1, cfg->repeat);
		for (unsigned bi = 0; bi < cfg->nr_benches && !interrupted; bi++)
			for (int b = 0; b < nr_backends && !interrupted; b++)
				if (backends[b])
					run_bench(&rx, pb_bench_find(cfg->benches[bi]),
						  &run_backends[b]);
	}

	pb_backends_release_all();
	pb_counters_close(keys_on);
	if (cfg->repeat > 1)
		pb_results_print_reps(stdout, &res, cfg->repeat);
	pb_noise_finish(&noise, json_object_object_get(res.doc, "env"), stdout);
	if (interrupted) {
		pb_results_set_status(&res, "interrupted");
		status = PB_EXIT_INTERRUPTED;
	} else {
		pb_results_set_status(&res, rx.failed ? "failed" : "complete");
		status = rx.failed ? PB_EXIT_FAILED : PB_EXIT_OK;
	}
	pb_results_flush(&res);
	printf("pudbench: %s; %zu records, %d failed cases; timestamp cost %.0f ns (in every "
	       "latency); results: %s\n",
	       interrupted ? "interrupted" : "done",
	       json_object_array_length(json_object_object_get(res.doc, "results")), rx.failed,
	       json_object_get_double(json_object_object_get(
		       json_object_object_get(res.doc, "env"), "timer_overhead_ns")),
	       res.json_path);
	pb_results_close(&res);
	return status;
}
