#include "common.h"
#include "bot/builtin.h"

const struct builtin *const builtin_table[] = {
	&builtin_help,
	&builtin_history,
	&builtin_cancel,
	&builtin_schedules,
	&builtin_schedule,
	&builtin_rerun,
	&builtin_resend,
};
const size_t builtin_count = ARRAY_SIZE(builtin_table);

const struct builtin *builtin_find(const char *name)
{
	for (size_t i = 0; i < builtin_count; i++)
		if (strcmp(builtin_table[i]->name, name) == 0)
			return builtin_table[i];
	return NULL;
}
