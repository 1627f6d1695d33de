#include "check.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "changelog.h"
#include "clubcrm.pb-c.h"
#include "cursor.h"
#include "index.h"

struct checker {
	struct txn t;
	FILE *out;
	struct check_result *res;
	struct arena scratch;        /* one task's chain at a time */
	unsigned long long links;    /* in every task's chain */
	unsigned long long task_events;  /* in the change log */
};

__attribute__((format(printf, 2, 3)))
static void problem(struct checker *ck, const char *fmt, ...)
{
	ck->res->problems++;
	if (!ck->out)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("problem: ", ck->out);
	vfprintf(ck->out, fmt, ap);
	fputc('\n', ck->out);
	va_end(ap);
}

static uint64_t meta_u64(struct checker *ck, const char *name)
{
	struct txn_val v;
	if (txn_get(&ck->t, DB_META, name, strlen(name), &v) || v.len != 8)
		return 0;
	return key_get_u64(v.data);
}

static bool exists(struct checker *ck, enum store_db db, uint64_t id)
{
	uint8_t k[8];
	struct txn_val v;
	key_u64(k, id);
	return txn_get(&ck->t, db, k, sizeof(k), &v) == 0;
}

typedef int (*row_fn)(struct checker *ck, const struct txn_val *k,
		      const struct txn_val *v, void *arg);

/* Calls fn for every entry of a database; stops on a negative return. */
static int each(struct checker *ck, enum store_db db, row_fn fn, void *arg)
{
	struct txn_cursor c;
	int rc = txn_cursor_open(&c, &ck->t, db);
	for (rc = rc ? rc : txn_cursor_seek(&c, NULL, 0); rc == 0;
	     rc = txn_cursor_next(&c)) {
		int frc = fn(ck, &c.key, &c.val, arg);
		if (frc < 0) {
			txn_cursor_close(&c);
			return frc;
		}
	}
	txn_cursor_close(&c);
	return rc == -ENOENT ? 0 : rc;
}

/* ------------------------------------------------------------ tasks */

static bool index_has(struct checker *ck, enum store_db db, const uint8_t *key,
		      size_t len)
{
	struct txn_val v;
	return txn_get(&ck->t, db, key, len, &v) == 0;
}

static void check_task_indexes(struct checker *ck, const Clubcrm__Task *t)
{
	const struct index_task_keys tk = {
		.planned_at = t->planned_at,
		.created_at = t->created_at,
		.id = t->id,
		.customer_id = t->customer_id,
		.operator_id = t->operator_id,
	};
	struct index_task_entries k;
	index_task_entries(&tk, &k);
	if (!index_has(ck, DB_BY_PLANNED, k.planned, sizeof(k.planned)))
		problem(ck, "task %llu: missing from by_planned",
			(unsigned long long)t->id);
	if (!index_has(ck, DB_BY_CREATED, k.created, sizeof(k.created)))
		problem(ck, "task %llu: missing from by_created",
			(unsigned long long)t->id);
	if (!index_has(ck, DB_BY_CUSTOMER, k.customer, sizeof(k.customer)))
		problem(ck, "task %llu: missing from by_customer",
			(unsigned long long)t->id);
	if (!index_has(ck, DB_BY_OPERATOR_PLANNED, k.operator,
		       sizeof(k.operator)))
		problem(ck, "task %llu: missing from by_operator_planned",
			(unsigned long long)t->id);
}

static void check_task_refs(struct checker *ck, const Clubcrm__Task *t)
{
	unsigned long long id = t->id;
	if (!exists(ck, DB_TASK_TYPES, t->type_id))
		problem(ck, "task %llu: unknown type %llu", id,
			(unsigned long long)t->type_id);
	if (!exists(ck, DB_CUSTOMERS, t->customer_id))
		problem(ck, "task %llu: unknown customer %llu", id,
			(unsigned long long)t->customer_id);
	if (!exists(ck, DB_OPERATORS, t->operator_id))
		problem(ck, "task %llu: unknown operator %llu", id,
			(unsigned long long)t->operator_id);
	if (!exists(ck, DB_OPERATORS, t->creator_id))
		problem(ck, "task %llu: unknown creator %llu", id,
			(unsigned long long)t->creator_id);
	if (t->result_id && !exists(ck, DB_RESULTS, t->result_id))
		problem(ck, "task %llu: unknown result %llu", id,
			(unsigned long long)t->result_id);
	if (t->taken_by && !exists(ck, DB_OPERATORS, t->taken_by))
		problem(ck, "task %llu: taken by unknown operator %llu", id,
			(unsigned long long)t->taken_by);
	if (t->follows_id && !exists(ck, DB_TASKS, t->follows_id))
		problem(ck, "task %llu: follows unknown task %llu", id,
			(unsigned long long)t->follows_id);
	for (size_t i = 0; i < t->n_tag_ids; i++)
		if (!exists(ck, DB_TAGS, t->tag_ids[i]))
			problem(ck, "task %llu: unknown tag %llu", id,
				(unsigned long long)t->tag_ids[i]);
}

