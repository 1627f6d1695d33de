#include "catalog.h"

#include <string.h>

#include "catalog_record.h"
#include "cursor.h"
#include "tagcolour.h"
#include "rows.h"
#include "status.h"

/* ------------------------------------------------------------ reads */

static int list_db(struct req *r, enum store_db db,
		   const ProtobufCMessageDescriptor *d, bool inactive,
		   void ***arr, size_t *n)
{
	size_t entries;
	int rc = txn_count(r->t, db, &entries);
	if (rc)
		return rc;
	*arr = arena_calloc(r->a, entries + 1, sizeof(void *));
	*n = 0;
	if (!*arr)
		return -ENOMEM;
	struct txn_cursor c;
	rc = txn_cursor_open(&c, r->t, db);
	for (rc = rc ? rc : txn_cursor_seek(&c, NULL, 0);
	     rc == 0 && *n < entries; rc = txn_cursor_next(&c)) {
		ProtobufCMessage *m;
		rc = txn_cursor_msg(&c, d, r->a, (void **)&m);
		if (rc)
			break;
		if (inactive || catalog_record_active(m))
			(*arr)[(*n)++] = m;
	}
	txn_cursor_close(&c);
	return rc == -ENOENT || rc == 0 ? 0 : rc;
}

int catalog_get(struct req *r, const Clubcrm__GetCatalog *in,
		Clubcrm__Catalog **out)
{
	bool all = in && in->has_include_inactive && in->include_inactive;
	Clubcrm__Catalog *c = catalog_record_catalog(r);
	if (!c)
		return -ENOMEM;
	int rc = list_db(r, DB_TASK_TYPES, &clubcrm__task_type__descriptor,
			 all, (void ***)&c->task_types, &c->n_task_types);
	if (!rc)
		rc = list_db(r, DB_RESULTS, &clubcrm__result__descriptor, all,
			     (void ***)&c->results, &c->n_results);
	if (!rc)
		rc = list_db(r, DB_TAGS, &clubcrm__tag__descriptor, all,
			     (void ***)&c->tags, &c->n_tags);
	if (!rc)
		rc = list_db(r, DB_OPERATORS, &clubcrm__operator__descriptor,
			     all, (void ***)&c->operators, &c->n_operators);
	if (!rc)
		rc = list_db(r, DB_TEAMS, &clubcrm__team__descriptor, all,
			     (void ***)&c->teams, &c->n_teams);
	if (!rc)
		rc = rows_settings(r->t, r->a, &c->settings);
	if (!rc)
		*out = c;
	return rc;
}

/* ------------------------------------------------------------ task types */

static int check_follow_on(struct req *r, const Clubcrm__FollowOn *fo,
			   uint64_t self)
{
	if (!fo->type_id)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "a follow-on needs a type");
	if (fo->type_id != self) {
		Clubcrm__TaskType *ty = NULL;
		int rc = rows_type(r->t, r->a, fo->type_id, &ty);
		if (rc == -ENOENT)
			return req_refuse(r, STATUS_NOT_FOUND,
					  "unknown task type %llu",
					  (unsigned long long)fo->type_id);
		if (rc)
			return rc;
	}
	if (fo->delay_minutes > 366u * 24 * 60)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "a follow-on waits at most a year");
	if (fo->on_outcome > CLUBCRM__OUTCOME__OUTCOME_UNKNOWN)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "unknown outcome %d", (int)fo->on_outcome);
	if (fo->description)
		return req_text(r, fo->description, 4000,
				"follow-on description");
	return 0;
}

/* The record gets its own copies: the request is the caller's. */
static int copy_follow_ons(struct req *r, const Clubcrm__TaskType *src,
			   Clubcrm__TaskType *ty)
{
	size_t n = src->n_follow_ons;
	ty->n_follow_ons = 0;
	ty->follow_ons = arena_calloc(r->a, n ? n : 1, sizeof(*ty->follow_ons));
	if (!ty->follow_ons)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		Clubcrm__FollowOn *fo = arena_alloc(r->a, sizeof(*fo));
		if (!fo)
			return -ENOMEM;
		*fo = *src->follow_ons[i];
		if (fo->description &&
		    !(fo->description = text_trim(r->a, fo->description)))
			return -ENOMEM;
		ty->follow_ons[ty->n_follow_ons++] = fo;
	}
	return 0;
}

