#include "cli_json.h"

#include <stdio.h>

#include "cli_format.h"
#include "timeutil.h"
#include "task_words.h"

/* jansson's json_object_set_new() takes the reference, even on failure. */
static void put(json_t *o, const char *key, json_t *v)
{
	json_object_set_new(o, key, v ? v : json_null());
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *id_or_null(uint64_t id)
{
	return id ? json_integer((json_int_t)id) : json_null();
}

/* "key": RFC 3339 time in the club's zone ("2026-12-08T10:00:00+01:00")
 * and "key_unix": seconds, or nulls when unset. */
static void put_time(json_t *o, const char *key, int64_t t)
{
	char iso[40], unix_key[64];
	snprintf(unix_key, sizeof(unix_key), "%s_unix", key);
	if (t == 0 ||
	    clubzone_format_rfc3339(clubzone_current(), t, iso, sizeof(iso)) == 0) {
		put(o, key, json_null());
		put(o, unix_key, json_null());
		return;
	}
	put(o, key, json_string(iso));
	put(o, unix_key, json_integer((json_int_t)t));
}

static json_t *id_array(const uint64_t *ids, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_integer((json_int_t)ids[i]));
	return a;
}

static json_t *string_array(char *const *s, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(s[i] ? s[i] : ""));
	return a;
}

static void put_task(json_t *o, const Clubcrm__Task *t)
{
	put(o, "id", json_integer((json_int_t)t->id));
	put(o, "kind", json_string(task_words_kind(t->kind)));
	put(o, "description", str_or_null(t->description));
	put(o, "type_id", id_or_null(t->type_id));
	put(o, "customer_id", id_or_null(t->customer_id));
	put(o, "operator_id", id_or_null(t->operator_id));
	put(o, "creator_id", id_or_null(t->creator_id));
	put_time(o, "planned_at", t->planned_at);
	put_time(o, "created_at", t->created_at);
	put(o, "status", json_string(task_words_status(t->status)));
	put(o, "result_id", id_or_null(t->result_id));
	put(o, "closing_note", str_or_null(t->closing_note));
	put(o, "follows_id", id_or_null(t->follows_id));
	put(o, "taken_by_id", id_or_null(t->taken_by));
	put(o, "tag_ids", id_array(t->tag_ids, t->n_tag_ids));
	put(o, "mod_rev", json_integer((json_int_t)t->mod_rev));
	const char *rec = cli_recurrence_name(t->recurrence);
	put(o, "recurrence", rec ? json_string(rec) : json_null());
	put_time(o, "repeat_until", t->repeat_until);
	put(o, "repeat_count", t->repeat_count
				       ? json_integer((json_int_t)t->repeat_count)
				       : json_null());
}

json_t *cli_json_task_row(const Clubcrm__TaskRow *r)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	static const Clubcrm__Task empty = CLUBCRM__TASK__INIT;
	put_task(o, r->task ? r->task : &empty);
	put(o, "type", str_or_null(r->type_name));
	put(o, "customer", str_or_null(r->customer_name));
	put(o, "operator", str_or_null(r->operator_login));
	put(o, "operator_name", str_or_null(r->operator_name));
	put(o, "creator", str_or_null(r->creator_login));
	put(o, "creator_name", str_or_null(r->creator_name));
	put(o, "result", str_or_null(r->result_name));
	put(o, "outcome", json_string(task_words_outcome(r->outcome)));
	put(o, "colour", json_string(cli_colour_name(r->colour)));
	put(o, "overdue", json_boolean(r->overdue));
	put(o, "priority", json_boolean(r->priority));
	put(o, "escalated", json_boolean(r->escalated));
	put(o, "taken_by", str_or_null(r->taken_by_login));
	put(o, "tags", string_array(r->tag_names, r->n_tag_names));
	put(o, "tag_colours", string_array(r->tag_colours, r->n_tag_colours));
	return o;
}

static json_t *history_entry(const Clubcrm__HistoryEntry *h)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	put(o, "revision", json_integer((json_int_t)h->revision));
	put_time(o, "at", h->at);
	put(o, "actor", str_or_null(h->actor_login));
	put(o, "action", str_or_null(h->action));
	put(o, "changed", string_array(h->changed_fields, h->n_changed_fields));
	/* Each field before and after: names, or times as in the rows. */
	json_t *ch = json_array();
	for (size_t i = 0; ch && i < h->n_changes; i++) {
		const Clubcrm__FieldChange *c = h->changes[i];
		json_t *e = json_object();
		if (!e)
			break;
		put(e, "field", str_or_null(c->field));
		if (c->has_old_time)
			put_time(e, "old", c->old_time);
		else
			put(e, "old", str_or_null(c->old_value));
		if (c->has_new_time)
			put_time(e, "new", c->new_time);
		else
			put(e, "new", str_or_null(c->new_value));
		json_array_append_new(ch, e);
	}
	put(o, "changes", ch);
	return o;
}

