/*
 * The one short name for the cases of a Frame's oneof body:
 * BODY(LOGIN) is CLUBCRM__FRAME__BODY_LOGIN. Only for code that switches on
 * or sets Frame bodies (the session's dispatch, the client library).
 */
#ifndef CLUBCRM_FRAME_BODY_H
#define CLUBCRM_FRAME_BODY_H

#include "clubcrm.pb-c.h"

#define BODY(x) CLUBCRM__FRAME__BODY_##x

#endif
