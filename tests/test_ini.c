/* SPDX-License-Identifier: MIT */
/*
 * pb_ini, the INI front end under the run config, the gate and the kernel
 * matrix config: its reader, error format, integers and lists.
 */
#include <limits.h>
#include <stdlib.h>

#include "pb_ini.h"
#include "tap.h"

static char path[64];

/* Write @len bytes of @text to a temp file; its path. */
static const char *file_of(const char *text, size_t len)
{
	int fd;

	strcpy(path, "/tmp/pb-ini-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		TAP_FAIL("cannot write %s", path);
	close(fd);
	return path;
}

/* What the parse passed on, one "[section]" or "section.key=value" a line. */
static char seen[4096];
#define NOTE(...) snprintf(seen + strlen(seen), sizeof(seen) - strlen(seen), __VA_ARGS__)

/* A section named "bad" is an error, any other is recorded. */
static bool record_section(struct pb_ini *ini, const char *section)
{
	NOTE("[%s]\n", section);
	if (strcmp(section, "bad"))
		return true;
	pb_ini_error(ini, section, NULL, "unknown section");
	return false;
}

/* A key named "bad" is an error, any other is recorded. */
static bool record_key(struct pb_ini *ini, const char *section, const char *key, const char *value)
{
	if (!strcmp(key, "bad")) {
		pb_ini_error(ini, section, key, "'%s' is bad", value);
		return false;
	}
	NOTE("%s.%s=%s\n", section, key, value);
	return true;
}

/* Parse @len bytes of @text with the recorder: pb_ini_parse()'s return. */
static int parse_bytes(const char *text, size_t len, char *err, size_t errlen)
{
	struct pb_ini ini = { .path = file_of(text, len), .err = err, .errlen = errlen,
			      .on_section = record_section, .on_key = record_key };
	int rc;

	seen[0] = '\0';
	rc = pb_ini_parse(&ini);
	unlink(ini.path);
	TH_INFO("rc %d, err '%s', seen:\n%s", rc, rc ? err : "", seen);
	return rc;
}

static int parse_text(const char *text, char *err, size_t errlen)
{
	return parse_bytes(text, strlen(text), err, errlen);
}

/* "PATH" + @rest: what an error message must equal. */
static const char *at_path(const char *rest)
{
	static char want[PATH_MAX + 256];

	snprintf(want, sizeof(want), "%s%s", path, rest);
	return want;
}

TEST(bom_at_the_start_is_dropped)
{
	char err[256] = "";

	ASSERT_EQ(0, parse_text("\xEF\xBB\xBF[sec]\nk = v\n", err, sizeof(err)));
	ASSERT_STREQ(seen, "[sec]\nsec.k=v\n");
	/* the same bytes on a later line are part of the key */
	ASSERT_EQ(0, parse_text("[sec]\n\xEF\xBB\xBFk = v\n", err, sizeof(err)));
	ASSERT_STREQ(seen, "[sec]\nsec.\xEF\xBB\xBFk=v\n");
}

TEST(headers_without_keys_and_indented_ones_are_seen)
{
	char err[256] = "";

	ASSERT_EQ(0, parse_text("[empty]\n[sec]\na = 1\n   b = 2\n\tc = 3 ; comment\n"
				" \v\f\r[odd]\nd = 4\n", err, sizeof(err)));
	/* indented: keys of their own, not a continuation of a's value */
	ASSERT_STREQ(seen, "[empty]\n[sec]\nsec.a=1\nsec.b=2\nsec.c=3\n[odd]\nodd.d=4\n");
}

TEST(long_line_is_an_error_naming_file_and_line)
{
	const int max = PB_INI_MAX_LINE - 2;	/* characters before the newline */
	char text[2 * PB_INI_MAX_LINE], err[256] = "", want[64];

	/* "k = vvv...": exactly @max characters fit */
	snprintf(text, sizeof(text), "[sec]\nk = %0*d\nlast = 1\n", max - 4, 0);
	ASSERT_EQ(0, parse_text(text, err, sizeof(err)));
	ASSERT_SUBSTR(seen, "last=1");
	/* one more is an error, not a key "k" and a second line of the rest */
	snprintf(text, sizeof(text), "[sec]\nk = %0*d\nlast = 1\n", max - 3, 0);
	ASSERT_EQ(-1, parse_text(text, err, sizeof(err)));
	snprintf(want, sizeof(want), ":2: line longer than %d characters", max);
	ASSERT_STREQ(err, at_path(want));
	ASSERT_STREQ(seen, "[sec]\n");
	/* a full buffer on the last line, with no newline, is the whole line */
	snprintf(text, sizeof(text), "[sec]\nk = %0*d", max - 3, 0);
	ASSERT_EQ(0, parse_text(text, err, sizeof(err)));
}

TEST(error_format_names_file_line_section_and_key)
{
	struct pb_ini ini = { .path = "f.conf", .line = 7 };
	char err[128];

	ini.err = err;
	ini.errlen = sizeof(err);
	pb_ini_error(&ini, "run", "iterations", "'%s' is not an integer", "x");
	ASSERT_STREQ(err, "f.conf:7: key 'iterations' in [run]: 'x' is not an integer");
	ASSERT_TRUE(ini.failed);
	/* the first error is kept */
	pb_ini_error(&ini, "run", NULL, "later");
	ASSERT_STREQ(err, "f.conf:7: key 'iterations' in [run]: 'x' is not an integer");

	ini.failed = false;
	pb_ini_error(&ini, "runn", NULL, "unknown section");
	ASSERT_STREQ(err, "f.conf:7: section [runn]: unknown section");
	ini.failed = false;
	pb_ini_error(&ini, NULL, NULL, "line longer than %d characters", 198);
	ASSERT_STREQ(err, "f.conf:7: line longer than 198 characters");
	ini.failed = false;
	pb_ini_error_at(&ini, 3, "latency", NULL, "max_regression_pct is required");
	ASSERT_STREQ(err, "f.conf:3: section [latency]: max_regression_pct is required");
	ini.failed = false;
	pb_ini_error_at(&ini, 0, NULL, NULL, "no rules");
	ASSERT_STREQ(err, "f.conf: no rules");
	pb_ini_error_at(&ini, 2, NULL, NULL, "later");
	ASSERT_STREQ(err, "f.conf: no rules");
	ini.failed = false;
	pb_ini_error(&ini, "", "k", "no [section] before it");
	ASSERT_STREQ(err, "f.conf:7: key 'k' in []: no [section] before it");
}

TEST(error_is_truncated_not_overrun)
{
	char err[16];
	struct pb_ini ini = { .path = "file.conf", .line = 12, .err = err };

	/* cut inside the FILE:LINE part, then inside the key part */
	for (size_t len = 1; len <= 15; len++) {
		memset(err, 'x', sizeof(err));
		ini.errlen = len;
		ini.failed = false;
		pb_ini_error(&ini, "sec", "key", "what");
		ASSERT_EQ(len - 1, strlen(err));
		ASSERT_EQ(0, strncmp(err, "file.conf:12: key 'key'", len - 1));
		if (len < sizeof(err))
			ASSERT_EQ('x', err[len]);
	}
	ini.err = NULL;
	ini.errlen = 0;
	ini.failed = false;
	pb_ini_error(&ini, "sec", "key", "what");
	ASSERT_TRUE(ini.failed);
}

TEST(first_error_wins_and_stops_the_parse)
{
	char err[256] = "";

	ASSERT_EQ(-1, parse_text("[sec]\nbad = 1\nbad = 2\nk = v\n", err, sizeof(err)));
	ASSERT_STREQ(err, at_path(":2: key 'bad' in [sec]: '1' is bad"));
	ASSERT_STREQ(seen, "[sec]\n");
	ASSERT_EQ(-1, parse_text("[sec]\n[bad]\nk = v\n", err, sizeof(err)));
	ASSERT_STREQ(err, at_path(":2: section [bad]: unknown section"));
	ASSERT_STREQ(seen, "[sec]\n[bad]\n");
	/* inih's own error: on an earlier line it wins, on a later one ours does */
	ASSERT_EQ(-1, parse_text("[sec]\nno equals sign\nbad = 1\n", err, sizeof(err)));
	ASSERT_STREQ(err, at_path(":2: syntax error: expected '[section]' or 'key = value'"));
	ASSERT_EQ(-1, parse_text("[sec]\nbad = 1\nno equals sign\n", err, sizeof(err)));
	ASSERT_STREQ(err, at_path(":2: key 'bad' in [sec]: '1' is bad"));
}

TEST(missing_file_names_the_file)
{
	char err[256] = "", want[PATH_MAX];
	struct pb_ini ini = { .path = "/nonexistent/x.conf", .err = err, .errlen = sizeof(err),
			      .on_key = record_key };

	ASSERT_EQ(-1, pb_ini_parse(&ini));
	snprintf(want, sizeof(want), "/nonexistent/x.conf: cannot open: %s", strerror(ENOENT));
	ASSERT_STREQ(err, want);
}

TEST(integers_are_digits_in_range)
{
	static const char *const bad[] = { "", "-1", "+7", " 7", "7 ", "0x10", "12x", "9",
					   "100001", "99999999999999999999999999" };
	unsigned long v = 42;
	char what[128];

	ASSERT_TRUE(pb_ini_parse_ulong("10", 10, 100000, &v, what, sizeof(what)));
	ASSERT_EQ(10, v);
	ASSERT_TRUE(pb_ini_parse_ulong("0100000", 10, 100000, &v, what, sizeof(what)));
	ASSERT_EQ(100000, v);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[160];

		v = 42;
		ASSERT_FALSE(pb_ini_parse_ulong(bad[i], 10, 100000, &v, what, sizeof(what)));
		ASSERT_EQ(42, v);
		snprintf(want, sizeof(want), "'%s' is not an integer in 10..100000", bad[i]);
		ASSERT_STREQ(what, want);
	}
}

