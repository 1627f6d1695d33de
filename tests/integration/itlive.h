/*
 * The live client driven by the integration tests on their own loop:
 * the callbacks that record a live's state, and the loop pump.
 */
#ifndef CLUBCRM_ITLIVE_H
#define CLUBCRM_ITLIVE_H

#include <stdbool.h>

#include <uv.h>

#include "live.h"

/* What it_live_cbs records; their ud points at one. */
struct it_live_status {
	enum live_state state;
	bool closed;
};

extern const struct live_callbacks it_live_cbs;

/*
 * Runs `loop` (without blocking, 1 ms naps) until done(ctx, arg) holds:
 * true, or false once wait_ms have passed.
 */
bool it_pump_until(uv_loop_t *loop, unsigned wait_ms,
		   bool (*done)(void *ctx, void *arg), void *ctx, void *arg);

#endif
