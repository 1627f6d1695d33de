/*
 * Snapshot chunks read by hand (snapshot_chunk.h): two walks over the
 * chunk's fields, one to check its shape and count its rows, one to decode
 * them, so that a chunk is taken whole or not at all.
 */
#include "snapshot_chunk.h"

#include <stdlib.h>

#include "taskrow.h"

#define FRAME_KEY_SNAPSHOT_CHUNK ((200u << 3) | 2u)
#define CHUNK_KEY_SUB_ID ((1u << 3) | 0u)
#define CHUNK_KEY_ROWS ((2u << 3) | 2u)

static bool read_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t x = 0;
	for (unsigned i = 0; i < 10 && *p < end; i++) {
		uint8_t b = *(*p)++;
		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			*v = x;
			return true;
		}
	}
	return false;
}

/* The bytes of a length-delimited field whose key was just read. */
static bool read_len(const uint8_t **p, const uint8_t *end,
		     const uint8_t **s, size_t *n)
{
	uint64_t len;
	if (!read_varint(p, end, &len) || len > (uint64_t)(end - *p))
		return false;
	*s = *p;
	*n = (size_t)len;
	*p += len;
	return true;
}

bool snapshot_chunk_parse(const uint8_t *frame, size_t len,
			  struct snapshot_chunk *out)
{
	const uint8_t *p = frame, *end = frame + len, *chunk;
	size_t chunk_len;
	uint64_t key;
	if (!read_varint(&p, end, &key) || key != FRAME_KEY_SNAPSHOT_CHUNK ||
	    !read_len(&p, end, &chunk, &chunk_len) || p != end)
		return false;
	/* Count the rows and find the subscription. */
	*out = (struct snapshot_chunk){.fields = chunk, .len = chunk_len};
	p = chunk;
	end = chunk + chunk_len;
	while (p < end) {
		const uint8_t *s;
		size_t n;
		if (!read_varint(&p, end, &key))
			return false;
		if (key == CHUNK_KEY_SUB_ID) {
			if (!read_varint(&p, end, &out->sub_id))
				return false;
		} else if (key == CHUNK_KEY_ROWS) {
			if (!read_len(&p, end, &s, &n))
				return false;
			out->n_rows++;
		} else {
			return false;  /* a catalogue, or a shape not expected */
		}
	}
	return true;
}

static void free_rows(Clubcrm__TaskRow **rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		taskrow_free(rows[i]);
}

bool snapshot_chunk_rows(const struct snapshot_chunk *c,
			 Clubcrm__TaskRow **rows)
{
	const uint8_t *p = c->fields, *end = c->fields + c->len;
	size_t got = 0;
	while (p < end && got < c->n_rows) {
		const uint8_t *s = NULL;
		size_t n = 0;
		uint64_t key = 0, skip;
		read_varint(&p, end, &key);  /* checked by the parse */
		if (key != CHUNK_KEY_ROWS) {
			read_varint(&p, end, &skip);
			continue;
		}
		read_len(&p, end, &s, &n);
		if (taskrow_decode_any(s, n, &rows[got], NULL)) {
			free_rows(rows, got);
			return false;
		}
		got++;
	}
	if (got == c->n_rows)
		return true;
	free_rows(rows, got);  /* not a parsed chunk */
	return false;
}
