#include "arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Chunks from malloc start small and double up to ARENA_CHUNK_MAX: a
 * request that needs a few hundred bytes takes one page, and a snapshot
 * chunk decoded into the arena (a few MiB of messages) a dozen mallocs
 * rather than a thousand, each of them fresh pages to fault in. */
#define ARENA_CHUNK_MIN 4096u
#define ARENA_CHUNK_MAX (1024u * 1024u)
#define ARENA_ALIGN _Alignof(max_align_t)

struct arena_chunk {
	struct arena_chunk *next;
	size_t size;  /* usable bytes in data */
	size_t used;
	_Alignas(max_align_t) unsigned char data[];
};

static void *arena_pb_alloc(void *ctx, size_t size)
{
	return arena_alloc(ctx, size);
}

/* Arena memory is released all at once by arena_free(). */
static void arena_pb_free(void *ctx, void *ptr)
{
	(void)ctx;
	(void)ptr;
}

void arena_init(struct arena *a)
{
	a->head = NULL;
	a->spare = NULL;
	a->grow = ARENA_CHUNK_MIN;
	a->pb.alloc = arena_pb_alloc;
	a->pb.free = arena_pb_free;
	a->pb.allocator_data = a;
}

static size_t align_up(size_t n)
{
	return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

void *arena_alloc(struct arena *a, size_t size)
{
	if (size == 0)
		size = 1;
	if (size > SIZE_MAX / 2)
		return NULL;
	size = align_up(size);
	struct arena_chunk *c = a->head;
	if (!c || c->size - c->used < size) {
		if (a->grow < ARENA_CHUNK_MIN)
			a->grow = ARENA_CHUNK_MIN;  /* zeroed, never initialised */
		size_t chunk = size > a->grow ? size : a->grow;
		if (a->spare && a->spare->size >= size) {
			c = a->spare;
			a->spare = c->next;
			chunk = c->size;
		} else {
			c = malloc(sizeof(*c) + chunk);
			if (!c)
				return NULL;
			c->size = chunk;
			if (chunk != size && a->grow < ARENA_CHUNK_MAX)
				a->grow *= 2;
		}
		c->used = 0;
		/* Keep filling the current chunk when the new one is a one-off. */
		if (a->head && chunk == size) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	void *p = c->data + c->used;
	c->used += size;
	return p;
}

void *arena_calloc(struct arena *a, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	void *p = arena_alloc(a, n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	if (!s)
		return NULL;
	size_t len = strlen(s) + 1;
	char *p = arena_alloc(a, len);
	if (p)
		memcpy(p, s, len);
	return p;
}

char *arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *p = arena_alloc(a, (size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

static void free_chunks(struct arena_chunk *c)
{
	while (c) {
		struct arena_chunk *next = c->next;
		free(c);
		c = next;
	}
}

void arena_free(struct arena *a)
{
	free_chunks(a->head);
	free_chunks(a->spare);
	a->head = a->spare = NULL;
	a->grow = ARENA_CHUNK_MIN;
}

void arena_reset(struct arena *a)
{
	struct arena_chunk *c = a->head;
	while (c) {
		struct arena_chunk *next = c->next;
		c->next = a->spare;
		a->spare = c;
		c = next;
	}
	a->head = NULL;
}
