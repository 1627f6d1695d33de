#include "error_frame.h"

#include "status.h"

void error_frame_init(Clubcrm__Frame *f, Clubcrm__Error *e,
		      uint64_t request_id, unsigned code, const char *message,
		      Clubcrm__TaskRow *current)
{
	clubcrm__error__init(e);
	e->has_code = 1;
	e->code = code;
	e->message = (char *)(message ? message : status_name(code));
	e->current = current;
	clubcrm__frame__init(f);
	f->has_request_id = request_id != 0;
	f->request_id = request_id;
	f->body_case = CLUBCRM__FRAME__BODY_ERROR;
	f->error = e;
}
