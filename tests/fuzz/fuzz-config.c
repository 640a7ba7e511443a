/*
 * fuzz-config.c: the config checks on any parsed tree: config_load on
 * arbitrary bytes (through a memfd, the file the loader reads) either
 * loads or fails with words; never both, never neither.
 */
#include "common.h"

#include <sys/mman.h>
#include <unistd.h>

#include "bot/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int fd = -1;
	static char path[64];
	if (fd < 0) {
		fd = memfd_create("fuzz-config.toml", 0);
		if (fd < 0)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	if (ftruncate(fd, 0) < 0 || pwrite(fd, data, size, 0) != (ssize_t)size)
		abort();
	struct config cfg;
	char *cause = NULL;
	int rc = config_load(&cfg, path, &cause);
	if (rc == 0 && cause)
		abort();
	if (rc < 0 && (!cause || !*cause))
		abort();
	if (rc == 0)
		config_release(&cfg);
	free(cause);
	return 0;
}
