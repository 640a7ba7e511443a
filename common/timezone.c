#include "common.h"

#include <sys/stat.h>
#include <time.h>

#include "common/timezone.h"

#define ZONEINFO_DIR "/usr/share/zoneinfo"

static bool zone_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '+' || c == '-' || c == '/';
}

int timezone_check(const char *name, char **cause)
{
	if (!name || !*name)
		return fail(cause, "time zone is empty; accepted: a tzdata name such as "
			    "UTC or Asia/Tokyo");
	if (strcmp(name, "UTC") == 0)
		return 0;
	size_t n = strlen(name);
	bool ok = n < 256 && name[0] != '/' && !strstr(name, "..") && !strstr(name, "//");
	for (size_t i = 0; ok && i < n; i++)
		ok = zone_char((unsigned char)name[i]);
	if (!ok)
		return fail(cause, "time zone '%.64s' is not a valid name; accepted: a tzdata "
			    "name such as UTC or Asia/Tokyo", name);

	const char *dir = getenv("TZDIR");
	if (!dir || !*dir)
		dir = ZONEINFO_DIR;
	char *file = xasprintf("%s/%s", dir, name);
	struct stat st;
	char magic[4] = { 0 };
	bool found = false;
	if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
		FILE *f = fopen(file, "rb");
		if (f) {
			found = fread(magic, 1, sizeof(magic), f) == sizeof(magic) &&
				memcmp(magic, "TZif", 4) == 0;
			fclose(f);
		}
	}
	free(file);
	if (!found)
		return fail(cause, "time zone '%s' is not in tzdata (%s); accepted: a name "
			    "such as UTC, Europe/Paris or Asia/Tokyo", name, dir);
	return 0;
}

int timezone_apply(const char *name, char **cause)
{
	if (timezone_check(name, cause))
		return -1;
	if (setenv("TZ", name, 1) != 0)
		return fail(cause, "cannot set time zone '%s': %s", name, strerror(errno));
	tzset();
	return 0;
}
