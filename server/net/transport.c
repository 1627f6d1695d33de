/* The rules every transport shares (transport_impl.h). */
#include "transport_impl.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

#include "log.h"

void transport_init(struct transport *t, const struct transport_ops *ops,
		    const struct transport_impl *impl, struct outq *out,
		    uv_loop_t *loop, uint64_t id, size_t max_output)
{
	t->ops = ops;
	t->impl = impl;
	t->out = out;
	t->loop = loop;
	t->id = id;
	t->max_output = max_output;
	snprintf(t->tag, sizeof(t->tag), "-");
}

static unsigned long long tid(const struct transport *t)
{
	return (unsigned long long)t->id;
}

/* The slow-consumer rule: `len` more bytes may be queued, or the
 * connection goes. */
static int admit(struct transport *t, size_t len)
{
	if (t->closing)
		return -EPIPE;
	if (t->ops->queued(t) + len <= t->max_output)
		return 0;
	log_warn("conn %llu (%s, %s): %sdropped: output queue over %llu "
		 "bytes (the peer does not read)", tid(t), t->peer, t->tag,
		 t->impl->log_kind, (unsigned long long)t->max_output);
	t->ops->close(t, true);
	return -ENOBUFS;
}

static int out_of_memory(struct transport *t)
{
	log_warn("conn %llu: out of memory queueing output", tid(t));
	t->ops->close(t, t->impl->fail_reset);
	return -ENOBUFS;
}

int transport_send(struct transport *t, struct buf *b)
{
	if (b->len == 0) {
		buf_free(b);
		return 0;
	}
	int ret = admit(t, b->len);
	if (ret == 0 && outq_push(t->out, b) < 0)
		ret = out_of_memory(t);
	/* Empty when queued; dropped otherwise. */
	buf_free(b);
	if (ret == 0)
		t->impl->kick(t);
	return ret;
}

int transport_send_copy(struct transport *t, const void *head,
			size_t head_len, const void *body, size_t body_len)
{
	size_t len = head_len + body_len;
	if (len == 0)
		return 0;
	int ret = admit(t, len);
	if (ret == 0 && outq_append(t->out, head, head_len, body, body_len) < 0)
		ret = out_of_memory(t);
	if (ret == 0)
		t->impl->kick(t);
	return ret;
}

void transport_drain(struct transport *t)
{
	if (!transport_live(t))
		return;
	t->draining = true;
	t->linger_deadline_ms = uv_now(t->loop) + TRANSPORT_LINGER_MS;
	t->ops->update_reading(t);
	t->ops->arm_timer(t);
	t->impl->kick(t);
}

void transport_arm_timer(struct transport *t, uv_timer_t *timer,
			 uv_timer_cb cb)
{
	if (t->closing)
		return;
	uint64_t now = uv_now(t->loop);
	uint64_t due;
	if (t->draining)
		due = t->linger_deadline_ms;
	else if (t->up)
		due = t->up->next_deadline(t->owner);
	else
		return;
	int ret = uv_timer_start(timer, cb, due > now ? due - now : 1, 0);
	if (ret < 0) {
		log_warn("conn %llu (%s): timer: %s", tid(t), t->peer,
			 uv_strerror(ret));
		t->ops->close(t, t->impl->fail_reset);
	}
}

void transport_timer_fired(struct transport *t, uv_timer_t *timer,
			   uv_timer_cb cb)
{
	if (t->closing)
		return;
	if (t->draining) {
		if (uv_now(t->loop) < t->linger_deadline_ms) {
			transport_arm_timer(t, timer, cb);
			return;
		}
		log_debug("conn %llu (%s): peer did not take its last frames",
			  tid(t), t->peer);
		t->ops->close(t, t->impl->fail_reset);
		return;
	}
	if (t->up)
		t->up->on_timer(t->owner);
	transport_arm_timer(t, timer, cb);
}

void transport_set_closing(struct transport *t, bool reset)
{
	t->closing = true;
	t->draining = false;
	log_debug("conn %llu (%s): %s%s", tid(t), t->peer, t->impl->log_kind,
		  reset ? "reset" : "closed");
	if (t->up)
		t->up->on_closed(t->owner);
}

void transport_buf_done(void *transport, struct buf *b)
{
	struct transport *t = transport;
	if (t->up)
		t->up->buf_written(t->owner, b);
	else
		buf_free(b);
}

bool transport_up_wants_input(const struct transport *t)
{
	return t->up && t->up->wants_input(t->owner);
}

bool transport_up_busy(const struct transport *t)
{
	return t->up && t->up->busy(t->owner);
}

void transport_name_peer(struct transport *t,
			 const struct sockaddr_storage *ss)
{
	char ip[48] = "?";
	snprintf(t->peer, sizeof(t->peer), "?");
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const void *)ss;
		if (uv_ip6_name(a, ip, sizeof(ip)) != 0)
			snprintf(ip, sizeof(ip), "?");
		snprintf(t->peer, sizeof(t->peer), "[%s]:%u", ip,
			 ntohs(a->sin6_port));
	} else if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const void *)ss;
		if (uv_ip4_name(a, ip, sizeof(ip)) != 0)
			snprintf(ip, sizeof(ip), "?");
		snprintf(t->peer, sizeof(t->peer), "%s:%u", ip,
			 ntohs(a->sin_port));
	}
}