static bool valid_status(Clubcrm__TaskStatus s)
{
	return s == CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED ||
	       s == CLUBCRM__TASK_STATUS__TASK_STATUS_DONE ||
	       s == CLUBCRM__TASK_STATUS__TASK_STATUS_CANCELLED;
}

/*
 * The task's chain through the change log, from its mod_rev down to its
 * create_rev: every link's change set holds the task at that revision and
 * names an older previous one (changelog.h checks each link; a walk
 * cannot loop, each step goes down).
 */
static void check_task_history(struct checker *ck, const Clubcrm__Task *t,
			       uint64_t revision)
{
	if (t->mod_rev > revision || t->create_rev > t->mod_rev) {
		problem(ck, "task %llu: revisions %llu..%llu out of order "
			"(club at %llu)", (unsigned long long)t->id,
			(unsigned long long)t->create_rev,
			(unsigned long long)t->mod_rev,
			(unsigned long long)revision);
		return;
	}
	struct changelog_walk w;
	changelog_walk_task(&w, &ck->t, &ck->scratch, t);
	int rc;
	while ((rc = changelog_walk_next(&w)) == 0) {
		ck->links++;
		arena_reset(&ck->scratch);
	}
	arena_reset(&ck->scratch);
	if (rc == -EIO)
		problem(ck, "task %llu: its history is broken at revision "
			"%llu: %s", (unsigned long long)t->id,
			(unsigned long long)w.rev, w.why);
	else if (rc != -ENOENT)
		problem(ck, "task %llu: its history could not be read (%d)",
			(unsigned long long)t->id, rc);
}

static int check_task(struct checker *ck, const struct txn_val *k,
		      const struct txn_val *v, void *arg)
{
	const uint64_t *limits = arg;  /* revision, next task id */
	ck->res->tasks++;
	Clubcrm__Task *t = clubcrm__task__unpack(NULL, v->len, v->data);
	if (!t || k->len != 8) {
		problem(ck, "a task record does not decode");
		if (t)
			clubcrm__task__free_unpacked(t, NULL);
		return 0;
	}
	if (t->id != key_get_u64(k->data))
		problem(ck, "task %llu stored under key %llu",
			(unsigned long long)t->id,
			(unsigned long long)key_get_u64(k->data));
	if (t->id > limits[1])
		problem(ck, "task %llu: beyond the id counter %llu",
			(unsigned long long)t->id, (unsigned long long)limits[1]);
	if (!valid_status(t->status))
		problem(ck, "task %llu: invalid status %d",
			(unsigned long long)t->id, (int)t->status);
	check_task_refs(ck, t);
	check_task_indexes(ck, t);
	check_task_history(ck, t, limits[0]);
	clubcrm__task__free_unpacked(t, NULL);
	return 0;
}

/* Every index entry points at a task whose fields give that key. */
static int check_index_entry(struct checker *ck, const struct txn_val *k,
			     const struct txn_val *v, void *arg)
{
	(void)v;
	enum store_db db = *(const enum store_db *)arg;
	size_t len = db == DB_BY_PLANNED || db == DB_BY_CREATED ? 16 : 24;
	if (k->len != len) {
		problem(ck, "index %d: key of %zu bytes", (int)db, k->len);
		return 0;
	}
	const uint8_t *key = k->data;
	uint64_t id = key_get_u64(key + len - 8);
	uint8_t tk[8];
	struct txn_val tv;
	key_u64(tk, id);
	if (txn_get(&ck->t, DB_TASKS, tk, 8, &tv)) {
		problem(ck, "index %d: entry for missing task %llu", (int)db,
			(unsigned long long)id);
		return 0;
	}
	Clubcrm__Task *t = clubcrm__task__unpack(NULL, tv.len, tv.data);
	if (!t)
		return 0;  /* reported by check_task */
	uint8_t want[24];
	switch (db) {
	case DB_BY_PLANNED:
		key_time(want, t->planned_at);
		break;
	case DB_BY_CREATED:
		key_time(want, t->created_at);
		break;
	case DB_BY_CUSTOMER:
		key_u64(want, t->customer_id);
		key_time(want + 8, t->planned_at);
		break;
	default:
		key_u64(want, t->operator_id);
		key_time(want + 8, t->planned_at);
		break;
	}
	key_u64(want + len - 8, id);
	if (memcmp(want, key, len))
		problem(ck, "index %d: stale entry for task %llu", (int)db,
			(unsigned long long)id);
	clubcrm__task__free_unpacked(t, NULL);
	return 0;
}