/* List entries for the tests: up to 7 characters, "x" refused. */
static bool parse_word(const char *entry, void *slot, const void *ctx, char *what, size_t wlen)
{
	ASSERT_STREQ(ctx, "ctx");
	if (!strcmp(entry, "x") || strlen(entry) >= 8) {
		snprintf(what, wlen, "'%s' refused", entry);
		return false;
	}
	strcpy(slot, entry);
	return true;
}

TEST(lists_split_on_commas_and_refuse_duplicates)
{
	static const struct {
		const char *value;
		int n;			/* entries, or -1 */
		const char *what;	/* on error */
	} cases[] = {
		{ "a", 1, NULL },
		{ " a ,b,\tc\t", 3, NULL },
		{ "a b, c", 2, NULL },	/* blanks inside an entry are its own */
		{ "", -1, "empty list" },
		{ "a,,b", -1, "empty entry in list 'a,,b'" },
		{ "a, ", -1, "empty entry in list 'a, '" },
		{ ",a", -1, "empty entry in list ',a'" },
		{ "a, b, a", -1, "duplicate entry 'a'" },
		{ "a,b,c,d", -1, "more than 3 entries" },
		{ "a, x", -1, "'x' refused" },
	};
	char items[3][8], what[128];
	unsigned nr = 99;
	const struct pb_ini_list list = {
		.items = items, .size = sizeof(items[0]), .cap = 3, .nr = &nr,
		.parse_item = parse_word, .ctx = "ctx",
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TH_INFO("'%s'", cases[i].value);
		what[0] = '\0';
		ASSERT_EQ(cases[i].n, pb_ini_parse_list(cases[i].value, &list, what, sizeof(what)));
		if (cases[i].what)
			ASSERT_STREQ(what, cases[i].what);
	}
	ASSERT_EQ(2, pb_ini_parse_list("a b, c", &list, what, sizeof(what)));
	ASSERT_EQ(2, nr);	/* stored on success ... */
	ASSERT_STREQ(items[0], "a b");
	ASSERT_STREQ(items[1], "c");
	/* slots are zeroed: "b" over longer entries left in its slots is still a duplicate */
	ASSERT_EQ(3, pb_ini_parse_list("a, abcdefg, abcdef", &list, what, sizeof(what)));
	ASSERT_EQ(-1, pb_ini_parse_list("a, b, b", &list, what, sizeof(what)));
	ASSERT_STREQ(what, "duplicate entry 'b'");
	ASSERT_EQ(3, nr);	/* ... and left alone on an error */
}

int main(int argc, char **argv)
{
	return tap_main();
}
