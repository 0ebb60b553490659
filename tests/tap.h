/* SPDX-License-Identifier: MIT */
/*
 * Minimal test harness in the spirit of kselftest_harness.h: each TEST()
 * runs in its own forked child (a crash fails one test, not the file), the
 * output is TAP 13, and a test that cannot run on this machine says why with
 * SKIP("reason") instead of passing silently.
 *
 *   TEST(parses_empty_file) { ASSERT_EQ(0, parse("")); }
 *   int main(void) { return tap_main(); }
 *
 * Exit status: 0 all ran tests passed, 1 a test failed, 4 every test
 * skipped (ctest: SKIP_RETURN_CODE 4, as kselftest's KSFT_SKIP).
 */
#ifndef PUDBENCH_TESTS_TAP_H
#define PUDBENCH_TESTS_TAP_H

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define TAP_MAX_TESTS 128
#define TAP_EXIT_SKIP 4
#define TAP_EXIT_FAIL 1

struct tap_test {
	const char *name;
	void (*fn)(void);
	unsigned timeout_s;
};

static struct tap_test tap_tests[TAP_MAX_TESTS];
static int tap_nr_tests;

static inline void tap_register(const char *name, void (*fn)(void), unsigned timeout_s)
{
	if (tap_nr_tests == TAP_MAX_TESTS) {
		fprintf(stderr, "tap.h: more than %d tests\n", TAP_MAX_TESTS);
		abort();
	}
	tap_tests[tap_nr_tests++] = (struct tap_test){ name, fn, timeout_s };
}

