// SPDX-License-Identifier: MIT
#define _XOPEN_SOURCE 700
#define _GNU_SOURCE
/*
 * As an unprivileged user (nobody) the suite runs what it can.  Every
 * counter, check or backend it cannot use is listed with a reason, and
 * nothing it did not measure is reported as a number.
 */
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <json-c/json.h>
#include <pwd.h>
#include <sys/stat.h>

#include "tap.h"
#include "record.h"

static json_object *doc;
static int run_status = -1;
static char setup_skip[256];	/* why nobody could not be given the binary */

static void need_run(void)
{
	if (geteuid() != 0)
		SKIP("needs root to switch to the user nobody");
	if (setup_skip[0])
		SKIP("%s", setup_skip);
	ASSERT_EQ(run_status, 0);
	ASSERT_TRUE(doc != NULL);
}

TEST(runs_and_measures_what_it_can)
{
	json_object *recs;

	need_run();
	recs = pb_jget(doc, "results");
	ASSERT_GT(json_object_array_length(recs), 0);
	ASSERT_TRUE(json_object_get_boolean(pb_jget(pb_jget(pb_jget(doc, "backends"), "thp-2M"), "available")));
}

/* A backend is either usable or says why not: never silently missing. */
TEST(backends_say_why_not)
{
	need_run();
	json_object_object_foreach(pb_jget(doc, "backends"), name, b) {
		if (json_object_get_boolean(pb_jget(b, "available")))
			continue;
		TH_INFO("%s unavailable: %s", name, json_object_get_string(pb_jget(b, "reason")));
		ASSERT_TRUE(pb_jget(b, "reason") && json_object_get_string_len(pb_jget(b, "reason")) > 0);
	}
}

/* null <=> listed in "unavailable" with a reason; never a made-up 0. */
TEST(unmeasured_counters_are_null_with_a_reason)
{
	json_object *recs;
	int nulls = 0;

	need_run();
	recs = pb_jget(doc, "results");
	for (size_t i = 0; i < json_object_array_length(recs); i++) {
		json_object *r = json_object_array_get_idx(recs, i), *unavail = pb_jget(r, "unavailable");

		json_object_object_foreach(pb_jget(r, "counters"), name, val) {
			json_object *why = pb_jget(unavail, name);

			if (!val) {
				ASSERT_TRUE(why && json_object_get_string_len(why) > 0);
				nulls++;
			} else if (why) {
				TAP_FAIL("%s has a value and a reason to be unavailable", name);
			}
		}
		/* tracefs is root-only by default: the TLB counts cannot be taken */
		if (!pb_jget(pb_jget(r, "counters"), "tlb_remote_shootdown"))
			ASSERT_TRUE(pb_jget(pb_jget(r, "per_sample"), "tlb_shootdowns_remote") == NULL);
	}
	ASSERT_GT(nulls, 0);
}

TEST(kernel_log_check_is_null_without_access)
{
	json_object *recs;

	need_run();
	recs = pb_jget(doc, "results");
	for (size_t i = 0; i < json_object_array_length(recs); i++) {
		json_object *c = pb_jget(json_object_array_get_idx(recs, i), "checks");

		if (pb_jget(c, "bad_pud"))
			continue;	/* dmesg_restrict=0: readable, so measured */
		ASSERT_TRUE(pb_jget(c, "kernel_log_unavailable") != NULL);
		ASSERT_TRUE(pb_jget(c, "kernel_warnings") == NULL);
	}
}

/* Copy @from to @to with @mode; 0 or -1 with errno. */
static int copy_file(const char *from, const char *to, mode_t mode)
{
	int in = open(from, O_RDONLY | O_CLOEXEC), out, err = 0;
	char buf[1 << 16];
	ssize_t n;

	if (in < 0)
		return -1;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		err = errno;
		close(in);
		errno = err;
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n) {
			n = -1;
			break;
		}
	err = n < 0 ? errno : 0;
	close(in);
	if (fchmod(out, mode) && !err)
		err = errno;
	close(out);
	errno = err;
	return err ? -1 : 0;
}

/*
 * The checkout may sit where nobody cannot go (a clone under /root, or a
 * mktemp -d): run copies of the binary and its config from a directory
 * that nobody can read.
 */
static int give_to_nobody(const char *dir, char *bin, char *conf, size_t len)
{
	snprintf(bin, len, "%s/pudbench-bin", dir);
	snprintf(conf, len, "%s/unprivileged.conf", dir);
	if (copy_file(PB_BIN, bin, 0755) || copy_file(PB_TEST_DATA_DIR "/unprivileged.conf", conf, 0644)) {
		snprintf(setup_skip, sizeof(setup_skip), "cannot copy the binary and its config to %s: %s",
			 dir, strerror(errno));
		return -1;
	}
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(int argc, char **argv)
{
	char tmpl[] = "/tmp/pudbench-test-nobody-XXXXXX", out[300], path[320];
	char bin[320], conf[320];
	struct passwd *pw = getpwnam("nobody");
	char *dir = mkdtemp(tmpl);
	pid_t pid;
	int st;

	if (geteuid() == 0 && !pw)
		snprintf(setup_skip, sizeof(setup_skip), "no user nobody on this machine");
	else if (geteuid() == 0 && !dir)
		snprintf(setup_skip, sizeof(setup_skip), "mkdtemp in /tmp: %s", strerror(errno));
	if (geteuid() == 0 && pw && dir && chmod(dir, 0777) == 0 &&
	    give_to_nobody(dir, bin, conf, sizeof(bin)) == 0) {
		snprintf(out, sizeof(out), "%s/out", dir);
		pid = fork();
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);

			dup2(null, 1);
			if (setgroups(0, NULL) || setgid(pw->pw_gid) || setuid(pw->pw_uid))
				_exit(126);
			execl(bin, bin, "run", "--config", conf, "--out", out, (char *)NULL);
			_exit(127);
		}
		waitpid(pid, &st, 0);
		run_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		snprintf(path, sizeof(path), "%s/results.json", out);
		doc = json_object_from_file(path);
	}
	if (dir)	/* what the run wrote is in doc now */
		nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	return tap_main();
}
