#include "catalog_record.h"

#include <string.h>
#include <strings.h>

#include "cursor.h"
#include "pb_normalize.h"
#include "rows.h"
#include "status.h"

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

bool catalog_record_active(const ProtobufCMessage *m)
{
	const ProtobufCFieldDescriptor *f = field(m, "active");
	return f && *(const protobuf_c_boolean *)((const char *)m + f->offset);
}

static const char *get_name(const ProtobufCMessage *m)
{
	const ProtobufCFieldDescriptor *f = field(m, "name");
	return f ? *(char *const *)((const char *)m + f->offset) : NULL;
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
int catalog_record_save(struct req *r, enum store_db db, uint64_t id,
			bool created, ProtobufCMessage *m)
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
int catalog_record_load_or_new(struct req *r, enum store_db db,
			       const ProtobufCMessageDescriptor *d, uint64_t id,
			       const char *what, ProtobufCMessage **out,
			       bool *created)
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
int catalog_record_unique_name(struct req *r, enum store_db db,
			       const ProtobufCMessageDescriptor *d, uint64_t id,
			       const char *name, const char *what)
{
	struct txn_cursor c;
	int found = 0;
	int rc = txn_cursor_open(&c, r->t, db);
	for (rc = rc ? rc : txn_cursor_seek(&c, NULL, 0); rc == 0 && !found;
	     rc = txn_cursor_next(&c)) {
		ProtobufCMessage *m;
		rc = txn_cursor_msg(&c, d, r->a, (void **)&m);
		if (rc)
			break;
		const char *other = get_name(m);
		uint64_t oid = c.key.len == 8 ? key_get_u64(c.key.data) : 0;
		found = oid != id && other && strcasecmp(other, name) == 0;
	}
	txn_cursor_close(&c);
	if (found)
		return req_refuse(r, STATUS_ALREADY_EXISTS,
				  "a %s named %s already exists", what, name);
	return rc == -ENOENT || rc == 0 ? 0 : rc;
}

/* A name to set: required for a new entry, optional on an edit. */
int catalog_record_name(struct req *r, const char *in, bool created, size_t max,
			char **dst)
{
	if (!in && !created)
		return 0;
	return req_name(r, in, max, "name", dst);
}

int catalog_record_text(struct req *r, const char *in, size_t max,
			const char *what, char **dst)
{
	if (!in)
		return 0;
	int rc = req_text(r, in, max, what);
	if (rc)
		return rc;
	*dst = text_trim(r->a, in);
	return *dst ? 0 : -ENOMEM;
}

Clubcrm__Catalog *catalog_record_catalog(struct req *r)
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
int catalog_record_reply_one(struct req *r, void ***arr, size_t *n, void *entry,
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

