#include "fake_desk.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#define FAKE_DESK_DEADLINE_MS 10000u

static void on_tick(uv_timer_t *t)
{
	(void)t;  /* wakes uv_run(UV_RUN_ONCE) up */
}

static void on_closed(struct live *l, void *ud)
{
	(void)l;
	struct fake_desk *d = ud;
	d->closed = true;
}

static bool live_ready(struct tui_app *a)
{
	return live_get_state(a->live) == LIVE_READY;
}

void fake_desk_open(struct fake_desk *d, struct fake_server *fs)
{
	*d = (struct fake_desk){.fs = fs};
	d->a = calloc(1, sizeof(*d->a));
	assert_non_null(d->a);
	assert_int_equal(uv_loop_init(&d->a->loop), 0);
	assert_int_equal(uv_timer_init(&d->a->loop, &d->tick), 0);
	assert_int_equal(uv_timer_start(&d->tick, on_tick, 20, 20), 0);
	struct client_config cfg = {.address = fs->address, .login = "anna",
				    .password = "pw"};
	struct live_callbacks cbs = {.on_closed = on_closed};
	assert_int_equal(live_new(&d->a->loop, &cfg, &cbs, d, &d->a->live),
			 0);
	live_start(d->a->live);
	fake_desk_run_until(d, live_ready);
	tui_list_init(&d->a->list);
	tui_forms_init_filters(d->a);
}

void fake_desk_run_until(struct fake_desk *d, bool (*cond)(struct tui_app *a))
{
	struct tui_app *a = d->a;
	uint64_t until = uv_now(&a->loop) + FAKE_DESK_DEADLINE_MS;
	while (!cond(a) && uv_now(&a->loop) < until)
		uv_run(&a->loop, UV_RUN_ONCE);
	if (!cond(a))
		fprintf(stderr, "status: %s\n", a->status);
	assert_true(cond(a));
}

void fake_desk_close(struct fake_desk *d)
{
	live_close(d->a->live);
	uv_close((uv_handle_t *)&d->tick, NULL);
	uv_run(&d->a->loop, UV_RUN_DEFAULT);
	assert_true(d->closed);
	assert_int_equal(uv_loop_close(&d->a->loop), 0);
	assert_true(fake_finish(d->fs));
	struct tui_app *a = d->a;
	tui_forms_close(a);
	tui_form_free(&a->filter);
	tui_form_free(&a->cfilter);
	tui_asof_clear(&a->asof);
	tui_list_free(&a->list);
	free(a);
	d->a = NULL;
}