/* ------------------------------------------------------- change log */

static int check_change(struct checker *ck, const struct txn_val *k,
			const struct txn_val *v, void *arg)
{
	uint64_t *expect = arg;
	ck->res->changes++;
	uint64_t rev = k->len == 8 ? key_get_u64(k->data) : 0;
	if (rev != *expect)
		problem(ck, "change log: revision %llu where %llu was expected",
			(unsigned long long)rev, (unsigned long long)*expect);
	*expect = rev + 1;
	Clubcrm__ChangeSet *cs =
		clubcrm__change_set__unpack(NULL, v->len, v->data);
	if (!cs) {
		problem(ck, "change log: revision %llu does not decode",
			(unsigned long long)rev);
		return 0;
	}
	if (cs->revision != rev)
		problem(ck, "change log: revision %llu holds revision %llu",
			(unsigned long long)rev,
			(unsigned long long)cs->revision);
	/* Each task once per set, as its chain has one link per set. */
	for (size_t i = 0; i < cs->n_events; i++) {
		const Clubcrm__Event *ev = cs->events[i];
		if (ev->record_case == CLUBCRM__EVENT__RECORD_TASK &&
		    ev->task && changelog_task_event(cs, ev->task->id) == ev)
			ck->task_events++;
	}
	clubcrm__change_set__free_unpacked(cs, NULL);
	return 0;
}

/* ------------------------------------------------------- catalogue */

struct record_check {
	const ProtobufCMessageDescriptor *d;
	const char *what;
	uint64_t next_id;
	unsigned long *count;
};

static int check_record(struct checker *ck, const struct txn_val *k,
			const struct txn_val *v, void *arg)
{
	struct record_check *rc = arg;
	if (rc->count)
		(*rc->count)++;
	ProtobufCMessage *m =
		protobuf_c_message_unpack(rc->d, NULL, v->len, v->data);
	if (!m || k->len != 8) {
		problem(ck, "%s: a record does not decode", rc->what);
		if (m)
			protobuf_c_message_free_unpacked(m, NULL);
		return 0;
	}
	/* Every catalogue record starts with `optional uint64 id = 1`. */
	uint64_t id = *(const uint64_t *)((const char *)m +
					  rc->d->fields[0].offset);
	if (id != key_get_u64(k->data))
		problem(ck, "%s %llu stored under another key", rc->what,
			(unsigned long long)id);
	if (id > rc->next_id)
		problem(ck, "%s %llu: beyond the id counter %llu", rc->what,
			(unsigned long long)id, (unsigned long long)rc->next_id);
	protobuf_c_message_free_unpacked(m, NULL);
	return 0;
}

static int check_catalogue(struct checker *ck)
{
	struct {
		enum store_db db;
		const ProtobufCMessageDescriptor *d;
		const char *what, *counter;
		unsigned long *count;
	} dbs[] = {
		{DB_CUSTOMERS, &clubcrm__customer__descriptor, "customer",
		 "next_id.customers", &ck->res->customers},
		{DB_OPERATORS, &clubcrm__operator__descriptor, "operator",
		 "next_id.operators", &ck->res->operators},
		{DB_TEAMS, &clubcrm__team__descriptor, "team", "next_id.teams",
		 NULL},
		{DB_TASK_TYPES, &clubcrm__task_type__descriptor, "task type",
		 "next_id.task_types", NULL},
		{DB_RESULTS, &clubcrm__result__descriptor, "result",
		 "next_id.results", NULL},
		{DB_TAGS, &clubcrm__tag__descriptor, "tag", "next_id.tags", NULL},
	};
	for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
		struct record_check rc = {
			.d = dbs[i].d, .what = dbs[i].what,
			.next_id = meta_u64(ck, dbs[i].counter),
			.count = dbs[i].count,
		};
		int ret = each(ck, dbs[i].db, check_record, &rc);
		if (ret)
			return ret;
	}
	return 0;
}

