// SPDX-License-Identifier: MIT
#include "vm_files.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"

void pb_format(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

json_object *pb_vm_tail_lines(const char *path, int n)
{
	json_object *arr = json_object_new_array();
	char *buf = pb_slurp(path, NULL), *p, *start;
	int lines = 0;

	if (!buf)
		return arr;
	p = buf + strlen(buf);
	while (p > buf && p[-1] == '\n')
		*--p = '\0';
	for (start = p; start > buf && lines < n; start--)
		if (start[-1] == '\n' && ++lines == n)
			break;
	for (char *save = NULL, *l = strtok_r(start, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		l[strcspn(l, "\r")] = '\0';
		json_object_array_add(arr, json_object_new_string(l));
	}
	free(buf);
	return arr;
}

bool pb_vm_env_value(const char *path, const char *key, char *out, size_t len)
{
	char *buf = pb_slurp(path, NULL), *save = NULL;
	size_t kl = strlen(key);
	bool found = false;

	for (char *l = buf ? strtok_r(buf, "\n", &save) : NULL; l && !found; l = strtok_r(NULL, "\n", &save))
		if (!strncmp(l, key, kl) && l[kl] == '=') {
			pb_format(out, len, "%s", l + kl + 1);
			found = true;
		}
	free(buf);
	return found;
}

bool pb_vm_env_unquoted(const char *path, const char *key, char *out, size_t len)
{
	bool found;
	size_t n;

	out[0] = '\0';
	found = pb_vm_env_value(path, key, out, len);
	n = strlen(out);
	if (n >= 2 && out[0] == '"' && out[n - 1] == '"') {
		memmove(out, out + 1, n - 2);
		out[n - 2] = '\0';
	}
	return found;
}

void pb_vm_first_line(const char *path, char *out, size_t len)
{
	char *buf = pb_slurp(path, NULL);

	pb_format(out, len, "%s", buf ? buf : "");
	out[strcspn(out, "\n")] = '\0';
	free(buf);
}

void pb_vm_last_line(char *outbuf, char *out, size_t len)
{
	char *last;

	while ((last = strrchr(outbuf, '\n')) && !last[1])
		*last = '\0';
	last = strrchr(outbuf, '\n');
	pb_format(out, len, "%s", last ? last + 1 : outbuf);
}
