#include "rights.h"

#include "rows.h"
#include "status.h"

#include "frame_body.h"

/* What an admin-only request does, for the refusal; NULL for the others. */
static const char *admin_only(Clubcrm__Frame__BodyCase body)
{
	switch (body) {
	case BODY(UPSERT_TASK_TYPE):
		return "change task types";
	case BODY(UPSERT_RESULT):
		return "change results";
	case BODY(UPSERT_TAG):
		return "change tags";
	case BODY(UPSERT_TEAM):
		return "change teams";
	case BODY(UPSERT_OPERATOR):
		return "change operators";
	case BODY(UPDATE_SETTINGS):
		return "change settings";
	/* Moving someone else's open tasks is a manager's decision. */
	case BODY(REASSIGN_TASKS):
		return "reassign an operator's open tasks";
	/* Bringing in a whole customer file is the club's set-up, done
	 * from Settings, which are the admins'. */
	case BODY(IMPORT_CUSTOMERS):
		return "import customers";
	default:
		return NULL;
	}
}

int rights_check_write(struct req *r, struct actor *who,
		       const Clubcrm__Frame *req)
{
	if (!who->system) {
		Clubcrm__Operator *op = NULL;
		int rc = rows_operator(r->t, r->a, who->operator_id, &op);
		if (rc && rc != -ENOENT)
			return rc;
		if (rc == -ENOENT || !op->active)
			return req_refuse(r, STATUS_PERMISSION_DENIED,
					  "operator deactivated: nothing "
					  "was changed");
		who->role = op->role;
	}
	const char *what = admin_only(req->body_case);
	if (what && who->role != CLUBCRM__ROLE__ROLE_ADMIN)
		return req_refuse(r, STATUS_PERMISSION_DENIED,
				  "only admins may %s", what);
	return 0;
}
