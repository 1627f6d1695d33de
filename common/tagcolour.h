/*
 * A tag's colour: one of a few names ("green", "gold", ...) or "#rrggbb".
 * The server accepts only these; the front ends turn them into terminal
 * colours (the nearest of the eight basic ones).
 */
#ifndef CLUBCRM_TAGCOLOUR_H
#define CLUBCRM_TAGCOLOUR_H

#include <stdint.h>

/* The known names, for messages: "black, blue, ...". */
extern const char TAG_COLOUR_NAMES[];

/* 0 and the colour's red, green and blue (rgb may be NULL) for a known
 * name (any letter case) or "#rrggbb"; -EINVAL otherwise. */
int tag_colour_parse(const char *s, uint8_t rgb[3]);

/* The basic terminal colour nearest to a valid colour: 0 black, 1 red,
 * 2 green, 3 yellow, 4 blue, 5 magenta, 6 cyan, 7 white (the ANSI and
 * curses numbering); -1 for an invalid or empty one. */
int tag_colour_basic(const char *s);

#endif