int catalog_upsert_type(struct req *r, const Clubcrm__UpsertTaskType *in,
			Clubcrm__Catalog **out)
{
	const Clubcrm__TaskType *src = in->task_type;
	int rc = 0;
	if (!src)
		rc = req_refuse(r, STATUS_INVALID_ARGUMENT,
				"task_type is required");
	if (rc)
		return rc;
	Clubcrm__TaskType *ty = NULL;
	bool created;
	rc = catalog_record_load_or_new(r, DB_TASK_TYPES,
					&clubcrm__task_type__descriptor,
					src->id, "task type",
					(ProtobufCMessage **)&ty, &created);
	if (!rc)
		rc = catalog_record_name(r, src->name, created,
					 CATALOG_NAME_MAX, &ty->name);
	if (!rc)
		rc = catalog_record_unique_name(r, DB_TASK_TYPES,
						&clubcrm__task_type__descriptor,
						ty->id, ty->name, "task type");
	if (!rc && src->n_follow_ons > 8)
		rc = req_refuse(r, STATUS_INVALID_ARGUMENT,
				"at most 8 follow-ons per type");
	for (size_t i = 0; !rc && i < src->n_follow_ons; i++)
		rc = check_follow_on(r, src->follow_ons[i], ty->id);
	if (rc)
		return rc;
	if (src->n_follow_ons || created ||
	    (in->has_replace_follow_ons && in->replace_follow_ons))
		rc = copy_follow_ons(r, src, ty);
	if (rc)
		return rc;
	if (src->has_priority)
		ty->priority = src->priority;
	if (src->has_active)
		ty->active = src->active;
	r->action = created ? "add task type" : "edit task type";
	rc = catalog_record_save(r, DB_TASK_TYPES, ty->id, created, &ty->base);
	Clubcrm__Catalog *c = rc ? NULL : catalog_record_catalog(r);
	if (rc || !c)
		return rc ? rc : -ENOMEM;
	return catalog_record_reply_one(r, (void ***)&c->task_types,
					&c->n_task_types, ty, c, out);
}

/* ------------------------------------------------------------ results */

static int merge_result(struct req *r, const Clubcrm__Result *src,
			bool created, Clubcrm__Result *res)
{
	if (src->has_leads_to) {
		if (src->leads_to != CLUBCRM__TASK_STATUS__TASK_STATUS_UNSPECIFIED &&
		    src->leads_to != CLUBCRM__TASK_STATUS__TASK_STATUS_DONE &&
		    src->leads_to != CLUBCRM__TASK_STATUS__TASK_STATUS_CANCELLED)
			return req_refuse(r, STATUS_INVALID_ARGUMENT,
					  "a result leads to Done, Cancelled "
					  "or nothing");
		res->leads_to = src->leads_to;
	}
	if (src->has_outcome) {
		if (src->outcome < CLUBCRM__OUTCOME__OUTCOME_POSITIVE ||
		    src->outcome > CLUBCRM__OUTCOME__OUTCOME_UNKNOWN)
			return req_refuse(r, STATUS_INVALID_ARGUMENT,
					  "outcome must be POSITIVE, NEGATIVE "
					  "or UNKNOWN");
		res->outcome = src->outcome;
	} else if (created) {
		res->outcome = CLUBCRM__OUTCOME__OUTCOME_UNKNOWN;
	}
	if (src->has_active)
		res->active = src->active;
	return 0;
}

