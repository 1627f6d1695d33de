#include "catalog.h"

#include <string.h>
#include <strings.h>

#include "auth.h"
#include "pbutil.h"
#include "query.h"
#include "rows.h"
#include "status.h"

#define ADMIN CLUBCRM__ROLE__ROLE_ADMIN

/* ------------------------------------------------------------ generic */

static const ProtobufCFieldDescriptor *field(const ProtobufCMessage *m,
					     const char *name)
{
	return protobuf_c_message_descriptor_get_field_by_name(m->descriptor,
							       name);
}

static void set_u64(ProtobufCMessage *m, const char *name, uint64_t v)
{
	const ProtobufCFieldDescriptor *f = field(m, name);
	if (f)
		*(uint64_t *)((char *)m + f->offset) = v;
}

static bool get_active(const ProtobufCMessage *m)
{
	const ProtobufCFieldDescriptor *f = field(m, "active");
	return f && *(const protobuf_c_boolean *)((const char *)m + f->offset);
}

static const char *get_name(const ProtobufCMessage *m)
{
	const ProtobufCFieldDescriptor *f = field(m, "name");
	return f ? *(char *const *)((const char *)m + f->offset) : NULL;
}

static int need_admin(struct req *r, const char *what)
{
	if (r->who->role == ADMIN)
		return 0;
	return req_refuse(r, STATUS_PERMISSION_DENIED,
			  "only admins may change %s", what);
}

static Clubcrm__Event *event_of(struct req *r, enum store_db db,
				ProtobufCMessage *m)
{
	Clubcrm__Event *ev = arena_alloc(r->a, sizeof(*ev));
	if (!ev)
		return NULL;
	clubcrm__event__init(ev);
	switch (db) {
	case DB_CUSTOMERS:
		ev->record_case = CLUBCRM__EVENT__RECORD_CUSTOMER;
		ev->customer = (Clubcrm__Customer *)m;
		break;
	case DB_OPERATORS:
		ev->record_case = CLUBCRM__EVENT__RECORD_OPERATOR;
		ev->operator_ = (Clubcrm__Operator *)m;
		break;
	case DB_TEAMS:
		ev->record_case = CLUBCRM__EVENT__RECORD_TEAM;
		ev->team = (Clubcrm__Team *)m;
		break;
	case DB_TASK_TYPES:
		ev->record_case = CLUBCRM__EVENT__RECORD_TASK_TYPE;
		ev->task_type = (Clubcrm__TaskType *)m;
		break;
	case DB_RESULTS:
		ev->record_case = CLUBCRM__EVENT__RECORD_RESULT;
		ev->result = (Clubcrm__Result *)m;
		break;
	case DB_TAGS:
		ev->record_case = CLUBCRM__EVENT__RECORD_TAG;
		ev->tag = (Clubcrm__Tag *)m;
		break;
	default:
		ev->record_case = CLUBCRM__EVENT__RECORD_SETTINGS;
		ev->settings = (Clubcrm__Settings *)m;
		break;
	}
	return ev;
}

/* Stamps revisions, stores the record and adds it to the change set. */
static int save(struct req *r, enum store_db db, uint64_t id, bool created,
		ProtobufCMessage *m)
{
	uint64_t rev = req_revision(r);
	if (!rev)
		return r->t->ret ? r->t->ret : -EIO;
	set_u64(m, "mod_rev", rev);
	if (created)
		set_u64(m, "create_rev", rev);
	pb_normalize(m);
	if (db == DB_SETTINGS)
		txn_put_msg(r->t, db, "settings", 8, m);
	else
		txn_put_rec(r->t, db, id, m);
	if (r->t->ret)
		return r->t->ret;
	Clubcrm__Event *ev = event_of(r, db, m);
	return ev ? req_event(r, ev) : -ENOMEM;
}

