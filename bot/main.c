#include "common.h"

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	puts("reportbot 0.1.0");
	return 0;
}
