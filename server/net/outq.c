/* A transport's output queue (outq.h). */
#include "outq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int outq_push(struct outq *q, struct buf *b)
{
	/* Buffers taken from the front leave room there: reused before the
	 * array grows. */
	if (q->head > 0 && q->n == q->cap) {
		memmove(q->v, q->v + q->head, (q->n - q->head) * sizeof(*q->v));
		q->n -= q->head;
		q->head = 0;
	}
	if (q->n == q->cap) {
		size_t ncap = q->cap ? q->cap * 2 : 8;
		struct buf *v = realloc(q->v, ncap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		q->v = v;
		q->cap = ncap;
	}
	q->v[q->n++] = *b;
	q->bytes += b->len;
	memset(b, 0, sizeof(*b));
	return 0;
}

int outq_append(struct outq *q, const void *head, size_t head_len,
		const void *body, size_t body_len)
{
	size_t len = head_len + body_len;
	struct buf *tail = outq_empty(q) ? NULL : &q->v[q->n - 1];
	if (!tail || (tail->cap - tail->len < len &&
		      tail->len + len > OUTQ_COALESCE_MAX)) {
		struct buf fresh = {0};
		if (buf_reserve(&fresh, len > OUTQ_COALESCE_MIN
						? len
						: OUTQ_COALESCE_MIN) < 0 ||
		    outq_push(q, &fresh) < 0) {
			buf_free(&fresh);
			return -ENOMEM;
		}
		tail = &q->v[q->n - 1];
	}
	if (buf_reserve(tail, len) < 0)
		return -ENOMEM;
	if (head_len)
		memcpy(tail->data + tail->len, head, head_len);
	if (body_len)
		memcpy(tail->data + tail->len + head_len, body, body_len);
	tail->len += len;
	q->bytes += len;
	return 0;
}

size_t outq_take(struct outq *q, uint8_t *dst, size_t room,
		 outq_done_fn *done, void *ctx)
{
	size_t got = 0;
	while (got < room && !outq_empty(q)) {
		struct buf *b = &q->v[q->head];
		size_t k = b->len - q->off;
		if (k > room - got)
			k = room - got;
		memcpy(dst + got, b->data + q->off, k);
		got += k;
		q->off += k;
		if (q->off == b->len) {
			done(ctx, b);
			q->head++;
			q->off = 0;
		}
	}
	if (outq_empty(q))
		q->head = q->n = 0;
	q->bytes -= got;
	return got;
}

void outq_clear(struct outq *q, outq_done_fn *done, void *ctx)
{
	for (size_t i = q->head; i < q->n; i++)
		done(ctx, &q->v[i]);
	q->head = q->n = 0;
	q->off = 0;
	q->bytes = 0;
}

void outq_free(struct outq *q)
{
	for (size_t i = q->head; i < q->n; i++)
		buf_free(&q->v[i]);
	free(q->v);
	memset(q, 0, sizeof(*q));
}
