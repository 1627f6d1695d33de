#include "tagcolour.h"

#include <errno.h>
#include <stddef.h>
#include <strings.h>

static const struct {
	const char *name;
	uint8_t rgb[3];
} known[] = {
	{"black", {0x00, 0x00, 0x00}},   {"blue", {0x1f, 0x5f, 0xd0}},
	{"brown", {0x8b, 0x4a, 0x1c}},   {"cyan", {0x00, 0xb0, 0xc0}},
	{"gold", {0xd4, 0xaf, 0x37}},    {"green", {0x2e, 0x9d, 0x3a}},
	{"grey", {0x80, 0x80, 0x80}},    {"magenta", {0xc0, 0x20, 0xc0}},
	{"orange", {0xf0, 0x8c, 0x00}},  {"pink", {0xf0, 0x6c, 0xa8}},
	{"purple", {0x7b, 0x3f, 0xb0}},  {"red", {0xd0, 0x20, 0x20}},
	{"white", {0xff, 0xff, 0xff}},   {"yellow", {0xf0, 0xd0, 0x00}},
};

const char TAG_COLOUR_NAMES[] =
	"black, blue, brown, cyan, gold, green, grey, magenta, orange, pink, "
	"purple, red, white, yellow, or #rrggbb";

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int tag_colour_parse(const char *s, uint8_t rgb[3])
{
	if (!s)
		return -EINVAL;
	if (s[0] == '#') {
		uint8_t v[3];
		for (int i = 0; i < 3; i++) {
			int hi = hex(s[1 + 2 * i]);
			int lo = hi < 0 ? -1 : hex(s[2 + 2 * i]);
			if (lo < 0)
				return -EINVAL;
			v[i] = (uint8_t)(hi * 16 + lo);
		}
		if (s[7] != '\0')
			return -EINVAL;
		for (int i = 0; rgb && i < 3; i++)
			rgb[i] = v[i];
		return 0;
	}
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcasecmp(s, known[i].name) != 0)
			continue;
		for (int j = 0; rgb && j < 3; j++)
			rgb[j] = known[i].rgb[j];
		return 0;
	}
	return -EINVAL;
}

int tag_colour_basic(const char *s)
{
	uint8_t c[3];
	if (tag_colour_parse(s, c) < 0)
		return -1;
	/* Each channel on or off; a grey in between reads as white. */
	int r = c[0] >= 0x80, g = c[1] >= 0x80, b = c[2] >= 0x80;
	int max = c[0] > c[1] ? c[0] : c[1];
	max = max > c[2] ? max : c[2];
	if (max >= 0x60 && !r && !g && !b) {  /* dark but coloured */
		r = c[0] == max;
		g = c[1] == max;
		b = c[2] == max;
	}
	return r | g << 1 | b << 2;
}
