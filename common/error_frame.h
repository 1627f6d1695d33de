/*
 * The one builder of Error frames (README "Wire protocol": a request error
 * keeps the connection open). It fills a Frame *message*; whoever sends it
 * encodes and frames it (frame_encode()).
 */
#ifndef CLUBCRM_ERROR_FRAME_H
#define CLUBCRM_ERROR_FRAME_H

#include <stdint.h>

#include "clubcrm.pb-c.h"

/*
 * Makes `f` an Error frame with its Error in `e` (both kept by the caller
 * while `f` is in use): answering `request_id` (0: none), status `code`
 * (status.h), `message` (NULL: the code's name) and, for an edit conflict,
 * the `current` row (NULL: none).
 */
void error_frame_init(Clubcrm__Frame *f, Clubcrm__Error *e,
		      uint64_t request_id, unsigned code, const char *message,
		      Clubcrm__TaskRow *current);

#endif
