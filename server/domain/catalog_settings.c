/* The club's general settings (admins only). */
#include "catalog.h"

#include <errno.h>
#include <string.h>

#include "catalog_record.h"
#include "clubzone.h"
#include "rows.h"
#include "status.h"
#include "tokens.h"

/* ------------------------------------------------------------ settings */

static int check_result_ref(struct req *r, uint64_t id)
{
	if (!id)
		return 0;
	Clubcrm__Result *res = NULL;
	int rc = rows_result(r->t, r->a, id, &res);
	if (rc == -ENOENT)
		return req_refuse(r, STATUS_NOT_FOUND, "unknown result %llu",
				  (unsigned long long)id);
	return rc;
}

static int merge_hours(struct req *r, const Clubcrm__Settings *in,
		       Clubcrm__Settings *s)
{
	if (in->has_slot_minutes) {
		if (in->slot_minutes < 5 || in->slot_minutes > 240)
			return req_refuse(r, STATUS_INVALID_ARGUMENT,
					  "slot_minutes must be 5 to 240");
		s->slot_minutes = in->slot_minutes;
	}
	if (in->has_day_start_minute)
		s->day_start_minute = in->day_start_minute;
	if (in->has_day_end_minute)
		s->day_end_minute = in->day_end_minute;
	if ((in->has_day_start_minute || in->has_day_end_minute) &&
	    (s->day_end_minute > 24 * 60 ||
	     s->day_start_minute >= s->day_end_minute))
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "opening hours must be a range inside the day");
	if (in->has_escalation_minutes) {
		if (in->escalation_minutes > 7 * 24 * 60)
			return req_refuse(r, STATUS_INVALID_ARGUMENT,
					  "escalation_minutes is at most a week");
		s->escalation_minutes = in->escalation_minutes;
	}
	if (in->has_session_hours) {
		if (in->session_hours < TOKENS_HOURS_MIN ||
		    in->session_hours > TOKENS_HOURS_MAX)
			return req_refuse(r, STATUS_INVALID_ARGUMENT,
					  "session_hours must be %u to %u",
					  TOKENS_HOURS_MIN, TOKENS_HOURS_MAX);
		s->has_session_hours = 1;
		s->session_hours = in->session_hours;
	}
	return 0;
}

static int merge_settings(struct req *r, const Clubcrm__Settings *in,
			  Clubcrm__Settings *s)
{
	int rc = 0;
	if (in->club_name)
		rc = req_name(r, in->club_name, CATALOG_NAME_MAX, "club_name",
			      &s->club_name);
	if (!rc && in->has_default_status) {
		if (in->default_status < CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED ||
		    in->default_status > CLUBCRM__TASK_STATUS__TASK_STATUS_CANCELLED)
			return req_refuse(r, STATUS_INVALID_ARGUMENT,
					  "default_status must be PLANNED, "
					  "DONE or CANCELLED");
		s->default_status = in->default_status;
	}
	if (!rc && in->has_default_task_result_id &&
	    !(rc = check_result_ref(r, in->default_task_result_id)))
		s->default_task_result_id = in->default_task_result_id;
	if (!rc && in->has_default_note_result_id &&
	    !(rc = check_result_ref(r, in->default_note_result_id)))
		s->default_note_result_id = in->default_note_result_id;
	if (!rc && in->time_zone) {
		/* The exact tzdata name: a zone nobody knows would put
		 * every time an hour or more off without a word. */
		int err = 0;
		if (!clubzone_get(in->time_zone, &err))
			return req_refuse(r, STATUS_INVALID_ARGUMENT,
					  "time_zone '%.64s' %s",
					  err == -EINVAL ? "?" : in->time_zone,
					  clubzone_strerror(err));
		s->time_zone = in->time_zone;
	}
	if (!rc && in->language) {
		/* The web desk speaks these; "" gives each browser its own. */
		if (strcmp(in->language, "en") && strcmp(in->language, "es") &&
		    *in->language)
			return req_refuse(r, STATUS_INVALID_ARGUMENT,
					  "language must be en, es or empty");
		s->language = in->language;
	}
	return rc ? rc : merge_hours(r, in, s);
}

int catalog_update_settings(struct req *r, const Clubcrm__UpdateSettings *in,
			    Clubcrm__Catalog **out)
{
	int rc = 0;
	if (!in->settings)
		rc = req_refuse(r, STATUS_INVALID_ARGUMENT,
				"settings is required");
	if (rc)
		return rc;
	Clubcrm__Settings *s = NULL;
	rc = rows_settings(r->t, r->a, &s);
	if (!rc)
		rc = merge_settings(r, in->settings, s);
	if (rc)
		return rc;
	r->action = "edit settings";
	rc = catalog_record_save(r, DB_SETTINGS, 0, false, &s->base);
	Clubcrm__Catalog *c = rc ? NULL : catalog_record_catalog(r);
	if (rc || !c)
		return rc ? rc : -ENOMEM;
	c->settings = s;
	*out = c;
	return 0;
}

