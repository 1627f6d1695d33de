/*
 * libFuzzer harness for the frame reader and decoder of common/frame.h.
 *
 * Input: byte 0 picks the frame size limit, byte 1 seeds how the rest is
 * split into reads; the rest is the byte stream a peer would send. The
 * stream is fed twice: in one read, and in reads of pseudo-random sizes
 * (1 byte to a few KiB). Both must deliver the same frames and end the
 * same way, since one read is never one frame. Every frame is decoded, and
 * a decoded frame is encoded again and must decode to the same bytes.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What a feed delivered: a running digest and a count of frames. */
struct seen {
	uint64_t digest;
	size_t frames;
	size_t decoded;
};

static uint64_t mix(uint64_t h, const uint8_t *p, size_t len)
{
	h ^= len;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ull;  /* FNV-1a */
	return h;
}

/*
 * Whether a decoded message, or any message inside it, kept unknown fields.
 * protobuf-c 1.4.1 accepts an over-long tag for field number 0 and keeps it
 * as an unknown field, then refuses the canonical bytes it packs it into;
 * we never send a peer's unknown fields back, so such frames are exempt
 * from the round trip below.
 */
static bool has_unknown(const ProtobufCMessage *m)
{
	if (m->n_unknown_fields > 0)
		return true;
	const ProtobufCMessageDescriptor *d = m->descriptor;
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &d->fields[i];
		if (fd->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		const char *base = (const char *)m;
		if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)(base + fd->quantifier_offset);
			ProtobufCMessage *const *v =
				*(ProtobufCMessage *const *const *)(base + fd->offset);
			for (size_t j = 0; j < n; j++)
				if (has_unknown(v[j]))
					return true;
			continue;
		}
		if ((fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
		    *(const uint32_t *)(base + fd->quantifier_offset) != fd->id)
			continue;
		const ProtobufCMessage *sub =
			*(ProtobufCMessage *const *)(base + fd->offset);
		if (sub && has_unknown(sub))
			return true;
	}
	return false;
}

/*
 * frame_encode(frame_decode(x)) must carry the right length prefix, decode
 * again, and re-encode to the very same bytes.
 */
static void check_roundtrip(const Clubcrm__Frame *f)
{
	struct buf once = {0}, twice = {0};
	size_t packed = clubcrm__frame__get_packed_size(f);
	int ret = frame_encode(f, &once);
	if (ret == -EMSGSIZE) {
		/* An all-default frame packs to 0 bytes: not sendable. */
		if (packed != 0)
			abort();
		return;
	}
	if (ret < 0 || once.len != FRAME_HEADER_LEN + packed)
		abort();
	uint32_t prefix = (uint32_t)once.data[0] << 24 |
			  (uint32_t)once.data[1] << 16 |
			  (uint32_t)once.data[2] << 8 | once.data[3];
	if (prefix != packed)
		abort();
	Clubcrm__Frame *again = frame_decode(once.data + FRAME_HEADER_LEN,
					     packed, NULL);
	if (!again) {
		if (!has_unknown(&f->base))
			abort();
		buf_free(&once);
		return;
	}
	if (frame_encode(again, &twice) < 0 || twice.len != once.len ||
	    memcmp(twice.data, once.data, once.len) != 0)
		abort();
	clubcrm__frame__free_unpacked(again, NULL);
	buf_free(&once);
	buf_free(&twice);
}

static int on_frame(void *ctx, const uint8_t *payload, size_t len)
{
	struct seen *seen = ctx;
	seen->digest = mix(seen->digest, payload, len);
	seen->frames++;
	Clubcrm__Frame *f = frame_decode(payload, len, NULL);
	if (!f)
		return 0;
	seen->decoded++;
	check_roundtrip(f);
	clubcrm__frame__free_unpacked(f, NULL);
	return 0;
}

static const uint32_t limits[] = {
	FRAME_MAX_PRELOGIN, FRAME_MAX_DEFAULT, 64, 1,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	size_t n_limits = sizeof(limits) / sizeof(limits[0]);
	uint32_t max_frame = limits[data[0] % n_limits];
	uint32_t rng = data[1] * 2654435761u + 1;
	const uint8_t *stream = data + 2;
	size_t len = size - 2;

	/* Everything in one read. */
	struct frame_reader whole;
	struct seen a = {0};
	frame_reader_init(&whole, max_frame);
	int ret_a = frame_reader_feed(&whole, stream, len, on_frame, &a);

	/* The same bytes in reads of 1 byte to 4 KiB. */
	struct frame_reader split;
	struct seen b = {0};
	int ret_b = 0;
	frame_reader_init(&split, max_frame);
	for (size_t off = 0; off < len && ret_b == 0;) {
		rng = rng * 1103515245u + 12345u;
		/* A quarter of the reads tiny, the rest up to 4 KiB. */
		size_t n = (rng >> 8) % ((rng >> 30) ? 4096 : 8) + 1;
		if (n > len - off)
			n = len - off;
		ret_b = frame_reader_feed(&split, stream + off, n, on_frame, &b);
		off += n;
	}

	if (ret_a != ret_b || a.frames != b.frames || a.digest != b.digest ||
	    a.decoded != b.decoded)
		abort();
	if (ret_a == 0 &&
	    frame_reader_pending(&whole) != frame_reader_pending(&split))
		abort();
	if (ret_a != 0 && ret_a != -EMSGSIZE)
		abort();  /* no -ENOMEM expected at these sizes */
	frame_reader_free(&whole);
	frame_reader_free(&split);

	/* The preface check must accept only the magic. */
	if (len >= FRAME_PREFACE_LEN) {
		uint16_t major, minor;
		int ok = frame_preface_parse(stream, &major, &minor) == 0;
		if (ok != (memcmp(stream, FRAME_MAGIC, FRAME_MAGIC_LEN) == 0))
			abort();
	}
	return 0;
}
