/* SPDX-License-Identifier: MIT */
/*
 * Reading back what the tools/vm and tools/kernel scripts leave: their
 * KEY=value env files (kernel.env, build.env, host-timing.txt, timing.txt),
 * one-line files (accel.txt, results.status, rc), the last line of their
 * stdout and the tail of a log.
 */
#ifndef PUDBENCH_VM_FILES_H
#define PUDBENCH_VM_FILES_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

/* snprintf() for paths and messages: truncation at @len is accepted. */
void pb_format(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Last @n lines of a file as a JSON array (empty if unreadable). */
json_object *pb_vm_tail_lines(const char *path, int n);

/* The value of "KEY=value" in a shell-style env file; false if none (@out untouched). */
bool pb_vm_env_value(const char *path, const char *key, char *out, size_t len);

/* The same without the value's double quotes; @out is "" if the key is missing. */
bool pb_vm_env_unquoted(const char *path, const char *key, char *out, size_t len);

/* The first line of a file, "" if unreadable. */
void pb_vm_first_line(const char *path, char *out, size_t len);

/* The last line of a script's captured stdout, where the scripts print their result. */
void pb_vm_last_line(char *outbuf, char *out, size_t len);

#endif