#define TEST_TIMEOUT(name, secs)                                                \
	static void test_##name(void);                                          \
	__attribute__((constructor)) static void tap_reg_##name(void)           \
	{                                                                       \
		tap_register(#name, test_##name, secs);                         \
	}                                                                       \
	static void test_##name(void)

#define TEST(name) TEST_TIMEOUT(name, 120)

/* Called inside the forked child: report through the exit status. */
#define SKIP(...)                                                               \
	do {                                                                    \
		printf("# SKIP reason: ");                                      \
		printf(__VA_ARGS__);                                            \
		printf("\n");                                                   \
		fflush(stdout);                                                 \
		_exit(TAP_EXIT_SKIP);                                           \
	} while (0)

#define TAP_FAIL(...)                                                           \
	do {                                                                    \
		printf("# %s:%d: ", __FILE__, __LINE__);                        \
		printf(__VA_ARGS__);                                            \
		printf("\n");                                                   \
		fflush(stdout);                                                 \
		_exit(TAP_EXIT_FAIL);                                           \
	} while (0)

/* Fail with a message of its own when @cond does not hold. */
#define EXPECT(cond, ...)                                                       \
	do {                                                                    \
		if (!(cond))                                                    \
			TAP_FAIL(__VA_ARGS__);                                  \
	} while (0)

#define TH_INFO(...)                                                            \
	do {                                                                    \
		printf("# ");                                                   \
		printf(__VA_ARGS__);                                            \
		printf("\n");                                                   \
		fflush(stdout);                                                 \
	} while (0)

#define ASSERT_TRUE(cond)                                                       \
	do {                                                                    \
		if (!(cond))                                                    \
			TAP_FAIL("expected true: %s", #cond);                   \
	} while (0)
#define ASSERT_FALSE(cond) ASSERT_TRUE(!(cond))

/* 1 for an integer (or pointer) operand, 0 for a floating one */
#define TAP_IS_INTEGER(x) _Generic((x), float: 0, double: 0, long double: 0, default: 1)

/*
 * Integers only: a double cast to long long passes 0.4 == 0, so a floating
 * operand does not compile; compare those with ASSERT_NEAR.
 */
#define TAP_CMP_INT(a, op, b)                                                   \
	do {                                                                    \
		_Static_assert(TAP_IS_INTEGER(a) && TAP_IS_INTEGER(b),          \
			       "ASSERT_EQ/NE/GT/GE/LT/LE on a floating value: "  \
			       "use ASSERT_NEAR or ASSERT_TRUE");               \
		long long tap_a_ = (long long)(a), tap_b_ = (long long)(b);     \
		if (!(tap_a_ op tap_b_))                                        \
			TAP_FAIL("expected %s %s %s, got %lld vs %lld", #a, #op, \
				 #b, tap_a_, tap_b_);                           \
	} while (0)
#define ASSERT_EQ(a, b) TAP_CMP_INT(a, ==, b)
#define ASSERT_NE(a, b) TAP_CMP_INT(a, !=, b)
#define ASSERT_GT(a, b) TAP_CMP_INT(a, >, b)
#define ASSERT_GE(a, b) TAP_CMP_INT(a, >=, b)
#define ASSERT_LT(a, b) TAP_CMP_INT(a, <, b)
#define ASSERT_LE(a, b) TAP_CMP_INT(a, <=, b)

/* Doubles: |a - b| <= tol; a NaN on either side fails. */
#define ASSERT_NEAR(a, b, tol)                                                  \
	do {                                                                    \
		double tap_a_ = (a), tap_b_ = (b);                              \
		if (!(tap_a_ - tap_b_ <= (tol) && tap_b_ - tap_a_ <= (tol)))    \
			TAP_FAIL("expected %s ~= %s (±%g), got %.9g vs %.9g",   \
				 #a, #b, (double)(tol), tap_a_, tap_b_);        \
	} while (0)

#define ASSERT_STREQ(a, b)                                                      \
	do {                                                                    \
		const char *tap_a_ = (a), *tap_b_ = (b);                        \
		if (!tap_a_ || !tap_b_ || strcmp(tap_a_, tap_b_))               \
			TAP_FAIL("expected %s == %s, got \"%s\" vs \"%s\"", #a, \
				 #b, tap_a_ ? tap_a_ : "(null)",                \
				 tap_b_ ? tap_b_ : "(null)");                   \
	} while (0)

#define ASSERT_SUBSTR(haystack, needle)                                         \
	do {                                                                    \
		const char *tap_h_ = (haystack), *tap_n_ = (needle);            \
		if (!tap_n_ || !tap_n_[0]) /* "" is in every string */         \
			TAP_FAIL("ASSERT_SUBSTR(%s, %s): empty needle",         \
				 #haystack, #needle);                           \
		if (!tap_h_ || !strstr(tap_h_, tap_n_))                         \
			TAP_FAIL("expected \"%s\" in %s, got \"%s\"", tap_n_,   \
				 #haystack, tap_h_ ? tap_h_ : "(null)");        \
	} while (0)

static inline int tap_run_one(const struct tap_test *t)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		printf("# fork: %s\n", strerror(errno));
		return TAP_EXIT_FAIL;
	}
	if (pid == 0) {
		alarm(t->timeout_s);
		t->fn();
		fflush(stdout);
		_exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return TAP_EXIT_FAIL;
	if (WIFSIGNALED(status)) {
		printf("# killed by signal %d (%s)%s\n", WTERMSIG(status),
		       strsignal(WTERMSIG(status)),
		       WTERMSIG(status) == SIGALRM ? ": timeout" : "");
		return TAP_EXIT_FAIL;
	}
	return WEXITSTATUS(status);
}

/* Optional argv[1]: run only the tests whose name contains it. */
static inline int tap_main_args(int argc, char **argv)
{
	int passed = 0, failed = 0, skipped = 0, selected = 0;
	const char *filter = argc > 1 ? argv[1] : NULL;

	for (int i = 0; i < tap_nr_tests; i++)
		if (!filter || strstr(tap_tests[i].name, filter))
			selected++;
	printf("TAP version 13\n1..%d\n", selected);
	for (int i = 0, n = 0; i < tap_nr_tests; i++) {
		const struct tap_test *t = &tap_tests[i];
		int rc;

		if (filter && !strstr(t->name, filter))
			continue;
		n++;
		printf("# RUN %s\n", t->name);
		rc = tap_run_one(t);
		if (rc == 0) {
			printf("ok %d %s\n", n, t->name);
			passed++;
		} else if (rc == TAP_EXIT_SKIP) {
			printf("ok %d %s # SKIP\n", n, t->name);
			skipped++;
		} else {
			printf("not ok %d %s\n", n, t->name);
			failed++;
		}
	}
	printf("# %d passed, %d failed, %d skipped\n", passed, failed, skipped);
	if (failed)
		return TAP_EXIT_FAIL;
	if (skipped && !passed)
		return TAP_EXIT_SKIP;
	return 0;
}

#define tap_main() tap_main_args(argc, argv)

#endif