/* Loads the record to edit, or allocates a new one with the next id. */
static int load_or_new(struct req *r, enum store_db db,
		       const ProtobufCMessageDescriptor *d, uint64_t id,
		       const char *what, ProtobufCMessage **out, bool *created)
{
	*created = id == 0;
	if (id) {
		int rc = txn_get_rec(r->t, db, id, d, r->a, (void **)out);
		if (rc == -ENOENT)
			return req_refuse(r, STATUS_NOT_FOUND, "unknown %s %llu",
					  what, (unsigned long long)id);
		return rc;
	}
	ProtobufCMessage *m = arena_alloc(r->a, d->sizeof_message);
	if (!m)
		return -ENOMEM;
	protobuf_c_message_init(d, m);
	id = txn_next_id(r->t, db);
	if (!id)
		return r->t->ret ? r->t->ret : -EIO;
	set_u64(m, "id", id);
	/* New entries are active unless the request says otherwise. */
	const ProtobufCFieldDescriptor *f = field(m, "active");
	if (f)
		*(protobuf_c_boolean *)((char *)m + f->offset) = 1;
	*out = m;
	return 0;
}

/* Names are unique within a catalogue (case-insensitive), so that pick lists
 * and the command line can refer to entries by name. Catalogues are small. */
static int unique_name(struct req *r, enum store_db db,
		       const ProtobufCMessageDescriptor *d, uint64_t id,
		       const char *name, const char *what)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(r->t->txn, txn_dbi(r->t, db), &c);
	if (rc)
		return txn_lmdb_error(rc);
	MDB_val k, v;
	int found = 0;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && !found;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		ProtobufCMessage *m = protobuf_c_message_unpack(
			d, arena_pb(r->a), v.mv_size, v.mv_data);
		if (!m) {
			rc = MDB_CORRUPTED;
			break;
		}
		const char *other = get_name(m);
		uint64_t oid = k.mv_size == 8 ? key_get_u64(k.mv_data) : 0;
		found = oid != id && other && strcasecmp(other, name) == 0;
	}
	mdb_cursor_close(c);
	if (found)
		return req_refuse(r, STATUS_ALREADY_EXISTS,
				  "a %s named %s already exists", what, name);
	return rc == MDB_NOTFOUND || rc == 0 ? 0 : txn_lmdb_error(rc);
}

/* A name to set: required for a new entry, optional on an edit. */
static int name_field(struct req *r, const char *in, bool created,
		      size_t max, char **dst)
{
	if (!in && !created)
		return 0;
	return req_name(r, in, max, "name", dst);
}

static int optional_text(struct req *r, const char *in, size_t max,
			 const char *what, char **dst)
{
	if (!in)
		return 0;
	if (!text_is_valid(in) || strlen(in) > max)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "%s must be valid text of at most %zu bytes",
				  what, max);
	*dst = text_trim(r->a, in);
	return *dst ? 0 : -ENOMEM;
}

static Clubcrm__Catalog *catalog_new(struct req *r)
{
	Clubcrm__Catalog *c = arena_alloc(r->a, sizeof(*c));
	if (!c)
		return NULL;
	clubcrm__catalog__init(c);
	c->has_revision = 1;
	c->revision = r->rev ? r->rev : txn_revision(r->t);
	return c;
}

/* Puts one entry in a fresh Catalog reply. */
static int reply_one(struct req *r, void ***arr, size_t *n, void *entry,
		     Clubcrm__Catalog *c, Clubcrm__Catalog **out)
{
	void **a = arena_alloc(r->a, sizeof(void *));
	if (!a)
		return -ENOMEM;
	a[0] = entry;
	*arr = a;
	*n = 1;
	*out = c;
	return 0;
}

/* ------------------------------------------------------------ reads */

static int list_db(struct req *r, enum store_db db,
		   const ProtobufCMessageDescriptor *d, bool inactive,
		   void ***arr, size_t *n)
{
	MDB_cursor *c;
	int rc = mdb_cursor_open(r->t->txn, txn_dbi(r->t, db), &c);
	if (rc)
		return txn_lmdb_error(rc);
	MDB_stat ms;
	mdb_stat(r->t->txn, txn_dbi(r->t, db), &ms);
	*arr = arena_calloc(r->a, ms.ms_entries + 1, sizeof(void *));
	*n = 0;
	if (!*arr) {
		mdb_cursor_close(c);
		return -ENOMEM;
	}
	MDB_val k, v;
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST);
	     rc == 0 && *n < ms.ms_entries;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		ProtobufCMessage *m = protobuf_c_message_unpack(
			d, arena_pb(r->a), v.mv_size, v.mv_data);
		if (!m) {
			rc = MDB_CORRUPTED;
			break;
		}
		if (inactive || get_active(m))
			(*arr)[(*n)++] = m;
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND || rc == 0 ? 0 : txn_lmdb_error(rc);
}

