#include "itlive.h"

#include <stdint.h>

#include "timeutil.h"

static void on_state(struct live *l, enum live_state st,
		     const struct client_status *why, void *ud)
{
	(void)l;
	(void)why;
	((struct it_live_status *)ud)->state = st;
}

static void on_closed(struct live *l, void *ud)
{
	(void)l;
	((struct it_live_status *)ud)->closed = true;
}

const struct live_callbacks it_live_cbs = {
	.on_state = on_state, .on_closed = on_closed};

bool it_pump_until(uv_loop_t *loop, unsigned wait_ms,
		   bool (*done)(void *ctx, void *arg), void *ctx, void *arg)
{
	uint64_t end = time_mono_ms() + wait_ms;
	while (!done(ctx, arg)) {
		if (time_mono_ms() > end)
			return false;
		uv_run(loop, UV_RUN_NOWAIT);
		uv_sleep(1);
	}
	return true;
}
