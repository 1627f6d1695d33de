/*
 * A bump allocator for the life of one request. Everything allocated from it
 * (including protobuf-c messages unpacked through arena_protobuf_allocator)
 * is freed at once by arena_free(); nothing is freed one by one.
 */
#ifndef CLUBCRM_ARENA_H
#define CLUBCRM_ARENA_H

#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	struct arena_chunk *spare;  /* kept by arena_reset() for reuse */
	size_t grow;                /* size of the next chunk from malloc */
	ProtobufCAllocator pb;  /* routes protobuf-c allocations into the arena */
};

void arena_init(struct arena *a);
/* NULL when out of memory. Memory is aligned for any type. */
void *arena_alloc(struct arena *a, size_t size);
/* Zeroed memory, NULL when out of memory or on overflow. */
void *arena_calloc(struct arena *a, size_t n, size_t size);
/* Copies a NUL-terminated string; NULL for NULL or out of memory. */
char *arena_strdup(struct arena *a, const char *s);
/* printf into the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The allocator to pass to *_unpack() so the message lives in the arena. */
static inline ProtobufCAllocator *arena_pb(struct arena *a) { return &a->pb; }
void arena_free(struct arena *a);
/*
 * Frees everything allocated, like arena_free(), but keeps the memory for
 * the next allocations: an arena reused for one chunk after another does
 * not go back to malloc (and fresh pages) each time.
 */
void arena_reset(struct arena *a);

#endif
