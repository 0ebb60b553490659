/* SPDX-License-Identifier: MIT */
/* Run pudbench-bin (or any program) from a test and capture its output. */
#ifndef PUDBENCH_TESTS_RUN_CMD_H
#define PUDBENCH_TESTS_RUN_CMD_H

#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/*
 * Run @argv with stdout and stderr into @out (NUL-terminated, truncated to
 * @len).  Returns the exit status, 128+signal if killed, -1 if not started.
 */
static inline int run_cmd(char *const argv[], char *out, size_t len)
{
	posix_spawn_file_actions_t fa;
	int pfd[2], status;
	size_t used = 0;
	ssize_t n;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	posix_spawn_file_actions_addclose(&fa, pfd[0]);
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ)) {
		posix_spawn_file_actions_destroy(&fa);
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	while ((n = read(pfd[0], out + used, len - 1 - used)) > 0)
		used += (size_t)n;
	/* drain whatever did not fit */
	while (n > 0 || (n = read(pfd[0], (char[4096]){ 0 }, 4096)) > 0)
		n = read(pfd[0], (char[4096]){ 0 }, 4096);
	out[used] = '\0';
	close(pfd[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

#endif
