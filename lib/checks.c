// SPDX-License-Identifier: MIT
/* The checks table (see checks.h). */
#include "checks.h"

#include <string.h>

#define TABLE_ROW(id, key_, pass_, scope_, meaning_) \
	[PB_CHECK_##id] = { .key = key_, .pass = pass_, .scope = scope_, .meaning = meaning_ },
#define KEY_ROW(id, key_, ...) [PB_CHECK_##id] = key_,

const struct pb_check_def pb_checks[PB_CHECK__COUNT] = { PB_CHECK_ROWS(TABLE_ROW) };
const char *const pb_check_keys[PB_CHECK__COUNT] = { PB_CHECK_ROWS(KEY_ROW) };

int pb_check_find(const char *key)
{
	for (int i = 0; i < PB_CHECK__COUNT; i++)
		if (!strcmp(pb_checks[i].key, key))
			return i;
	return -1;
}

bool pb_check_passed(enum pb_check_id id, json_object *v)
{
	if (pb_checks[id].pass == PB_CHECK_PASS_TRUE)
		return json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v);
	return json_object_is_type(v, json_type_int) && json_object_get_int64(v) == 0;
}