int catalog_upsert_result(struct req *r, const Clubcrm__UpsertResult *in,
			  Clubcrm__Catalog **out)
{
	const Clubcrm__Result *src = in->result;
	int rc = 0;
	if (!src)
		rc = req_refuse(r, STATUS_INVALID_ARGUMENT, "result is required");
	if (rc)
		return rc;
	Clubcrm__Result *res = NULL;
	bool created;
	rc = catalog_record_load_or_new(r, DB_RESULTS,
					&clubcrm__result__descriptor, src->id,
					"result", (ProtobufCMessage **)&res,
					&created);
	if (!rc)
		rc = catalog_record_name(r, src->name, created,
					 CATALOG_NAME_MAX, &res->name);
	if (!rc)
		rc = catalog_record_unique_name(r, DB_RESULTS,
						&clubcrm__result__descriptor,
						res->id, res->name, "result");
	if (!rc)
		rc = merge_result(r, src, created, res);
	if (rc)
		return rc;
	r->action = created ? "add result" : "edit result";
	rc = catalog_record_save(r, DB_RESULTS, res->id, created, &res->base);
	Clubcrm__Catalog *c = rc ? NULL : catalog_record_catalog(r);
	if (rc || !c)
		return rc ? rc : -ENOMEM;
	return catalog_record_reply_one(r, (void ***)&c->results, &c->n_results,
					res, c, out);
}

/* ------------------------------------------------------------ tags, teams */

int catalog_upsert_tag(struct req *r, const Clubcrm__UpsertTag *in,
		       Clubcrm__Catalog **out)
{
	const Clubcrm__Tag *src = in->tag;
	int rc = 0;
	if (!src)
		rc = req_refuse(r, STATUS_INVALID_ARGUMENT, "tag is required");
	if (rc)
		return rc;
	Clubcrm__Tag *tag = NULL;
	bool created;
	rc = catalog_record_load_or_new(r, DB_TAGS, &clubcrm__tag__descriptor,
					src->id, "tag",
					(ProtobufCMessage **)&tag, &created);
	if (!rc)
		rc = catalog_record_name(r, src->name, created,
					 CATALOG_NAME_MAX, &tag->name);
	if (!rc)
		rc = catalog_record_unique_name(r, DB_TAGS,
						&clubcrm__tag__descriptor,
						tag->id, tag->name, "tag");
	if (!rc)
		rc = catalog_record_text(r, src->colour, 32, "colour",
					 &tag->colour);
	if (!rc && src->colour && *tag->colour &&
	    tag_colour_parse(tag->colour, NULL) < 0)
		rc = req_refuse(r, STATUS_INVALID_ARGUMENT,
				"colour '%s' is not a colour: use %s",
				tag->colour, TAG_COLOUR_NAMES);
	if (rc)
		return rc;
	if (src->has_active)
		tag->active = src->active;
	r->action = created ? "add tag" : "edit tag";
	rc = catalog_record_save(r, DB_TAGS, tag->id, created, &tag->base);
	Clubcrm__Catalog *c = rc ? NULL : catalog_record_catalog(r);
	if (rc || !c)
		return rc ? rc : -ENOMEM;
	return catalog_record_reply_one(r, (void ***)&c->tags, &c->n_tags, tag,
					c, out);
}

int catalog_upsert_team(struct req *r, const Clubcrm__UpsertTeam *in,
			Clubcrm__Catalog **out)
{
	const Clubcrm__Team *src = in->team;
	int rc = 0;
	if (!src)
		rc = req_refuse(r, STATUS_INVALID_ARGUMENT, "team is required");
	if (rc)
		return rc;
	Clubcrm__Team *team = NULL;
	bool created;
	rc = catalog_record_load_or_new(r, DB_TEAMS, &clubcrm__team__descriptor,
					src->id, "team",
					(ProtobufCMessage **)&team, &created);
	if (!rc)
		rc = catalog_record_name(r, src->name, created,
					 CATALOG_NAME_MAX, &team->name);
	if (!rc)
		rc = catalog_record_unique_name(r, DB_TEAMS,
						&clubcrm__team__descriptor,
						team->id, team->name, "team");
	if (rc)
		return rc;
	if (src->has_active)
		team->active = src->active;
	r->action = created ? "add team" : "edit team";
	rc = catalog_record_save(r, DB_TEAMS, team->id, created, &team->base);
	Clubcrm__Catalog *c = rc ? NULL : catalog_record_catalog(r);
	if (rc || !c)
		return rc ? rc : -ENOMEM;
	return catalog_record_reply_one(r, (void ***)&c->teams, &c->n_teams,
					team, c, out);
}

