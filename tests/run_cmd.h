/* SPDX-License-Identifier: MIT */
/* Run pudbench-bin (or any program) from a test and capture its output. */
#ifndef PUDBENCH_TESTS_RUN_CMD_H
#define PUDBENCH_TESTS_RUN_CMD_H

#include <limits.h>
#include <signal.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "record.h"

extern char **environ;

/*
 * The one reason a kernel of a matrix may be missing without failing a
 * test: fetch-kernel.sh or build-kernel.sh could not reach the Debian
 * archive (their exit 75, "unreachable" in matrix.json).
 */
static inline bool kernel_unreachable(json_object *k)
{
	return json_object_get_boolean(pb_jget(k, "unreachable"));
}

/*
 * A matrix is skipped only when a kernel was unreachable and every kernel
 * that did not come back is so: a checksum mismatch, a package that
 * matches nothing, a patch that does not apply, a build error or a kernel
 * that does not boot fail.  @skip (512 bytes) gets the reason.
 */
static inline bool matrix_unreachable(json_object *matrix, char *skip)
{
	json_object *ks = pb_jget(matrix, "kernels"), *first = NULL;

	if (!json_object_is_type(ks, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(ks); i++) {
		json_object *k = json_object_array_get_idx(ks, i);

		if (!strcmp(pb_jstr(k, "status", ""), "ok"))
			continue;
		if (!kernel_unreachable(k))
			return false;
		first = first ? first : k;
	}
	if (first)
		snprintf(skip, 512, "cannot get kernel %s: %s", pb_jstr(first, "label", "?"),
			 pb_jstr(first, "reason", "?"));
	return first != NULL;
}

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

/*
 * The VM tests' one run: `pudbench-bin kernels --config configs/@conf` into
 * a fresh @out_dir (PATH_MAX) made from @tmpl; its output into @out.  Then
 * the output from @section on (everything if the run failed) goes to the
 * TAP log as comments, and *@matrix is OUT/matrix.json (NULL if none).
 * Returns the exit status, -2 if no directory, or -3 with @skip (512
 * bytes) set when QEMU is missing.  @skip is also set when the matrix is
 * to be skipped for an unreachable archive (matrix_unreachable()).
 */
static inline bool in_path(const char *prog);
static inline int run_kernels_matrix(const char *conf, const char *tmpl, char *out_dir,
				     const char *section, char *out, size_t len, char *skip,
				     json_object **matrix)
{
	char config[PATH_MAX], path[PATH_MAX + 16];
	int rc;

	*matrix = NULL;
	if (!in_path("qemu-system-x86_64")) {
		snprintf(skip, 512, "qemu-system-x86_64 not found (apt-get install qemu-system-x86)");
		return -3;
	}

	snprintf(config, sizeof(config), "%s/../../configs/%s", PB_TEST_DATA_DIR, conf);
	snprintf(out_dir, PATH_MAX, "%s", tmpl);
	if (!mkdtemp(out_dir)) {
		perror("mkdtemp");
		return -2;
	}
	printf("# pudbench-bin kernels --config %s --out %s\n", config, out_dir);
	fflush(stdout);
	rc = run_cmd((char *[]){ PB_BIN, "kernels", "--config", config, "--out", out_dir, NULL }, out, len);
	{
		char *text = rc ? out : strstr(out, section), *copy = text ? strdup(text) : NULL;

		for (char *save = NULL, *l = copy ? strtok_r(copy, "\n", &save) : NULL; l;
		     l = strtok_r(NULL, "\n", &save))
			printf("# %s\n", l);
		free(copy);
	}
	snprintf(path, sizeof(path), "%s/matrix.json", out_dir);
	*matrix = json_object_from_file(path);
	matrix_unreachable(*matrix, skip);
	return rc;
}

/* @prog is an executable in $PATH (the VM tests skip without QEMU). */
static inline bool in_path(const char *prog)
{
	char *path = getenv("PATH"), *dup = path ? strdup(path) : NULL, buf[PATH_MAX];
	bool found = false;

	for (char *save = NULL, *d = dup ? strtok_r(dup, ":", &save) : NULL; d && !found;
	     d = strtok_r(NULL, ":", &save)) {
		snprintf(buf, sizeof(buf), "%s/%s", d, prog);
		found = access(buf, X_OK) == 0;
	}
	free(dup);
	return found;
}

/* Start @argv in the background, its output thrown away; the pid, or -1. */
static inline pid_t spawn_quiet(char *const argv[])
{
	posix_spawn_file_actions_t fa;
	pid_t pid;
	int rc;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return rc ? -1 : pid;
}

/* Send @sig to @pid and reap it: its exit status, or -1 if a signal killed it. */
static inline int interrupt_and_reap(pid_t pid, int sig)
{
	int wstatus;

	kill(pid, sig);
	if (waitpid(pid, &wstatus, 0) != pid || !WIFEXITED(wstatus))
		return -1;
	return WEXITSTATUS(wstatus);
}

#endif
