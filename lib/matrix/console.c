// SPDX-License-Identifier: MIT
#include "console.h"

#include <stdio.h>
#include <string.h>

#include "kmsg.h"

bool pb_console_first_oops(const char *console, char *out, size_t len)
{
	static const char *const starts[] = { "Oops: ", "BUG: ", "general protection fault",
					      "Kernel panic" };
	const char *first = NULL, *rip;
	size_t n;

	if (!len)
		return false;
	out[0] = '\0';
	for (size_t i = 0; console && i < sizeof(starts) / sizeof(*starts); i++) {
		const char *p = strstr(console, starts[i]);

		if (p && (!first || p < first))
			first = p;
	}
	if (!first)
		return false;
	n = strcspn(first, "\r\n");
	snprintf(out, len, "%.*s", (int)(n > 120 ? 120 : n), first);
	/* this oops's RIP: a few lines below its first (CPU, hardware name, RIP) */
	rip = strstr(first, "RIP: 0010:");
	if (rip && rip - first < 1000) {
		size_t used = strlen(out);

		rip += strlen("RIP: 0010:");
		n = strcspn(rip, " \r\n");
		snprintf(out + used, len - used, " at %.*s", (int)(n > 80 ? 80 : n), rip);
	}
	return true;
}

/* Lines after a WARNING/BUG that may still be its report (registers, trace) */
#define REPORT_LINES 64

bool pb_console_function(const char *line, char *fn, size_t len)
{
	static const char sym[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.";

	if (!len)
		return false;
	fn[0] = '\0';
	for (const char *plus = strstr(line, "+0x"); plus; plus = strstr(plus + 1, "+0x")) {
		const char *start = plus, *hex = plus + 3;
		size_t off = strspn(hex, "0123456789abcdef");

		while (start > line && start[-1] && strchr(sym, start[-1]))
			start--;
		/* "func+0x2c/0x102": a symbol starts after a blank or "RIP: 0010:" */
		if (start == plus || !off || strncmp(hex + off, "/0x", 3) ||
		    (start > line && start[-1] != ' ' && start[-1] != ':'))
			continue;
		snprintf(fn, len, "%.*s", (int)(plus - start), start);
		return true;
	}
	return false;
}

/* The next line of @p into @buf (without "[   5.769025] "); NULL at the end. */
static const char *next_line(const char *p, char *buf, size_t len)
{
	size_t n;

	if (!p || !*p)
		return NULL;
	n = strcspn(p, "\n");
	snprintf(buf, len, "%.*s", (int)(n < len ? n : len - 1), p);
	if (buf[0] == '[' && strchr(buf, ']') && strchr(buf, ']') - buf < 24) {
		char *text = strchr(buf, ']') + 1;

		text += *text == ' ';
		memmove(buf, text, strlen(text) + 1);
	}
	return p[n] ? p + n + 1 : p + n;
}

/* The function of the WARNING/BUG line @line whose report follows at @rest. */
static void warning_function(const char *line, const char *rest, char *fn, size_t len)
{
	char buf[512];

	if (pb_console_function(line, fn, len))
		return;
	for (int i = 0; i < REPORT_LINES && (rest = next_line(rest, buf, sizeof(buf))); i++) {
		if (pb_kmsg_is_warning(buf))
			return;	/* the next report: this one named no RIP */
		if (!strncmp(buf, "RIP: ", 5)) {
			pb_console_function(buf, fn, len);
			return;
		}
	}
}

bool pb_console_warnings(const char *log, const char *until, struct pb_console_warnings *w)
{
	const char *p = log;
	char buf[512];

	memset(w, 0, sizeof(*w));
	while ((p = next_line(p, buf, sizeof(buf)))) {
		if (until && !strncmp(buf, until, strlen(until)))
			return true;
		if (!pb_kmsg_is_warning(buf))
			continue;
		if (!w->count++) {
			snprintf(w->first, sizeof(w->first), "%.*s", (int)sizeof(w->first) - 1, buf);
			warning_function(buf, p, w->function, sizeof(w->function));
		}
	}
	return !until;
}

bool pb_console_same_function(const char *got, const char *fn)
{
	size_t n = strlen(fn);

	return n && !strncmp(got, fn, n) && (!got[n] || got[n] == '.');
}

bool pb_console_warned_in(const char *log, const char *fn, char *line, size_t len)
{
	const char *p = log;
	char buf[512], got[96];

	while ((p = next_line(p, buf, sizeof(buf)))) {
		if (!pb_kmsg_is_warning(buf))
			continue;
		warning_function(buf, p, got, sizeof(got));
		if (pb_console_same_function(got, fn)) {
			if (len)
				snprintf(line, len, "%.*s", (int)len - 1, buf);
			return true;
		}
	}
	if (len)
		line[0] = '\0';
	return false;
}
