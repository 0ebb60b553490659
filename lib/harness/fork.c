// SPDX-License-Identifier: MIT
/*
 * One case in a forked child, as kselftest runs a test: a crash or a hang
 * costs that case, not the run.  The parent reads the child's reports
 * (harness_private.h) until EOF, the case's timeout or an interrupt, and
 * blames a failure on the last stage the child announced.
 */
#define _GNU_SOURCE
#include "harness_private.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "repeat.h"

json_object *harness_case_id(const struct pb_case *c)
{
	json_object *o = json_object_new_object();

	pb_case_identity_json(c, o);
	return o;
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

		if (harness_interrupted) {
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
	json_object *id = harness_case_id(c);

	if (rep >= 0)
		json_object_object_add(id, "repetition", json_object_new_int(rep + 1));
	return id;
}

int harness_run_case(struct pb_case *c, struct pb_results *res, int rep)
{
	struct collector col = { .res = res, .rep = rep, .stage = "fork" };
	cpu_set_t parent_cpus;
	char why[1200];
	int pfd[2], status, rc;
	pid_t pid;

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
		_exit(harness_case_child(c, pfd[1]));
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
		snprintf(why, sizeof(why), "interrupted by signal %d", (int)harness_interrupted);
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
	return -1;
}