int catalog_get(struct req *r, const Clubcrm__GetCatalog *in,
		Clubcrm__Catalog **out)
{
	bool all = in && in->has_include_inactive && in->include_inactive;
	Clubcrm__Catalog *c = catalog_new(r);
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

static int customer_reply(struct req *r, Clubcrm__Customer *cu,
			  Clubcrm__CustomerReply **out)
{
	Clubcrm__CustomerReply *rep = arena_alloc(r->a, sizeof(*rep));
	if (!rep)
		return -ENOMEM;
	clubcrm__customer_reply__init(rep);
	rep->customer = cu;
	rep->has_revision = 1;
	rep->revision = r->rev ? r->rev : txn_revision(r->t);
	*out = rep;
	return 0;
}

int catalog_get_customer(struct req *r, const Clubcrm__GetCustomer *in,
			 Clubcrm__CustomerReply **out)
{
	Clubcrm__Customer *cu;
	int rc = rows_customer(r->t, r->a, in->id, &cu);
	if (rc == -ENOENT)
		return req_refuse(r, STATUS_NOT_FOUND, "unknown customer %llu",
				  (unsigned long long)in->id);
	return rc ? rc : customer_reply(r, cu, out);
}

/* ------------------------------------------------------------ customers */

static int check_consultant(struct req *r, uint64_t id)
{
	Clubcrm__Operator *op;
	int rc = rows_operator(r->t, r->a, id, &op);
	if (rc == -ENOENT)
		return req_refuse(r, STATUS_NOT_FOUND, "unknown consultant %llu",
				  (unsigned long long)id);
	if (!rc && !op->active)
		return req_refuse(r, STATUS_FAILED_PRECONDITION,
				  "consultant %s is inactive", op->login);
	return rc;
}

static int merge_customer(struct req *r, const Clubcrm__Customer *in,
			  bool created, Clubcrm__Customer *cu)
{
	int rc = name_field(r, in->name, created, 200, &cu->name);
	if (!rc)
		rc = optional_text(r, in->phone, 64, "phone", &cu->phone);
	if (!rc)
		rc = optional_text(r, in->email, 254, "email", &cu->email);
	if (!rc && in->has_consultant_id && in->consultant_id) {
		rc = check_consultant(r, in->consultant_id);
		cu->consultant_id = in->consultant_id;
	}
	if (in->has_active)
		cu->active = in->active;
	return rc;
}

int catalog_upsert_customer(struct req *r, const Clubcrm__UpsertCustomer *in,
			    Clubcrm__CustomerReply **out)
{
	if (!in->customer)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "customer is required");
	Clubcrm__Customer *cu;
	bool created;
	int rc = load_or_new(r, DB_CUSTOMERS, &clubcrm__customer__descriptor,
			     in->customer->id, "customer",
			     (ProtobufCMessage **)&cu, &created);
	if (rc)
		return rc;
	uint8_t old_key[QUERY_NAME_KEY_MAX + 9], new_key[sizeof(old_key)];
	size_t old_len = query_name_key(cu->name, cu->id, old_key);
	rc = merge_customer(r, in->customer, created, cu);
	if (rc)
		return rc;
	if (created)
		cu->created_at = r->who->now;
	size_t new_len = query_name_key(cu->name, cu->id, new_key);
	if (!created)
		txn_del(r->t, DB_BY_CUSTOMER_NAME, old_key, old_len);
	txn_put(r->t, DB_BY_CUSTOMER_NAME, new_key, new_len, "", 0);
	r->action = created ? "add customer" : "edit customer";
	rc = save(r, DB_CUSTOMERS, cu->id, created, &cu->base);
	return rc ? rc : customer_reply(r, cu, out);
}

/* ------------------------------------------------------------ task types */

static int check_follow_on(struct req *r, const Clubcrm__FollowOn *fo,
			   uint64_t self)
{
	if (!fo->type_id)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "a follow-on needs a type");
	if (fo->type_id != self) {
		Clubcrm__TaskType *ty;
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
	if (fo->description &&
	    (!text_is_valid(fo->description) || strlen(fo->description) > 4000))
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "follow-on description must be valid text");
	return 0;
}

