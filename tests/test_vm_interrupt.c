// SPDX-License-Identifier: MIT
/*
 * SIGINT to `pudbench kernels` while the second kernel boots: the first
 * kernel's results stay, the matrix says "interrupted", the exit status is
 * 3, and no QEMU is left running.
 */
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <time.h>

#include "run_cmd.h"
#include "tap.h"
#include "record.h"

/* Status of kernel @i in DIR/matrix.json, or "" while there is none. */
static const char *kernel_status(const char *matrix, int i, char *buf, size_t len)
{
	json_object *doc = json_object_from_file(matrix), *ks = pb_jget(doc, "kernels");
	json_object *k = json_object_is_type(ks, json_type_array) ?
			 json_object_array_get_idx(ks, i) : NULL;

	snprintf(buf, len, "%s", k && pb_jget(k, "status") ? json_object_get_string(pb_jget(k, "status")) : "");
	json_object_put(doc);
	return buf;
}

static int qemus_for(const char *out)
{
	char cmd[400], buf[64];
	FILE *p;
	int n = 0;

	/* "[q]" keeps the pattern from matching this shell's own command line */
	snprintf(cmd, sizeof(cmd), "pgrep -c -f '[q]emu-system-x86_64.*%s'", out);
	p = popen(cmd, "r");
	if (p && fgets(buf, sizeof(buf), p))
		n = atoi(buf);
	if (p)
		pclose(p);
	return n;
}

TEST_TIMEOUT(sigint_keeps_finished_kernels, 900)
{
	char tmpl[] = "/tmp/pudbench-test-vmint-XXXXXX", out[300], matrix[320], st[32];
	char *dir = mkdtemp(tmpl);
	json_object *doc, *k0, *k1;
	time_t deadline;
	int wstatus;
	pid_t pid;

	if (!in_path("qemu-system-x86_64"))
		SKIP("qemu-system-x86_64 not installed");
	ASSERT_TRUE(dir != NULL);
	snprintf(out, sizeof(out), "%s/out", dir);
	snprintf(matrix, sizeof(matrix), "%s/matrix.json", out);
	pid = spawn_quiet((char *[]){ PB_BIN, "kernels", "--config",
				      PB_SOURCE_DIR "/configs/kernels-debian.conf", "--out", out, NULL });
	ASSERT_GT(pid, 0);
	/* wait until the first kernel is done, then for the second one's QEMU */
	deadline = time(NULL) + 600;
	for (;;) {
		kernel_status(matrix, 0, st, sizeof(st));
		if ((*st && strcmp(st, "pending") && strcmp(st, "running")) || time(NULL) > deadline)
			break;
		usleep(200 * 1000);
	}
	if (strcmp(st, "ok")) {
		json_object *k;

		kill(pid, SIGKILL);
		waitpid(pid, &wstatus, 0);
		doc = json_object_from_file(matrix);
		k = json_object_is_type(pb_jget(doc, "kernels"), json_type_array) ?
		    json_object_array_get_idx(pb_jget(doc, "kernels"), 0) : NULL;
		/* only an archive this machine cannot reach excuses it */
		if (kernel_unreachable(k))
			SKIP("cannot get the first kernel: %s", pb_jstr(k, "reason", "?"));
		TAP_FAIL("the first kernel did not come back (%s: %s)", st[0] ? st : "timeout",
			 pb_jstr(k, "reason", "no reason"));
	}
	while (!qemus_for(out) && time(NULL) < deadline)
		usleep(200 * 1000);
	ASSERT_GT(qemus_for(out), 0);
	ASSERT_EQ(interrupt_and_reap(pid, SIGINT), 3);
	ASSERT_EQ(qemus_for(out), 0);

	doc = json_object_from_file(matrix);
	ASSERT_TRUE(doc != NULL);
	ASSERT_STREQ(json_object_get_string(pb_jget(doc, "status")), "interrupted");
	k0 = json_object_array_get_idx(pb_jget(doc, "kernels"), 0);
	k1 = json_object_array_get_idx(pb_jget(doc, "kernels"), 1);
	ASSERT_STREQ(json_object_get_string(pb_jget(k0, "status")), "ok");
	ASSERT_STREQ(json_object_get_string(pb_jget(k1, "status")), "interrupted");
	{
		char path[400];
		json_object *res;

		snprintf(path, sizeof(path), "%s/%s", out, json_object_get_string(pb_jget(k0, "results")));
		res = json_object_from_file(path);
		ASSERT_TRUE(res != NULL);
		ASSERT_GT(json_object_array_length(pb_jget(res, "results")), 0);
		json_object_put(res);
	}
	json_object_put(doc);
}

int main(int argc, char **argv)
{
	return tap_main();
}
