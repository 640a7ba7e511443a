/*
 * fold.c: full-width ASCII and the ideographic space folded to ASCII
 * (see fold.h for what is folded where).
 */
#include "common.h"
#include "commands/fold.h"

/*
 * U+FF01..U+FF5E is EF BC 81..EF BC BF and EF BD 80..EF BD 9E in UTF-8;
 * U+3000 is E3 80 80.
 */
size_t fold_width_char(const char *s, char *c)
{
	const unsigned char *u = (const unsigned char *)s;
	if (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80) {
		*c = ' ';
		return 3;
	}
	if (u[0] != 0xef || (u[1] != 0xbc && u[1] != 0xbd) || (u[2] & 0xc0) != 0x80)
		return 0;
	unsigned int cp = 0xf000u | ((u[1] & 0x3fu) << 6) | (u[2] & 0x3fu);
	if (cp < 0xff01 || cp > 0xff5e)
		return 0;
	*c = (char)(cp - 0xfee0);
	return 3;
}

void fold_width_inplace(char *s)
{
	char *w = s;
	while (*s) {
		char c;
		size_t n = fold_width_char(s, &c);
		if (n) {
			*w++ = c;
			s += n;
		} else {
			*w++ = *s++;
		}
	}
	*w = '\0';
}

char *fold_width(const char *s)
{
	char *copy = xstrdup(s);
	fold_width_inplace(copy);
	return copy;
}
