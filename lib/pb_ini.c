/* SPDX-License-Identifier: MIT */
/* The one INI front end: see pb_ini.h. */
#include "pb_ini.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <string.h>

/* The next write position after snprintf() returned @n at @pos: never past the end. */
static size_t advance(size_t pos, int n, size_t len)
{
	return n < 0 || pos + (size_t)n >= len ? len - 1 : pos + (size_t)n;
}

/* Write "FILE[:LINE]: [key 'K' in [S]: | section [S]: ]WHAT" whatever @err held. */
static void format_error(struct pb_ini *ini, int line, const char *section, const char *key,
			 const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
static void format_error(struct pb_ini *ini, int line, const char *section, const char *key,
			 const char *fmt, va_list ap)
{
	char *err = ini->err;
	size_t len = ini->errlen, pos;

	ini->failed = true;
	if (!err || !len)
		return;
	if (line > 0)
		pos = advance(0, snprintf(err, len, "%s:%d: ", ini->path, line), len);
	else
		pos = advance(0, snprintf(err, len, "%s: ", ini->path), len);
	if (key)
		pos = advance(pos, snprintf(err + pos, len - pos, "key '%s' in [%s]: ", key,
					    section ? section : ""), len);
	else if (section)
		pos = advance(pos, snprintf(err + pos, len - pos, "section [%s]: ", section), len);
	vsnprintf(err + pos, len - pos, fmt, ap);
}

static void overwrite_error(struct pb_ini *ini, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void overwrite_error(struct pb_ini *ini, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	format_error(ini, line, NULL, NULL, fmt, ap);
	va_end(ap);
}

void pb_ini_error_at(struct pb_ini *ini, int line, const char *section, const char *key,
		     const char *fmt, ...)
{
	va_list ap;

	if (ini->failed)
		return;		/* the first error is the one to fix */
	va_start(ap, fmt);
	format_error(ini, line, section, key, fmt, ap);
	va_end(ap);
}

void pb_ini_error(struct pb_ini *ini, const char *section, const char *key, const char *fmt, ...)
{
	va_list ap;

	if (ini->failed)
		return;
	va_start(ap, fmt);
	format_error(ini, ini->line, section, key, fmt, ap);
	va_end(ap);
}

/*
 * fgets() for ini_parse_stream() that counts lines, so that errors carry
 * their own line (inih keeps parsing after an error, so its return value
 * alone cannot say whose error it was); the rest is listed in pb_ini.h.
 */
static char *read_line(char *str, int num, void *user)
{
	struct pb_ini *ini = user;
	size_t len, skip = 0;
	char *end;
	bool ok;

	if (ini->failed || !fgets(str, num, ini->fp))
		return NULL;
	ini->line++;
	len = strlen(str);
	/* a full buffer without its newline: inih would parse the rest as a line of its own */
	if (len == (size_t)num - 1 && str[len - 1] != '\n' && getc(ini->fp) != EOF) {
		pb_ini_error(ini, NULL, NULL, "line longer than %d characters", num - 2);
		return NULL;
	}
	/*
	 * All that inih takes off the front itself: a UTF-8 BOM on line 1,
	 * then white space (lskip()).  inih does it again on what we hand
	 * over, so a second BOM on line 1 is taken too: else "\v[kernel:x]"
	 * or BOM BOM "[kernel:x]" would be a header to inih only.
	 */
	for (int bom = 0; bom < (ini->line == 1 ? 2 : 0); bom++) {
		if (strncmp(str + skip, "\xEF\xBB\xBF", 3))
			break;
		skip += 3;
		while (isspace((unsigned char)str[skip]))
			skip++;
	}
	while (isspace((unsigned char)str[skip]))
		skip++;
	memmove(str, str + skip, len - skip + 1);
	if (str[0] != '[' || !(end = strchr(str, ']')) || !ini->on_section)
		return str;
	*end = '\0';
	snprintf(ini->section, sizeof(ini->section), "%s", str + 1);
	ok = ini->on_section(ini, str + 1);
	*end = ']';
	return ok ? str : NULL;
}

/* inih's name of the current section against ours; inih cuts names at 49 characters. */
static bool same_section(const char *theirs, const char *ours)
{
	size_t n = strlen(theirs);

	return !strncmp(theirs, ours, n) && (ours[n] == '\0' || n >= 49);
}

static int key_handler(void *user, const char *section, const char *key, const char *value)
{
	struct pb_ini *ini = user;

	/* a header inih saw and we did not (or the reverse): refuse, never guess */
	if (!same_section(section, ini->section)) {
		pb_ini_error(ini, section, key, "section header not understood (odd bytes before it?)");
		return 0;
	}
	return ini->on_key(ini, section, key, value);
}

int pb_ini_parse(struct pb_ini *ini)
{
	int rc;

	ini->line = 0;
	ini->failed = false;
	ini->section[0] = '\0';
	ini->fp = fopen(ini->path, "r");
	if (!ini->fp) {
		pb_ini_error_at(ini, 0, NULL, NULL, "cannot open: %s", strerror(errno));
		return -1;
	}
	rc = ini_parse_stream(read_line, ini, key_handler, ini);
	/*
	 * The reader stops at our first error, so ini->line is its line; inih
	 * reports the first line it could not parse, or the handler's line.
	 */
	if (ferror(ini->fp))
		overwrite_error(ini, 0, "read error");
	else if (rc > 0 && (!ini->failed || rc < ini->line))
		overwrite_error(ini, rc, "syntax error: expected '[section]' or 'key = value'");
	else if (rc < 0)
		overwrite_error(ini, 0, "out of memory");
	fclose(ini->fp);
	ini->fp = NULL;
	return ini->failed ? -1 : 0;
}

bool pb_ini_parse_ulong(const char *s, unsigned long min, unsigned long max,
			unsigned long *out, char *what, size_t wlen)
{
	unsigned long v = 0;
	const char *p;

	/* by hand: strtoul() would take "-1" (wrapping), " 7" and "+7" */
	for (p = s; *p >= '0' && *p <= '9' && v <= max; p++)
		v = v * 10 + (unsigned long)(*p - '0');	/* v <= max keeps it from overflowing */
	if (p == s || *p || v < min || v > max) {
		snprintf(what, wlen, "'%s' is not an integer in %lu..%lu", s, min, max);
		return false;
	}
	*out = v;
	return true;
}

int pb_ini_parse_list(const char *value, const struct pb_ini_list *list, char *what, size_t wlen)
{
	char buf[PB_INI_MAX_LINE], *entry, *next, *items = list->items;
	size_t n = 0;

	if (!*value || strlen(value) >= sizeof(buf)) {
		snprintf(what, wlen, *value ? "value too long" : "empty list");
		return -1;
	}
	strcpy(buf, value);
	memset(items, 0, list->size * list->cap);
	/* strtok_r() would merge ",," silently: split by hand to reject it */
	for (entry = buf; entry; entry = next) {
		char *slot = items + n * list->size, *end;

		next = strchr(entry, ',');
		if (next)
			*next++ = '\0';
		entry += strspn(entry, " \t");
		for (end = entry + strlen(entry); end > entry && (end[-1] == ' ' || end[-1] == '\t');)
			*--end = '\0';
		if (!*entry) {
			snprintf(what, wlen, "empty entry in list '%s'", value);
			return -1;
		}
		if (n == list->cap) {
			snprintf(what, wlen, "more than %zu entries", list->cap);
			return -1;
		}
		if (!list->parse_item(entry, slot, list->ctx, what, wlen))
			return -1;
		for (size_t i = 0; i < n; i++)
			if (!memcmp(items + i * list->size, slot, list->size)) {
				snprintf(what, wlen, "duplicate entry '%s'", entry);
				return -1;
			}
		n++;
	}
	if (list->nr)
		*list->nr = (unsigned)n;
	return (int)n;
}
