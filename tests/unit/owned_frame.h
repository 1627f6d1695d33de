/*
 * A request as the session hands it to the writer or the reader: decoded
 * from its bytes, owned by the receiver (freed with
 * clubcrm__frame__free_unpacked). For test_writer.c and test_reader.c.
 */
#ifndef CLUBCRM_TEST_OWNED_FRAME_H
#define CLUBCRM_TEST_OWNED_FRAME_H

#include "buf.h"
#include "frame.h"

static inline Clubcrm__Frame *owned_frame(const Clubcrm__Frame *f)
{
	struct buf b = {0};
	assert_int_equal(frame_encode(f, &b), 0);
	Clubcrm__Frame *req = frame_decode(b.data + FRAME_HEADER_LEN,
					   b.len - FRAME_HEADER_LEN, NULL);
	buf_free(&b);
	assert_non_null(req);
	return req;
}

/* A request numbered `request_id` around `msg`, the message of `body` (the
 * bodies are a union), owned as above. */
static inline Clubcrm__Frame *owned_request(uint64_t request_id,
					    Clubcrm__Frame__BodyCase body,
					    void *msg)
{
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.has_request_id = true;
	f.request_id = request_id;
	f.body_case = body;
	f.upsert_customer = msg;  /* any of the union's members */
	return owned_frame(&f);
}

#endif
