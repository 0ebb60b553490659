// SPDX-License-Identifier: MIT
#define _GNU_SOURCE
#include "subproc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

volatile sig_atomic_t pb_spawn_stop;

extern char **environ;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int pb_spawn_wait(char *const argv[], char *out, size_t len, unsigned timeout_s)
{
	return pb_spawn_wait_log(argv, out, len, timeout_s, NULL);
}

int pb_spawn_wait_log(char *const argv[], char *out, size_t len, unsigned timeout_s,
		      const char *errlog)
{
	posix_spawn_file_actions_t fa;
	int pfd[2] = { -1, -1 }, status, rc = -1;
	double deadline = timeout_s ? now_s() + timeout_s : 0, kill_at = 0;
	bool timed_out = false, stopping = false;
	size_t used = 0;
	pid_t pid;

	if (out && pipe2(pfd, O_CLOEXEC))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (out)
		posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	if (errlog)
		posix_spawn_file_actions_addopen(&fa, 2, errlog, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	/* our stdout may be a pipe too: keep the child's output in order */
	fflush(stdout);
	fflush(stderr);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		if (out) {
			close(pfd[0]);
			close(pfd[1]);
		}
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	if (out) {
		close(pfd[1]);
		out[0] = '\0';
	}
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid) {
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			break;
		}
		if (w < 0 && errno != EINTR)
			break;
		if (pb_spawn_stop && !stopping) {
			stopping = true;
			kill(pid, SIGTERM);
			kill_at = now_s() + 10;
		}
		if (deadline && now_s() > deadline && !timed_out) {
			timed_out = true;
			kill(pid, SIGTERM);
			kill_at = now_s() + 10;
		}
		if (kill_at && now_s() > kill_at) {
			kill(pid, SIGKILL);
			kill_at = 0;
		}
		if (out && pfd[0] >= 0) {
			struct pollfd p = { .fd = pfd[0], .events = POLLIN };

			if (poll(&p, 1, 200) > 0) {
				char sink[4096];
				ssize_t n = used + 1 < len ? read(pfd[0], out + used, len - 1 - used)
							   : read(pfd[0], sink, sizeof(sink));

				if (n > 0 && used + 1 < len)
					out[used += (size_t)n] = '\0';
				if (n == 0) {
					close(pfd[0]);
					pfd[0] = -1;
				}
			}
		} else {
			usleep(200 * 1000);
		}
	}
	if (out && pfd[0] >= 0) {
		ssize_t n;

		while (used + 1 < len && (n = read(pfd[0], out + used, len - 1 - used)) > 0)
			out[used += (size_t)n] = '\0';
		close(pfd[0]);
	}
	return stopping ? 130 : timed_out ? 124 : rc;
}
