// SPDX-License-Identifier: MIT
#include "matrix_table.h"

#include <stdbool.h>
#include <string.h>

#define MAX_ROWS 512
#define CASE_W 60
#define COUNT_W 53	/* width of one kernel's group in the counts table */
#define LAT_W 32

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

/* json-c asserts on arrays that are not: absent means empty here. */
static size_t alen(json_object *a)
{
	return json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
}

static json_object *aget(json_object *a, size_t i)
{
	return i < alen(a) ? json_object_array_get_idx(a, i) : NULL;
}

static const char *str(json_object *o, const char *key)
{
	const char *s = json_object_get_string(get(o, key));

	return s ? s : "?";
}

static const char *size_name(long long b, char *buf, size_t len)
{
	if (b >= 1LL << 30 && !(b % (1LL << 30)))
		snprintf(buf, len, "%lldG", b >> 30);
	else if (b >= 1LL << 20 && !(b % (1LL << 20)))
		snprintf(buf, len, "%lldM", b >> 20);
	else
		snprintf(buf, len, "%lldK", b >> 10);
	return buf;
}

/* The case a record belongs to, also its row label. */
static void case_key(json_object *rec, char *buf, size_t len)
{
	char ps[24], sz[24], remote[48] = "r0";
	int nr_remote = json_object_get_int(get(rec, "remote_cpus"));

	if (nr_remote)
		snprintf(remote, sizeof(remote), "r%d:%s", nr_remote, str(rec, "remote_mode"));
	/* the strategy too: a knob kernel has one record per strategy and case */
	snprintf(buf, len, "%s %s/%s %s %s%s%s %s", str(rec, "bench"), str(rec, "backend"),
		 size_name(json_object_get_int64(get(rec, "page_size")), ps, sizeof(ps)),
		 size_name(json_object_get_int64(get(rec, "size_bytes")), sz, sizeof(sz)),
		 str(rec, "direction"), get(rec, "strategy") ? " " : "",
		 get(rec, "strategy") ? str(rec, "strategy") : "", remote);
}

static json_object *find(json_object *doc, const char *key)
{
	json_object *res = get(doc, "results");
	char k[256];

	for (size_t i = 0; i < alen(res); i++) {
		json_object *rec = json_object_array_get_idx(res, i);

		case_key(rec, k, sizeof(k));
		if (!strcmp(k, key))
			return rec;
	}
	return NULL;
}

/* Row keys in first-seen order over all kernels. */
static unsigned collect_rows(const struct pb_matrix_col *cols, unsigned nr, char (*rows)[256])
{
	unsigned n = 0;

	for (unsigned c = 0; c < nr; c++) {
		json_object *res = get(cols[c].doc, "results");

		for (size_t i = 0; i < alen(res) && n < MAX_ROWS; i++) {
			unsigned j;

			case_key(json_object_array_get_idx(res, i), rows[n], sizeof(rows[n]));
			for (j = 0; j < n && strcmp(rows[j], rows[n]); j++)
				;
			n += j == n;
		}
	}
	return n;
}

/* An integer check: "-" when not measured (JSON null). */
static const char *fmt_int(json_object *v, char *buf, size_t len)
{
	if (!v)
		return "-";
	snprintf(buf, len, "%lld", (long long)json_object_get_int64(v));
	return buf;
}

static const char *fmt_call(json_object *v, char *buf, size_t len)
{
	if (!v)
		return "n/a";
	snprintf(buf, len, "%.2f", json_object_get_double(v));
	return buf;
}

static void counts_cell(FILE *f, json_object *rec)
{
	json_object *chk = get(rec, "checks"), *pc = get(rec, "per_call"), *di;
	char b[8][32];

	if (!rec) {
		fprintf(f, " | %-*s", COUNT_W - 3, "(no record)");
		return;
	}
	di = get(chk, "data_intact");
	/* here/remote when a participant probed too */
	if (get(chk, "stale_write") && get(chk, "stale_write_remote"))
		snprintf(b[1], 32, "%lld/%lld", (long long)json_object_get_int64(get(chk, "stale_write")),
			 (long long)json_object_get_int64(get(chk, "stale_write_remote")));
	else
		fmt_int(get(chk, "stale_write"), b[1], 32);
	fprintf(f, " | %6s %5s %4s %4s %6s %6s %6s %6s", fmt_int(get(chk, "bad_pud"), b[0], 32),
		get(chk, "stale_write") ? b[1] : "-", di ? (json_object_get_boolean(di) ? "yes" : "NO") : "-",
		fmt_int(get(chk, "kernel_warnings"), b[2], 32),
		fmt_call(get(pc, "faults"), b[3], 32), fmt_call(get(pc, "tlb_shootdowns_remote"), b[4], 32),
		fmt_call(get(pc, "tlb_remote_flush_requests"), b[5], 32),
		fmt_call(get(pc, "tlb_full_flushes"), b[6], 32));
}

