/* SPDX-License-Identifier: MIT */
/*
 * The one INI front end under the run config, the gate rules and the kernel
 * matrix config: libinih with our own line reader, one FILE:LINE error
 * format and the shared value parsers.  Each parser keeps its own keys.
 *
 * The reader, the same for every file:
 *  - a UTF-8 BOM at the start of the file is dropped;
 *  - a line longer than PB_INI_MAX_LINE - 2 characters is an error
 *    ("FILE:LINE: line longer than N characters"), not split in two;
 *  - leading white space is dropped: an indented "key = value" is a key,
 *    not a continuation of the previous value;
 *  - every [section] header reaches ->on_section, keys or not (inih reports
 *    sections only through their keys);
 *  - parsing stops at the first error: later ones are often consequences.
 *
 * Errors, all one line:
 *   FILE:LINE: key 'K' in [SECTION]: WHAT
 *   FILE:LINE: section [SECTION]: WHAT
 *   FILE:LINE: WHAT
 *   FILE: WHAT                  (no line: cannot open, nothing to run, ...)
 */
#ifndef PUDBENCH_PB_INI_H
#define PUDBENCH_PB_INI_H

/* Not lib/ini.h: lib/ is on every include path and would hide libinih's. */
#include <ini.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* libinih's line buffer: newline and NUL included. */
#define PB_INI_MAX_LINE INI_MAX_LINE

struct pb_ini {
	/* set by the caller */
	const char *path;
	char *err;			/* may be NULL */
	size_t errlen;
	void *user;			/* the parser's own state */
	/* Every [section] header; false (after pb_ini_error()) stops the parse. */
	bool (*on_section)(struct pb_ini *ini, const char *section);
	/* Every key = value; false (after pb_ini_error()) stops the parse. */
	bool (*on_key)(struct pb_ini *ini, const char *section, const char *key,
		       const char *value);

	/* kept by pb_ini_parse() */
	FILE *fp;
	int line;			/* the line being parsed */
	char section[PB_INI_MAX_LINE];	/* the last header we passed to on_section */
	bool failed;			/* @err holds the first error */
};

/* Open and parse ini->path: 0, or -1 with the first error in ini->err. */
int pb_ini_parse(struct pb_ini *ini);

/*
 * Record an error on the current line (the first one only): @key and
 * @section (either may be NULL) name what it is about.
 */
void pb_ini_error(struct pb_ini *ini, const char *section, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The same for line @line (0: the file as a whole), e.g. after the parse. */
void pb_ini_error_at(struct pb_ini *ini, int line, const char *section, const char *key,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Digits only (no sign, blank or base prefix), @min..@max; else false with
 * "'S' is not an integer in MIN..MAX" in @what.
 */
bool pb_ini_parse_ulong(const char *s, unsigned long min, unsigned long max,
			unsigned long *out, char *what, size_t wlen);

/*
 * A comma list "a, b, c" into @items, an array of @cap slots of @size
 * bytes: blanks around entries are dropped; an empty list or entry, more
 * than @cap entries and two entries that parse to the same bytes are
 * errors.  @parse_item stores one entry into its slot, or returns false
 * with its own message in @what.  The slots are zeroed first, so that
 * padding compares equal.  Returns the number of entries, or -1 with @what;
 * on success the number is also stored in *@nr when @nr is set.
 */
struct pb_ini_list {
	void *items;
	size_t size, cap;
	unsigned *nr;
	bool (*parse_item)(const char *entry, void *slot, const void *ctx, char *what, size_t wlen);
	const void *ctx;
};
int pb_ini_parse_list(const char *value, const struct pb_ini_list *list, char *what, size_t wlen);

#endif
