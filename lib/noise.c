// SPDX-License-Identifier: MIT
/* The noise record of a run (see noise.h). */
#define _GNU_SOURCE
#include "noise.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sysfs.h"

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

/* CPU seconds of pudbench: itself and every case process it has reaped. */
static double own_cpu_s(void)
{
	struct rusage self, kids;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	return tv_s(self.ru_utime) + tv_s(self.ru_stime) + tv_s(kids.ru_utime) +
	       tv_s(kids.ru_stime);
}

/*
 * Per-CPU busy (user, nice, system, irq, softirq) and steal jiffies, and
 * procs_running, from /proc/stat.  -1 if unreadable.
 */
static int read_proc_stat(unsigned long long *busy, unsigned long long *steal, int nr,
			  long *procs_running)
{
	FILE *f = fopen("/proc/stat", "re");
	char *line = NULL;
	size_t cap = 0;

	if (!f)
		return -1;
	*procs_running = -1;
	while (getline(&line, &cap, f) > 0) {
		unsigned long long v[8] = { 0 };
		int cpu;

		if (sscanf(line, "cpu%d %llu %llu %llu %llu %llu %llu %llu %llu", &cpu, &v[0],
			   &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) == 9 && cpu >= 0 &&
		    cpu < nr) {
			/* v: user nice system idle iowait irq softirq steal */
			busy[cpu] = v[0] + v[1] + v[2] + v[5] + v[6];
			steal[cpu] = v[7];
		}
		sscanf(line, "procs_running %ld", procs_running);
	}
	free(line);
	fclose(f);
	return 0;
}

/* "always defer [madvise] never" -> "madvise" */
static json_object *bracketed(const char *path, char *why, size_t len)
{
	char buf[256], *lb, *rb;

	if (pb_sysfs_read_str(path, buf, sizeof(buf))) {
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return NULL;
	}
	lb = strchr(buf, '[');
	rb = lb ? strchr(lb, ']') : NULL;
	if (!rb)
		return json_object_new_string(buf);
	*rb = '\0';
	return json_object_new_string(lb + 1);
}

/* @key and, when it is unavailable, @key_unavailable with the reason. */
static void add_or_reason(json_object *o, const char *key, json_object *v, const char *why)
{
	char k[64];

	json_object_object_add(o, key, v);
	if (v)
		return;
	snprintf(k, sizeof(k), "%s_unavailable", key);
	json_object_object_add(o, k, json_object_new_string(why));
}

static json_object *sys_setting(const char *path, char *why, size_t len)
{
	char buf[256];

	if (!pb_sysfs_read_str(path, buf, sizeof(buf)))
		return json_object_new_string(buf);
	snprintf(why, len, "%s: %s", path, strerror(errno));
	return NULL;
}