static void latency_cell(FILE *f, json_object *rec)
{
	json_object *lat = get(rec, "latency_ns"), *ci = get(lat, "median_ci");
	json_object *lo = aget(ci, 0), *hi = aget(ci, 1);
	char cell[64];

	if (!rec || !get(lat, "median"))
		snprintf(cell, sizeof(cell), "%s", rec ? "n/a" : "(no record)");
	else if (lo && hi)
		snprintf(cell, sizeof(cell), "%.0f [%.0f, %.0f]", json_object_get_double(get(lat, "median")),
			 json_object_get_double(lo), json_object_get_double(hi));
	else
		snprintf(cell, sizeof(cell), "%.0f [n/a]", json_object_get_double(get(lat, "median")));
	fprintf(f, " | %*s", LAT_W - 3, cell);
}

static void header(FILE *f, const struct pb_matrix_col *cols, unsigned nr, int w)
{
	fprintf(f, "%-*s", CASE_W, "");
	for (unsigned c = 0; c < nr; c++) {
		char h[128];

		snprintf(h, sizeof(h), "%s (%s)%s", cols[c].label,
			 cols[c].accel && cols[c].accel[0] ? cols[c].accel : "?",
			 strcmp(cols[c].status, "ok") ? " FAILED" : "");
		fprintf(f, " | %-*.*s", w - 3, w - 3, h);
	}
	fputc('\n', f);
}

/* What the timings mean, from the accelerators the kernels ran under. */
static const char *accel_note(const struct pb_matrix_col *cols, unsigned nr)
{
	bool tcg = false, kvm = false;

	for (unsigned c = 0; c < nr; c++) {
		tcg |= cols[c].accel && !strcmp(cols[c].accel, "tcg");
		kvm |= cols[c].accel && !strcmp(cols[c].accel, "kvm");
	}
	if (tcg && kvm)
		return "accel: mixed tcg/kvm -- timings NOT comparable across kernels";
	if (tcg)
		return "accel: tcg -- timings emulated under TCG (compare kernels, not hardware)";
	if (kvm)
		return "accel: kvm -- timings of a virtual machine";
	return "accel: unknown";
}

void pb_matrix_table_print(FILE *f, const struct pb_matrix_col *cols, unsigned nr)
{
	static char rows[MAX_ROWS][256];
	unsigned n = collect_rows(cols, nr, rows);

	fprintf(f, "\nKernel matrix: checks and per-call counts (counts are exact under TCG too)\n");
	fprintf(f, "  badpud = \"bad pud\" log lines, stale = writes that got through after PROT_READ\n"
		   "  (calling CPU/participants' CPUs),\n"
		   "  int = data intact, kwrn = kernel WARNING/BUG lines; per call: flt = faults,\n"
		   "  rshoot = remote shootdowns, rflreq = remote flush requests, full = full flushes;\n"
		   "  - = not checked in this case, n/a = counter unavailable on that kernel\n\n");
	header(f, cols, nr, COUNT_W);
	fprintf(f, "%-*s", CASE_W, "case");
	for (unsigned c = 0; c < nr; c++)
		fprintf(f, " | %6s %5s %4s %4s %6s %6s %6s %6s", "badpud", "stale", "int", "kwrn",
			"flt", "rshoot", "rflreq", "full");
	fputc('\n', f);
	for (unsigned r = 0; r < n; r++) {
		fprintf(f, "%-*.*s", CASE_W, CASE_W, rows[r]);
		for (unsigned c = 0; c < nr; c++)
			counts_cell(f, find(cols[c].doc, rows[r]));
		fputc('\n', f);
	}
	fprintf(f, "\nKernel matrix: latency, median ns [95%% CI of the median]; %s\n\n",
		accel_note(cols, nr));
	header(f, cols, nr, LAT_W);
	for (unsigned r = 0; r < n; r++) {
		fprintf(f, "%-*.*s", CASE_W, CASE_W, rows[r]);
		for (unsigned c = 0; c < nr; c++)
			latency_cell(f, find(cols[c].doc, rows[r]));
		fputc('\n', f);
	}
	for (unsigned c = 0; c < nr; c++)
		if (strcmp(cols[c].status, "ok"))
			fprintf(f, "\n%s FAILED: %s\n", cols[c].label,
				cols[c].reason ? cols[c].reason : "(no reason)");
	if (!n)
		fprintf(f, "(no results from any kernel)\n");
}