json_t *cli_json_task_reply(const Clubcrm__TaskReply *reply)
{
	static const Clubcrm__TaskRow empty = CLUBCRM__TASK_ROW__INIT;
	json_t *o = cli_json_task_row(reply->row ? reply->row : &empty);
	if (!o)
		return NULL;
	put(o, "revision", json_integer((json_int_t)reply->revision));
	/* Tasks and notes the same commit created (a follow-up's next task,
	 * a closing note, automatic follow-ons): scripts need their ids. */
	if (reply->n_created > 0) {
		json_t *c = json_array();
		for (size_t i = 0; c && i < reply->n_created; i++)
			json_array_append_new(c, cli_json_task_row(
							 reply->created[i]));
		put(o, "created", c);
	}
	if (reply->n_history == 0)
		return o;
	json_t *h = json_array();
	for (size_t i = 0; h && i < reply->n_history; i++)
		json_array_append_new(h, history_entry(reply->history[i]));
	put(o, "history", h);
	return o;
}

json_t *cli_json_customer(const Clubcrm__Customer *c)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	put(o, "id", json_integer((json_int_t)c->id));
	put(o, "name", str_or_null(c->name));
	put(o, "phone", str_or_null(c->phone));
	put(o, "email", str_or_null(c->email));
	put(o, "consultant_id", id_or_null(c->consultant_id));
	put(o, "active", json_boolean(!c->has_active || c->active));
	return o;
}

static json_t *named(uint64_t id, const char *name)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	put(o, "id", json_integer((json_int_t)id));
	put(o, "name", str_or_null(name));
	return o;
}

static json_t *types_json(const Clubcrm__Catalog *cat)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < cat->n_task_types; i++) {
		const Clubcrm__TaskType *t = cat->task_types[i];
		json_t *o = named(t->id, t->name);
		if (o)
			put(o, "priority", json_boolean(t->priority));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *results_json(const Clubcrm__Catalog *cat)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < cat->n_results; i++) {
		const Clubcrm__Result *r = cat->results[i];
		json_t *o = named(r->id, r->name);
		if (o) {
			put(o, "outcome", json_string(task_words_outcome(r->outcome)));
			put(o, "leads_to", r->leads_to ? json_string(task_words_status(
								 r->leads_to))
						       : json_null());
		}
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *tags_teams_json(const Clubcrm__Catalog *cat, bool tags)
{
	json_t *a = json_array();
	size_t n = tags ? cat->n_tags : cat->n_teams;
	for (size_t i = 0; a && i < n; i++) {
		json_t *o = tags ? named(cat->tags[i]->id, cat->tags[i]->name)
				 : named(cat->teams[i]->id, cat->teams[i]->name);
		if (o && tags)
			put(o, "colour", str_or_null(cat->tags[i]->colour));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *operators_json(const Clubcrm__Catalog *cat)
{
	json_t *a = json_array();
	for (size_t i = 0; a && i < cat->n_operators; i++) {
		const Clubcrm__Operator *op = cat->operators[i];
		json_t *o = named(op->id, op->name);
		if (o) {
			put(o, "login", str_or_null(op->login));
			put(o, "role", json_string(cli_role_name(op->role)));
			put(o, "team_ids", id_array(op->team_ids, op->n_team_ids));
		}
		json_array_append_new(a, o);
	}
	return a;
}

json_t *cli_json_catalog(const Clubcrm__Catalog *cat)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	put(o, "task_types", types_json(cat));
	put(o, "results", results_json(cat));
	put(o, "tags", tags_teams_json(cat, true));
	put(o, "teams", tags_teams_json(cat, false));
	put(o, "operators", operators_json(cat));
	if (cat->settings) {
		put(o, "club_name", str_or_null(cat->settings->club_name));
		put(o, "time_zone", str_or_null(cat->settings->time_zone));
	}
	put(o, "revision", json_integer((json_int_t)cat->revision));
	return o;
}

int cli_json_print(json_t *v)
{
	if (!v)
		return -1;
	int ret = json_dumpf(v, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(v);
	fputc('\n', stdout);
	return ret;
}
