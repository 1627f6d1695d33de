#include "conn_tls.h"

#include <errno.h>
#include <stdlib.h>

#include "buf.h"
#include "tls.h"
#include "transport_impl.h"

struct conn_tls {
	struct tls_session *s;
	bool bye;                  /* close_notify queued (or not due) */
};

int conn_tls_new(struct tls_ctx *ctx, struct conn_tls **out, char *err,
		 size_t errlen)
{
	*out = NULL;
	struct conn_tls *l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	int ret = tls_session_new(ctx, &l->s, err, errlen);
	if (ret < 0) {
		free(l);
		return ret;
	}
	*out = l;
	return 0;
}

void conn_tls_free(struct conn_tls *l)
{
	if (!l)
		return;
	tls_session_free(l->s);
	free(l);
}

int conn_tls_unwrap(struct conn_tls *l, struct transport *t,
		    const uint8_t *data, size_t len, uint8_t *plain,
		    size_t cap)
{
	int ret = tls_session_feed_cipher(l->s, data, len);
	while (ret == 0 && transport_live(t)) {
		size_t got = 0;
		ret = tls_session_read(l->s, plain, cap, &got);
		if (ret < 0 || got == 0)
			break;
		if (t->up)
			t->up->on_data(t->owner, plain, got);
	}
	if (ret == 0 && tls_session_peer_closed(l->s))
		return -ESHUTDOWN;
	return ret;
}

int conn_tls_wrap(struct conn_tls *l, struct transport *t, struct outq *out)
{
	int ret = 0;
	for (size_t i = out->head; i < out->n && ret == 0; i++)
		ret = tls_session_write(l->s, out->v[i].data, out->v[i].len);
	outq_clear(out, transport_buf_done, t);
	if (ret < 0)
		return ret;
	struct buf cipher = { 0 };
	ret = tls_session_take_cipher(l->s, &cipher);
	if (ret == 0)
		ret = outq_push(out, &cipher);
	buf_free(&cipher);
	return ret;
}

bool conn_tls_pending(const struct conn_tls *l)
{
	return tls_session_pending_cipher(l->s) > 0;
}

bool conn_tls_bye(struct conn_tls *l)
{
	if (l->bye || !tls_session_handshake_done(l->s))
		return false;
	l->bye = true;
	return tls_session_close(l->s) == 0 && conn_tls_pending(l);
}

const char *conn_tls_error(const struct conn_tls *l)
{
	return tls_session_error(l->s);
}