int catalog_upsert_type(struct req *r, const Clubcrm__UpsertTaskType *in,
			Clubcrm__Catalog **out)
{
	const Clubcrm__TaskType *src = in->task_type;
	int rc = need_admin(r, "task types");
	if (!rc && !src)
		rc = req_refuse(r, STATUS_INVALID_ARGUMENT,
				"task_type is required");
	if (rc)
		return rc;
	Clubcrm__TaskType *ty;
	bool created;
	rc = load_or_new(r, DB_TASK_TYPES, &clubcrm__task_type__descriptor,
			 src->id, "task type", (ProtobufCMessage **)&ty,
			 &created);
	if (!rc)
		rc = name_field(r, src->name, created, CATALOG_NAME_MAX,
				&ty->name);
	if (!rc)
		rc = unique_name(r, DB_TASK_TYPES,
				 &clubcrm__task_type__descriptor, ty->id,
				 ty->name, "task type");
	if (!rc && src->n_follow_ons > 8)
		rc = req_refuse(r, STATUS_INVALID_ARGUMENT,
				"at most 8 follow-ons per type");
	for (size_t i = 0; !rc && i < src->n_follow_ons; i++)
		rc = check_follow_on(r, src->follow_ons[i], ty->id);
	if (rc)
		return rc;
	if (src->n_follow_ons || created) {
		ty->follow_ons = src->follow_ons;
		ty->n_follow_ons = src->n_follow_ons;
	}
	if (src->has_priority)
		ty->priority = src->priority;
	if (src->has_active)
		ty->active = src->active;
	r->action = created ? "add task type" : "edit task type";
	rc = save(r, DB_TASK_TYPES, ty->id, created, &ty->base);
	Clubcrm__Catalog *c = rc ? NULL : catalog_new(r);
	if (rc || !c)
		return rc ? rc : -ENOMEM;
	return reply_one(r, (void ***)&c->task_types, &c->n_task_types, ty, c,
			 out);
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
	int rc = need_admin(r, "results");
	if (!rc && !src)
		rc = req_refuse(r, STATUS_INVALID_ARGUMENT, "result is required");
	if (rc)
		return rc;
	Clubcrm__Result *res;
	bool created;
	rc = load_or_new(r, DB_RESULTS, &clubcrm__result__descriptor, src->id,
			 "result", (ProtobufCMessage **)&res, &created);
	if (!rc)
		rc = name_field(r, src->name, created, CATALOG_NAME_MAX,
				&res->name);
	if (!rc)
		rc = unique_name(r, DB_RESULTS, &clubcrm__result__descriptor,
				 res->id, res->name, "result");
	if (!rc)
		rc = merge_result(r, src, created, res);
	if (rc)
		return rc;
	r->action = created ? "add result" : "edit result";
	rc = save(r, DB_RESULTS, res->id, created, &res->base);
	Clubcrm__Catalog *c = rc ? NULL : catalog_new(r);
	if (rc || !c)
		return rc ? rc : -ENOMEM;
	return reply_one(r, (void ***)&c->results, &c->n_results, res, c, out);
}

/* ------------------------------------------------------------ tags, teams */

int catalog_upsert_tag(struct req *r, const Clubcrm__UpsertTag *in,
		       Clubcrm__Catalog **out)
{
	const Clubcrm__Tag *src = in->tag;
	int rc = need_admin(r, "tags");
	if (!rc && !src)
		rc = req_refuse(r, STATUS_INVALID_ARGUMENT, "tag is required");
	if (rc)
		return rc;
	Clubcrm__Tag *tag;
	bool created;
	rc = load_or_new(r, DB_TAGS, &clubcrm__tag__descriptor, src->id, "tag",
			 (ProtobufCMessage **)&tag, &created);
	if (!rc)
		rc = name_field(r, src->name, created, CATALOG_NAME_MAX,
				&tag->name);
	if (!rc)
		rc = unique_name(r, DB_TAGS, &clubcrm__tag__descriptor, tag->id,
				 tag->name, "tag");
	if (!rc)
		rc = optional_text(r, src->colour, 32, "colour", &tag->colour);
	if (rc)
		return rc;
	if (src->has_active)
		tag->active = src->active;
	r->action = created ? "add tag" : "edit tag";
	rc = save(r, DB_TAGS, tag->id, created, &tag->base);
	Clubcrm__Catalog *c = rc ? NULL : catalog_new(r);
	if (rc || !c)
		return rc ? rc : -ENOMEM;
	return reply_one(r, (void ***)&c->tags, &c->n_tags, tag, c, out);
}