/* "cpu MHz" of processor @cpu in /proc/cpuinfo (x86), or NAN. */
static double cpuinfo_mhz(int cpu)
{
	FILE *f = fopen("/proc/cpuinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	double mhz = NAN;
	int cur = -1;

	if (!f)
		return NAN;
	while (getline(&line, &cap, f) > 0) {
		sscanf(line, "processor : %d", &cur);
		if (cur == cpu && sscanf(line, "cpu MHz : %lf", &mhz) == 1)
			break;
	}
	free(line);
	fclose(f);
	return mhz;
}

static json_object *cpufreq(int cpu)
{
	json_object *o = json_object_new_object(), *gov;
	char path[128], why[512];
	long khz;

	json_object_object_add(o, "cpu", json_object_new_int(cpu));
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_governor", cpu);
	gov = sys_setting(path, why, sizeof(why));
	if (!gov && errno == ENOENT)
		snprintf(why, sizeof(why), "no cpufreq in sysfs (%s): typical in a VM", path);
	add_or_reason(o, "governor", gov, why);
	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/cpufreq/scaling_cur_freq", cpu);
	if (!pb_sysfs_read_long(path, &khz)) {
		json_object_object_add(o, "mhz", json_object_new_double((double)khz / 1000));
		json_object_object_add(o, "mhz_source", json_object_new_string(path));
	} else if (cpuinfo_mhz(cpu) > 0) {
		/* in a VM this is the clock the hypervisor reports, not a measured one */
		json_object_object_add(o, "mhz", json_object_new_double(cpuinfo_mhz(cpu)));
		json_object_object_add(o, "mhz_source", json_object_new_string("/proc/cpuinfo"));
	} else {
		add_or_reason(o, "mhz", NULL, "neither cpufreq nor 'cpu MHz' in /proc/cpuinfo");
	}
	return o;
}

static json_object *snapshot(const struct pb_noise *n)
{
	json_object *o = json_object_new_object(), *load = NULL, *cpus = json_object_new_array();
	unsigned long long *busy = calloc((size_t)n->nr, sizeof(*busy));
	unsigned long long *steal = calloc((size_t)n->nr, sizeof(*steal));
	double avg[3];
	long running = -1;
	char why[256];

	if (getloadavg(avg, 3) == 3) {
		load = json_object_new_array();
		for (int i = 0; i < 3; i++)
			json_object_array_add(load, json_object_new_double(avg[i]));
	}
	add_or_reason(o, "loadavg", load, "getloadavg() failed");
	if (busy && steal)
		read_proc_stat(busy, steal, n->nr, &running);
	add_or_reason(o, "procs_running", running >= 0 ? json_object_new_int64(running) : NULL,
		      "no procs_running in /proc/stat");
	for (int cpu = 0; cpu < n->nr; cpu++)
		if (CPU_ISSET(cpu, &n->cpus))
			json_object_array_add(cpus, cpufreq(cpu));
	json_object_object_add(o, "cpufreq", cpus);
	add_or_reason(o, "thp_enabled",
		      bracketed("/sys/kernel/mm/transparent_hugepage/enabled", why, sizeof(why)), why);
	add_or_reason(o, "thp_defrag",
		      bracketed("/sys/kernel/mm/transparent_hugepage/defrag", why, sizeof(why)), why);
	add_or_reason(o, "numa_balancing",
		      sys_setting("/proc/sys/kernel/numa_balancing", why, sizeof(why)), why);
	free(busy);
	free(steal);
	return o;
}

static void warn(json_object *warnings, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(json_object *warnings, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_array_add(warnings, json_object_new_string(buf));
}

/* What the start snapshot says against a quiet machine, into @warnings. */
static void start_warnings(json_object *start, json_object *warnings)
{
	json_object *load = json_object_object_get(start, "loadavg");
	json_object *running = json_object_object_get(start, "procs_running");
	json_object *freq = json_object_object_get(start, "cpufreq"), *gov;

	if (load && json_object_get_double(json_object_array_get_idx(load, 0)) > PB_NOISE_MAX_LOAD)
		warn(warnings, "load average %.2f at the start, above %.1f: other tasks were "
		     "runnable", json_object_get_double(json_object_array_get_idx(load, 0)),
		     PB_NOISE_MAX_LOAD);
	/* pudbench itself is the one running task */
	if (running && json_object_get_int64(running) > 1)
		warn(warnings, "%lld other runnable tasks at the start (procs_running %lld)",
		     (long long)json_object_get_int64(running) - 1,
		     (long long)json_object_get_int64(running));
	for (size_t i = 0; i < json_object_array_length(freq); i++) {
		json_object *c = json_object_array_get_idx(freq, i);

		gov = json_object_object_get(c, "governor");
		if (gov && strcmp(json_object_get_string(gov), "performance"))
			warn(warnings, "cpu%d runs the '%s' cpufreq governor, not 'performance': "
			     "its clock may change during the run",
			     json_object_get_int(json_object_object_get(c, "cpu")),
			     json_object_get_string(gov));
	}
}

static void print_warnings(FILE *f, json_object *warnings, size_t from)
{
	for (size_t i = from; f && i < json_object_array_length(warnings); i++)
		fprintf(f, "pudbench: warning: machine not quiet: %s\n",
			json_object_get_string(json_object_array_get_idx(warnings, i)));
}

void pb_noise_start(struct pb_noise *n, const cpu_set_t *cpus, FILE *f)
{
	long running;

	memset(n, 0, sizeof(*n));
	n->cpus = *cpus;
	n->nr = CPU_SETSIZE;
	n->busy0 = calloc((size_t)n->nr, sizeof(*n->busy0));
	n->steal0 = calloc((size_t)n->nr, sizeof(*n->steal0));
	n->start = snapshot(n);
	n->start_warnings = json_object_new_array();
	start_warnings(n->start, n->start_warnings);
	/* now, while the user can still stop the run and quiet the machine */
	print_warnings(f, n->start_warnings, 0);
	clock_gettime(CLOCK_MONOTONIC, &n->t0);
	n->own0 = own_cpu_s();
	if (!n->busy0 || !n->steal0 || read_proc_stat(n->busy0, n->steal0, n->nr, &running)) {
		free(n->busy0);
		n->busy0 = NULL;
	}
}

/* Busy and steal shares of the benchmark CPUs over the run, into @o; warnings. */
static void cpu_use(struct pb_noise *n, json_object *o, json_object *warnings)
{
	unsigned long long *busy = calloc((size_t)n->nr, sizeof(*busy));
	unsigned long long *steal = calloc((size_t)n->nr, sizeof(*steal));
	double hz = (double)sysconf(_SC_CLK_TCK), own = own_cpu_s() - n->own0, wall;
	double busy_s = 0, steal_s = 0, others, pct, steal_pct;
	json_object *per_cpu = json_object_new_array();
	struct timespec t1;
	char list[256] = "";
	long running;
	int nr = 0;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	wall = (double)(t1.tv_sec - n->t0.tv_sec) + (double)(t1.tv_nsec - n->t0.tv_nsec) / 1e9;
	if (!n->busy0 || !busy || !steal || read_proc_stat(busy, steal, n->nr, &running) ||
	    wall <= 0) {
		json_object_object_add(o, "others_pct", NULL);
		json_object_object_add(o, "others_unavailable",
				       json_object_new_string("/proc/stat unreadable"));
		json_object_put(per_cpu);
		goto out;
	}
	for (int cpu = 0; cpu < n->nr; cpu++) {
		json_object *c;
		double b, st;

		if (!CPU_ISSET(cpu, &n->cpus))
			continue;
		b = (double)(busy[cpu] - n->busy0[cpu]) / hz;
		st = (double)(steal[cpu] - n->steal0[cpu]) / hz;
		c = json_object_new_object();
		json_object_object_add(c, "cpu", json_object_new_int(cpu));
		json_object_object_add(c, "busy_pct", json_object_new_double(b / wall * 100));
		json_object_object_add(c, "steal_pct", json_object_new_double(st / wall * 100));
		json_object_array_add(per_cpu, c);
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%scpu%d %.0f%%",
			 nr ? ", " : "", cpu, b / wall * 100);
		busy_s += b;
		steal_s += st;
		nr++;
	}
	others = busy_s > own ? busy_s - own : 0;
	pct = nr ? others / (wall * nr) * 100 : 0;
	steal_pct = nr ? steal_s / (wall * nr) * 100 : 0;
	json_object_object_add(o, "wall_s", json_object_new_double(wall));
	json_object_object_add(o, "busy_cpu_s", json_object_new_double(busy_s));
	json_object_object_add(o, "pudbench_cpu_s", json_object_new_double(own));
	json_object_object_add(o, "others_cpu_s", json_object_new_double(others));
	json_object_object_add(o, "others_pct", json_object_new_double(pct));
	json_object_object_add(o, "steal_pct", json_object_new_double(steal_pct));
	json_object_object_add(o, "per_cpu", per_cpu);
	json_object_object_add(o, "method", json_object_new_string(
		"/proc/stat busy jiffies (user+nice+system+irq+softirq) of the benchmark CPUs, "
		"end minus start, minus pudbench's own CPU time (getrusage self + reaped "
		"children), over wall time x CPUs"));
	if (pct > PB_NOISE_MAX_OTHERS_PCT)
		warn(warnings, "other tasks used %.0f%% of the benchmark CPUs during the run "
		     "(%.1f of %.1f CPU s; busy: %s; pudbench itself %.1f s)", pct, others,
		     wall * nr, list, own);
	if (steal_pct > PB_NOISE_MAX_STEAL_PCT)
		warn(warnings, "the hypervisor stole %.0f%% of the benchmark CPUs' time", steal_pct);
out:
	free(busy);
	free(steal);
}

int pb_noise_finish(struct pb_noise *n, json_object *env, FILE *f)
{
	json_object *o = json_object_new_object(), *warnings = n->start_warnings;
	json_object *cpus = json_object_new_array(), *use = json_object_new_object();
	size_t nr_start = json_object_array_length(warnings), nr_warn;

	for (int cpu = 0; cpu < n->nr; cpu++)
		if (CPU_ISSET(cpu, &n->cpus))
			json_object_array_add(cpus, json_object_new_int(cpu));
	cpu_use(n, use, warnings);
	json_object_object_add(o, "benchmark_cpus", cpus);
	json_object_object_add(o, "start", n->start);
	json_object_object_add(o, "end", snapshot(n));
	json_object_object_add(o, "cpu_use", use);
	nr_warn = json_object_array_length(warnings);
	json_object_object_add(o, "quiet", json_object_new_boolean(nr_warn == 0));
	json_object_object_add(o, "warnings", warnings);
	json_object_object_add(env, "noise", o);
	print_warnings(f, warnings, nr_start);	/* the start's were said at the start */
	free(n->busy0);
	free(n->steal0);
	n->start = n->start_warnings = NULL;
	n->busy0 = n->steal0 = NULL;
	return (int)nr_warn;
}
