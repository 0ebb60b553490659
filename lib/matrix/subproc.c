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

/* A started child and what is waited for: its exit, its stdout, a deadline, a stop. */
struct child {
	pid_t pid;
	int fd;				/* its stdout, -1 when not captured or closed */
	char *out;
	size_t len, used;
	double deadline, kill_at;	/* 0: none */
	bool timed_out, stopping;
};

/* Spawn @argv with stdin from /dev/null, stdout into a pipe (@capture), stderr into @errlog. */
static int start_child(struct child *ch, char *const argv[], bool capture, const char *errlog)
{
	posix_spawn_file_actions_t fa;
	int pfd[2] = { -1, -1 }, err;

	if (capture && pipe2(pfd, O_CLOEXEC))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (capture)
		posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	if (errlog)
		posix_spawn_file_actions_addopen(&fa, 2, errlog, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	/* our stdout may be a pipe too: keep the child's output in order */
	fflush(stdout);
	fflush(stderr);
	err = posix_spawn(&ch->pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (capture)
		close(pfd[1]);
	if (err) {
		if (capture)
			close(pfd[0]);
		return -1;
	}
	ch->fd = pfd[0];
	return 0;
}

/* SIGTERM on a stop or at the deadline, SIGKILL 10 s after that. */
static void signal_child(struct child *ch)
{
	if (pb_spawn_stop && !ch->stopping) {
		ch->stopping = true;
		kill(ch->pid, SIGTERM);
		ch->kill_at = now_s() + 10;
	}
	if (ch->deadline && now_s() > ch->deadline && !ch->timed_out) {
		ch->timed_out = true;
		kill(ch->pid, SIGTERM);
		ch->kill_at = now_s() + 10;
	}
	if (ch->kill_at && now_s() > ch->kill_at) {
		kill(ch->pid, SIGKILL);
		ch->kill_at = 0;
	}
}

/* Up to 200 ms for the child's stdout; what does not fit into out is read and dropped. */
static void read_output(struct child *ch)
{
	struct pollfd p = { .fd = ch->fd, .events = POLLIN };
	char sink[4096];
	ssize_t n;

	if (ch->fd < 0) {
		usleep(200 * 1000);
		return;
	}
	if (poll(&p, 1, 200) <= 0)
		return;
	if (ch->used + 1 < ch->len)
		n = read(ch->fd, ch->out + ch->used, ch->len - 1 - ch->used);
	else
		n = read(ch->fd, sink, sizeof(sink));
	if (n > 0 && ch->used + 1 < ch->len)
		ch->out[ch->used += (size_t)n] = '\0';
	if (n == 0) {
		close(ch->fd);
		ch->fd = -1;
	}
}

int pb_spawn_wait_log(char *const argv[], char *out, size_t len, unsigned timeout_s,
		      const char *errlog)
{
	struct child ch = { .fd = -1, .out = out, .len = len,
			    .deadline = timeout_s ? now_s() + timeout_s : 0 };
	int status, rc = -1;
	ssize_t n;

	if (start_child(&ch, argv, out != NULL, errlog))
		return -1;
	if (out)
		out[0] = '\0';
	for (;;) {
		pid_t w = waitpid(ch.pid, &status, WNOHANG);

		if (w == ch.pid) {
			rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			break;
		}
		if (w < 0 && errno != EINTR)
			break;
		signal_child(&ch);
		read_output(&ch);
	}
	/* what the child wrote just before it exited */
	if (ch.fd >= 0) {
		while (ch.used + 1 < len && (n = read(ch.fd, out + ch.used, len - 1 - ch.used)) > 0)
			out[ch.used += (size_t)n] = '\0';
		close(ch.fd);
	}
	return ch.stopping ? 130 : ch.timed_out ? 124 : rc;
}