int catalog_upsert_team(struct req *r, const Clubcrm__UpsertTeam *in,
			Clubcrm__Catalog **out)
{
	const Clubcrm__Team *src = in->team;
	int rc = need_admin(r, "teams");
	if (!rc && !src)
		rc = req_refuse(r, STATUS_INVALID_ARGUMENT, "team is required");
	if (rc)
		return rc;
	Clubcrm__Team *team;
	bool created;
	rc = load_or_new(r, DB_TEAMS, &clubcrm__team__descriptor, src->id,
			 "team", (ProtobufCMessage **)&team, &created);
	if (!rc)
		rc = name_field(r, src->name, created, CATALOG_NAME_MAX,
				&team->name);
	if (!rc)
		rc = unique_name(r, DB_TEAMS, &clubcrm__team__descriptor,
				 team->id, team->name, "team");
	if (rc)
		return rc;
	if (src->has_active)
		team->active = src->active;
	r->action = created ? "add team" : "edit team";
	rc = save(r, DB_TEAMS, team->id, created, &team->base);
	Clubcrm__Catalog *c = rc ? NULL : catalog_new(r);
	if (rc || !c)
		return rc ? rc : -ENOMEM;
	return reply_one(r, (void ***)&c->teams, &c->n_teams, team, c, out);
}

/* ------------------------------------------------------------ operators */

static bool login_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > CATALOG_LOGIN_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static int set_login(struct req *r, Clubcrm__Operator *op, const char *login)
{
	if (!login_ok(login))
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "login must be 1 to %u characters of a-z 0-9 "
				  ". _ -",
				  CATALOG_LOGIN_MAX);
	MDB_val v;
	int rc = txn_get(r->t, DB_BY_LOGIN, login, strlen(login), &v);
	if (rc == 0 && (v.mv_size != 8 || key_get_u64(v.mv_data) != op->id))
		return req_refuse(r, STATUS_ALREADY_EXISTS,
				  "login %s is taken", login);
	if (rc && rc != -ENOENT)
		return rc;
	if (op->login)
		txn_del(r->t, DB_BY_LOGIN, op->login, strlen(op->login));
	uint8_t id[8];
	key_u64(id, op->id);
	txn_put(r->t, DB_BY_LOGIN, login, strlen(login), id, sizeof(id));
	op->login = arena_strdup(r->a, login);
	return op->login ? r->t->ret : -ENOMEM;
}

static int set_password(struct req *r, Clubcrm__Operator *op, const char *pw)
{
	size_t n = strlen(pw);
	if (n < CATALOG_PASSWORD_MIN || n > CATALOG_PASSWORD_MAX)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "password must be %u to %u bytes",
				  CATALOG_PASSWORD_MIN, CATALOG_PASSWORD_MAX);
	char hash[AUTH_HASH_MAX];
	int rc = auth_hash(pw, hash);
	if (rc)
		return rc;
	uint8_t k[8];
	key_u64(k, op->id);
	txn_put(r->t, DB_CREDENTIALS, k, sizeof(k), hash, strlen(hash) + 1);
	return r->t->ret;
}

static int set_teams(struct req *r, Clubcrm__Operator *op,
		     const Clubcrm__Operator *src)
{
	if (src->n_team_ids > 32)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "at most 32 teams per operator");
	for (size_t i = 0; i < src->n_team_ids; i++) {
		Clubcrm__Team *team;
		int rc = rows_team(r->t, r->a, src->team_ids[i], &team);
		if (rc == -ENOENT)
			return req_refuse(r, STATUS_NOT_FOUND, "unknown team %llu",
					  (unsigned long long)src->team_ids[i]);
		if (rc)
			return rc;
	}
	op->team_ids = src->team_ids;
	op->n_team_ids = src->n_team_ids;
	return 0;
}

/* An admin cannot lock themselves out by accident. */
static int check_self(struct req *r, const Clubcrm__Operator *op,
		      const Clubcrm__Operator *src)
{
	if (op->id != r->who->operator_id)
		return 0;
	if (src->has_active && !src->active)
		return req_refuse(r, STATUS_FAILED_PRECONDITION,
				  "you cannot deactivate yourself");
	if (src->has_role && src->role != ADMIN)
		return req_refuse(r, STATUS_FAILED_PRECONDITION,
				  "you cannot take away your own admin role");
	return 0;
}

