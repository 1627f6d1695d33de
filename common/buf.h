/* A growable byte buffer. */
#ifndef CLUBCRM_BUF_H
#define CLUBCRM_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

/* Makes room for `extra` more bytes. 0, or -ENOMEM. */
int buf_reserve(struct buf *b, size_t extra);
/* Appends bytes. 0, or -ENOMEM. */
int buf_append(struct buf *b, const void *data, size_t len);
/* Drops the first n bytes. */
void buf_consume(struct buf *b, size_t n);
/* Frees the memory; the buffer is empty and reusable afterwards. */
void buf_free(struct buf *b);

#endif