int check_store(struct store *st, FILE *out, struct check_result *res)
{
	struct checker ck = {.out = out, .res = res};
	memset(res, 0, sizeof(*res));
	txn_begin(&ck.t, st, NULL, false);
	if (ck.t.ret)
		return ck.t.ret;
	arena_init(&ck.scratch);
	uint64_t limits[2] = {meta_u64(&ck, "revision"),
			      meta_u64(&ck, "next_id.tasks")};
	res->revision = limits[0];
	uint64_t expect = 1;
	enum store_db indexes[] = {DB_BY_PLANNED, DB_BY_CREATED, DB_BY_CUSTOMER,
				   DB_BY_OPERATOR_PLANNED};
	int rc = check_catalogue(&ck);
	if (!rc)
		rc = each(&ck, DB_TASKS, check_task, limits);
	for (size_t i = 0; i < 4 && !rc; i++)
		rc = each(&ck, indexes[i], check_index_entry, &indexes[i]);
	if (!rc)
		rc = each(&ck, DB_CHANGES, check_change, &expect);
	if (!rc && expect != limits[0] + 1)
		problem(&ck, "change log ends at revision %llu, the club is at "
			"%llu", (unsigned long long)expect - 1,
			(unsigned long long)limits[0]);
	/* Every task change is some task's link: none left outside a chain
	 * (said when nothing else was, a broken chain already counts short). */
	if (!rc && !res->problems && ck.task_events != ck.links)
		problem(&ck, "change log: %llu task changes, %llu of them in "
			"the tasks' histories", ck.task_events, ck.links);
	txn_abort(&ck.t);
	arena_free(&ck.scratch);
	return rc;
}

/* ------------------------------------------------------------ journal */

/* Where and why the journal's log ends, into line (of n bytes). */
static void journal_end_text(const struct journal_verify_result *jv,
			     char *line, size_t n)
{
	const char *why = jv->end.why ? jv->end.why : "a bad record";
	const char *what =
		jv->end.stop == JOURNAL_STOP_FULL ? "the segment is full" :
		jv->end.stop == JOURNAL_STOP_ZERO ? "never written past" :
		jv->end.stop == JOURNAL_STOP_STALE ?
			"older records of a recycled segment" :
		jv->follows ? "damage" :
			"a torn tail, its write never acknowledged";
	bool bad = jv->end.stop == JOURNAL_STOP_BAD;
	snprintf(line, n, "ends in %s at byte %zu: %s%s%s%s",
		 jv->end_segment, jv->end.offset, what, bad ? " (" : "",
		 bad ? why : "", bad ? ")" : "");
}

void check_journal(const struct store_tool_view *v, FILE *out,
		   struct check_result *res)
{
	const struct journal_verify_result *jv = &v->jv;
	bool damage = v->journal && !v->verify_rc && jv->follows;
	bool kept = v->journal && !v->verify_rc && jv->damaged;
	res->problems += (v->journal && v->verify_rc) + damage + kept;
	if (!out)
		return;
	if (!v->journal) {
		fprintf(out, "journal: none (no server has journalled here)\n");
		return;
	}
	if (v->verify_rc) {
		fprintf(out, "problem: journal: cannot be read (%s)\n",
			strerror(-v->verify_rc));
		return;
	}
	/* Damage is a problem even when the checkpoint holds all it cut
	 * off: the disk changed what was written. */
	if (damage && jv->follows_rev <= v->checkpoint)
		fprintf(out, "problem: journal: valid records lie after its "
			"end in %s at byte %zu: damage, though the checkpoint "
			"holds every batch they carry (nothing lost)\n",
			jv->end_segment, jv->end.offset);
	else if (damage)
		fprintf(out, "problem: journal: valid records (up to batch %"
			PRIu64 ") lie after its end in %s at byte %zu: "
			"acknowledged writes after the checkpoint %s\n",
			jv->follows_rev, jv->end_segment, jv->end.offset,
			v->served ? "are in the running server's memory only"
				  : "were lost");
	if (kept)
		fprintf(out, "problem: journal: %zu damaged segment(s) kept "
			"aside as journal/damaged-* (a replay found valid "
			"records after a bad one: acknowledged writes may have "
			"been lost): look at them, then remove them\n",
			jv->damaged);
	char end[160] = "";
	if (jv->segments)
		journal_end_text(jv, end, sizeof(end));
	fprintf(out, "journal: %zu segment(s), %zu record(s)", jv->segments,
		jv->records);
	if (jv->records)
		fprintf(out, " (batches %" PRIu64 "-%" PRIu64 ")",
			jv->first_rev, jv->last_rev);
	if (jv->segments)
		fprintf(out, ", %s", end);
	if (v->served)
		fprintf(out, "; a server is running: this check read its last "
			"checkpoint (batch %" PRIu64 "), the %zu record(s) "
			"after it are the server's\n", v->checkpoint,
			jv->after);
	else
		fprintf(out, "; %zu record(s) after the checkpoint (batch %"
			PRIu64 ") replayed\n", jv->after, v->checkpoint);
}
