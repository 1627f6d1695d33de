/*
 * The desk (struct tui_app) on a live connection to the scripted fake
 * server, for the tests of what the desk does over the wire (saves, the
 * board's past, the CSV export): its loop, a tick that wakes the loop up,
 * the live connection up and logged in, and the close that checks every
 * handle was closed and the script ran clean.
 */
#ifndef CLUBCRM_FAKE_DESK_H
#define CLUBCRM_FAKE_DESK_H

#include <stdbool.h>

#include "fake_server.h"
#include "tui_app.h"

struct fake_desk {
	struct tui_app *a;
	struct fake_server *fs;
	uv_timer_t tick;
	bool closed;           /* the live connection said on_closed */
};

/* Connects a new desk to `fs` (started), waits until it is ready, and
 * sets up its list and filter forms (no screen subscribed yet). */
void fake_desk_open(struct fake_desk *d, struct fake_server *fs);
/* Runs the desk's loop until cond(a) holds; fails the test after 10 s. */
void fake_desk_run_until(struct fake_desk *d,
			 bool (*cond)(struct tui_app *a));
/* Closes the live connection, runs the loop dry, checks the loop closes
 * and the script passed; frees the desk. */
void fake_desk_close(struct fake_desk *d);

#endif