static int merge_operator(struct req *r, const Clubcrm__UpsertOperator *in,
			  bool created, Clubcrm__Operator *op)
{
	const Clubcrm__Operator *src = in->operator_;
	int rc = check_self(r, op, src);
	if (!rc && (src->login || created))
		rc = set_login(r, op, src->login ? src->login : "");
	if (!rc)
		rc = name_field(r, src->name, created, CATALOG_NAME_MAX,
				&op->name);
	if (rc)
		return rc;
	if (src->has_role) {
		if (src->role != ADMIN && src->role != CLUBCRM__ROLE__ROLE_OPERATOR)
			return req_refuse(r, STATUS_INVALID_ARGUMENT,
					  "role must be ADMIN or OPERATOR");
		op->role = src->role;
	} else if (created) {
		op->role = CLUBCRM__ROLE__ROLE_OPERATOR;
	}
	if (src->n_team_ids && (rc = set_teams(r, op, src)))
		return rc;
	if (src->has_active)
		op->active = src->active;
	if (created && !in->password)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "password is required for a new operator");
	return in->password ? set_password(r, op, in->password) : 0;
}

int catalog_upsert_operator(struct req *r, const Clubcrm__UpsertOperator *in,
			    Clubcrm__Catalog **out)
{
	const Clubcrm__Operator *src = in->operator_;
	int rc = need_admin(r, "operators");
	if (!rc && !src)
		rc = req_refuse(r, STATUS_INVALID_ARGUMENT,
				"operator is required");
	if (rc)
		return rc;
	Clubcrm__Operator *op;
	bool created;
	rc = load_or_new(r, DB_OPERATORS, &clubcrm__operator__descriptor,
			 src->id, "operator", (ProtobufCMessage **)&op,
			 &created);
	if (!rc)
		rc = merge_operator(r, in, created, op);
	if (rc)
		return rc;
	r->action = created ? "add operator" : "edit operator";
	rc = save(r, DB_OPERATORS, op->id, created, &op->base);
	Clubcrm__Catalog *c = rc ? NULL : catalog_new(r);
	if (rc || !c)
		return rc ? rc : -ENOMEM;
	return reply_one(r, (void ***)&c->operators, &c->n_operators, op, c,
			 out);
}

/* ------------------------------------------------------------ settings */

static int check_result_ref(struct req *r, uint64_t id)
{
	if (!id)
		return 0;
	Clubcrm__Result *res;
	int rc = rows_result(r->t, r->a, id, &res);
	if (rc == -ENOENT)
		return req_refuse(r, STATUS_NOT_FOUND, "unknown result %llu",
				  (unsigned long long)id);
	return rc;
}

static bool zone_ok(const char *z)
{
	size_t n = strlen(z);
	if (n < 1 || n > 64 || z[0] == '/' || strstr(z, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = z[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '/' || c == '_' ||
		      c == '-' || c == '+'))
			return false;
	}
	return true;
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
		if (!zone_ok(in->time_zone))
			return req_refuse(r, STATUS_INVALID_ARGUMENT,
					  "time_zone must be an IANA name such "
					  "as Europe/Madrid");
		s->time_zone = in->time_zone;
	}
	return rc ? rc : merge_hours(r, in, s);
}

int catalog_update_settings(struct req *r, const Clubcrm__UpdateSettings *in,
			    Clubcrm__Catalog **out)
{
	int rc = need_admin(r, "settings");
	if (!rc && !in->settings)
		rc = req_refuse(r, STATUS_INVALID_ARGUMENT,
				"settings is required");
	if (rc)
		return rc;
	Clubcrm__Settings *s;
	rc = rows_settings(r->t, r->a, &s);
	if (!rc)
		rc = merge_settings(r, in->settings, s);
	if (rc)
		return rc;
	r->action = "edit settings";
	rc = save(r, DB_SETTINGS, 0, false, &s->base);
	Clubcrm__Catalog *c = rc ? NULL : catalog_new(r);
	if (rc || !c)
		return rc ? rc : -ENOMEM;
	c->settings = s;
	*out = c;
	return 0;
}
