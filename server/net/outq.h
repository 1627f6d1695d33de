/*
 * A transport's output queue: whole buffers waiting to be written, in
 * order, with their byte count (the backpressure gauge's part). conn.c
 * writes whole buffers (one uv_write of all of them); web_conn.c copies
 * them out in message-sized pieces (outq_take). The memory of a pushed
 * buffer is the queue's until it is handed back (outq_take, outq_clear)
 * or freed (outq_free).
 */
#ifndef CLUBCRMD_OUTQ_H
#define CLUBCRMD_OUTQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* outq_append() appends to the last queued buffer up to this size, and
 * starts a new one with at least OUTQ_COALESCE_MIN bytes of room. */
#define OUTQ_COALESCE_MAX (64u * 1024u)
#define OUTQ_COALESCE_MIN 2048u

/* v[head..n) queued, v[head] taken up to `off`; `bytes` not yet taken. */
struct outq {
	struct buf *v;
	size_t head, n, cap;
	size_t off;
	size_t bytes;
};

/* Receives a buffer the queue is done with (written or dropped). */
typedef void outq_done_fn(void *ctx, struct buf *b);

static inline bool outq_empty(const struct outq *q)
{
	return q->head == q->n;
}

/* Queues `b`, taking its memory (left empty). 0, or -ENOMEM (`b` is left
 * as it was). */
int outq_push(struct outq *q, struct buf *b);
/* Queues a copy of `head` then `body` (together one piece), appended to
 * the last buffer while that stays small, so that many small pushes cost
 * neither a buffer nor an iovec each. 0, or -ENOMEM. */
int outq_append(struct outq *q, const void *head, size_t head_len,
		const void *body, size_t body_len);
/* Copies up to `room` queued bytes into `dst`; every buffer emptied goes
 * to `done`. The bytes copied. */
size_t outq_take(struct outq *q, uint8_t *dst, size_t room,
		 outq_done_fn *done, void *ctx);
/* Hands every queued buffer to `done` (all of each, whatever was taken of
 * the first) and empties the queue, keeping its array for reuse. */
void outq_clear(struct outq *q, outq_done_fn *done, void *ctx);
/* Frees the queued buffers and the array; the queue is empty and reusable
 * afterwards. */
void outq_free(struct outq *q);

#endif
