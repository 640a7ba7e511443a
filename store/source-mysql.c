/* Placeholder until the MySQL driver lands (issue 5). */
#include "common.h"
#include "store/source.h"

static enum source_result mysql_open(struct source **out, const struct source_config *cfg, char **cause)
{
	*out = NULL;
	fail(cause, "source '%s': the mysql driver is not built yet", cfg->name);
	return SOURCE_ECONNECT;
}

const struct source_driver_ops source_mysql_ops = {
	.open = mysql_open,
};
