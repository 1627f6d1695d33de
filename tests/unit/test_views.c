/* Live views, domain half: snapshots, deltas of commits, replay, catalogue
 * edits. The clock's changes are test_views_clock.c's. */
#include "views_fixture.h"

static void test_snapshot_views(void **state)
{
	struct vfx *v = *state;
	struct buf ch = {0};
	uint64_t normal = create_keep(v, v->c.call, FX_NOW + 3600, &ch);
	buf_free(&ch);
	uint64_t urgent = create_keep(v, v->c.urgent, FX_NOW + 7200, &ch);
	buf_free(&ch);
	uint64_t late = create_keep(v, v->c.call, FX_NOW - 60, &ch);
	buf_free(&ch);

	struct idlist ids;
	Clubcrm__View board = VIEW(BOARD), urg = VIEW(URGENT),
		      over = VIEW(OVERDUE), prep = VIEW(IN_PREPARATION);
	uint64_t rev = snapshot(v->fx, &board, FX_NOW, &ids, NULL);
	assert_true(rev > 0);
	assert_int_equal(ids.n, 3);
	snapshot(v->fx, &urg, FX_NOW, &ids, NULL);
	assert_int_equal(ids.n, 1);
	assert_int_equal(ids.ids[0], urgent);
	snapshot(v->fx, &over, FX_NOW, &ids, NULL);
	assert_int_equal(ids.n, 1);
	assert_int_equal(ids.ids[0], late);
	snapshot(v->fx, &prep, FX_NOW, &ids, NULL);
	assert_int_equal(ids.n, 3);
	assert_true(idlist_has(&ids, normal));

	Clubcrm__View cust = VIEW(CUSTOMER);
	cust.has_customer_id = 1;
	cust.customer_id = v->c.manolo;
	snapshot(v->fx, &cust, FX_NOW, &ids, NULL);
	assert_int_equal(ids.n, 0);
	cust.customer_id = v->c.arantxa;
	snapshot(v->fx, &cust, FX_NOW, &ids, NULL);
	assert_int_equal(ids.n, 3);

	Clubcrm__View agenda = VIEW(AGENDA);
	agenda.has_from = agenda.has_to = 1;
	agenda.from = FX_NOW;
	agenda.to = FX_NOW + 3601;
	snapshot(v->fx, &agenda, FX_NOW, &ids, NULL);
	assert_int_equal(ids.n, 1);
	assert_int_equal(ids.ids[0], normal);

	/* A creation range walks by_created: [from, to), like the filter. */
	Clubcrm__TaskFilter cf = CLUBCRM__TASK_FILTER__INIT;
	cf.has_created_from = cf.has_created_to = 1;
	cf.created_from = FX_NOW;
	cf.created_to = FX_NOW + 1;
	board.filter = &cf;
	snapshot(v->fx, &board, FX_NOW, &ids, NULL);
	assert_int_equal(ids.n, 3);
	cf.created_to = FX_NOW;
	snapshot(v->fx, &board, FX_NOW, &ids, NULL);
	assert_int_equal(ids.n, 0);
	cf.has_created_to = 0;
	cf.created_from = FX_NOW + 1;
	snapshot(v->fx, &board, FX_NOW, &ids, NULL);
	assert_int_equal(ids.n, 0);
}

/* Many tasks of every sort, in batches of writes (one commit each). */
static void create_many(struct vfx *v, uint64_t *ids, size_t n)
{
	enum { BATCH = 100 };
	char desc[BATCH][200];
	uint64_t tags[2] = {v->c.vip, v->c.old};
	for (size_t done = 0; done < n; done += BATCH) {
		struct service_write_op ops[BATCH];
		Clubcrm__Frame reqs[BATCH];
		Clubcrm__CreateTask cts[BATCH];
		size_t m = n - done < BATCH ? n - done : BATCH;
		for (size_t i = 0; i < m; i++) {
			size_t k = done + i;
			snprintf(desc[i], sizeof(desc[i]),
				 "Task %zu: call about the %.*s", k,
				 (int)(k * 37 % 150),
				 "renewal renewal renewal renewal renewal "
				 "renewal renewal renewal renewal renewal "
				 "renewal renewal renewal renewal renewal "
				 "renewal renewal renewal renewal renewal ");
			cts[i] = fx_new_task(&v->c, desc[i],
					     FX_NOW + (int64_t)(k * 7919 % 172800) -
						     86400);
			cts[i].type_id = k % 3 ? v->c.call : v->c.urgent;
			cts[i].customer_id = k % 5 ? v->c.arantxa : v->c.manolo;
			cts[i].tag_ids = tags;
			cts[i].n_tag_ids = k % 4;
			if (cts[i].n_tag_ids > 2)
				cts[i].n_tag_ids = 0;
			reqs[i] = (Clubcrm__Frame)CLUBCRM__FRAME__INIT;
			reqs[i].has_request_id = 1;
			reqs[i].request_id = k + 1;
			reqs[i].body_case = BODY(CREATE_TASK);
			reqs[i].create_task = &cts[i];
			ops[i] = (struct service_write_op){
				.who = fx_actor(k % 2 ? v->c.ana : v->c.carl, 1),
				.req = &reqs[i]};
		}
		assert_int_equal(service_write_batch(v->fx->st, ops, m), 0);
		for (size_t i = 0; i < m; i++) {
			Clubcrm__Frame *r = ops[i].reply;
			assert_int_equal(r->body_case, BODY(TASK_REPLY));
			ids[done + i] = r->task_reply->row->task->id;
			service_write_op_free(&ops[i]);
		}
	}
}

/*
 * Each chunk of a multi-chunk snapshot is byte for byte what encoding its
 * rows with protobuf-c gives (the task's stored bytes spliced into each row
 * are no different), and the view holds exactly the tasks whose rows
 * task_view_matches() accepts: the pre-filter on the task alone loses none.
 */
static void check_snapshot(struct vfx *v, const Clubcrm__View *view,
			   const uint64_t *ids, Clubcrm__TaskRow **all,
			   size_t n, size_t *rows_out, int *chunks_out)
{
	struct view_snapshot *s;
	assert_int_equal(views_snapshot_begin(v->fx->st, view, FX_NOW, &s), 0);
	size_t rows = 0;
	int chunks = 0, more;
	uint8_t *seen = calloc(n, 1);
	do {
		struct buf b = {0};
		more = snap_next(s, 3, &b);
		assert_true(more >= 0);
		Clubcrm__Frame *f = fx_decode(v->fx, &b);
		assert_int_equal(f->body_case, BODY(SNAPSHOT_CHUNK));
		const Clubcrm__SnapshotChunk *c = f->snapshot_chunk;
		struct buf body = {0}, want = {0};
		for (size_t i = 0; i < c->n_rows; i++) {
			size_t len = clubcrm__task_row__get_packed_size(c->rows[i]);
			uint8_t *p = malloc(len);
			clubcrm__task_row__pack(c->rows[i], p);
			assert_int_equal(wire_bytes(&body, 2, p, len), 0);
			free(p);
			size_t k = 0;
			while (k < n && ids[k] != c->rows[i]->task->id)
				k++;
			assert_true(k < n);
			assert_false(seen[k]);
			seen[k] = 1;
		}
		/* The first chunk a screenful, the others full. */
		if (more)
			assert_true(body.len >= (chunks ? VIEWS_CHUNK_BYTES
						: VIEWS_FIRST_CHUNK_BYTES));
		if (!chunks)
			assert_true(body.len <
				    VIEWS_FIRST_CHUNK_BYTES + 4096);
		assert_int_equal(wire_uint(&body, 1, 3), 0);
		assert_int_equal(frame_push(&want, BODY(SNAPSHOT_CHUNK), &body), 0);
		assert_int_equal(b.len, want.len);
		assert_memory_equal(b.data, want.data, want.len);
		rows += c->n_rows;
		chunks++;
		buf_free(&b);
		buf_free(&body);
		buf_free(&want);
	} while (more == 1);
	views_snapshot_end(s);
	struct task_filter_env env = {.now = FX_NOW};
	for (size_t k = 0; k < n; k++) {
		if (task_view_matches(view, all[k], &env) != (bool)seen[k])
			fail_msg("task %llu: in the view %d, in the snapshot %d",
				 (unsigned long long)ids[k],
				 task_view_matches(view, all[k], &env), seen[k]);
	}
	free(seen);
	*rows_out = rows;
	*chunks_out = chunks;
}

static void test_snapshot_chunks_as_encoded(void **state)
{
	struct vfx *v = *state;
	enum { N = 2400 };
	static uint64_t ids[N];
	create_many(v, ids, N);
	/* Some taken, some concluded. */
	struct buf ch = {0};
	for (size_t k = 0; k < N; k += 7) {
		take_keep(v, ids[k], v->c.bea, &ch);
		buf_free(&ch);
	}
	for (size_t k = 3; k < N; k += 11) {
		close_keep(v, ids[k], &ch);
		buf_free(&ch);
	}

	static Clubcrm__TaskRow *all[N];
	for (size_t k = 0; k < N; k++)
		all[k] = fx_get(v->fx, ids[k], 0, NULL);

	Clubcrm__TaskFilter planned = CLUBCRM__TASK_FILTER__INIT;
	planned.has_planned_from = planned.has_planned_to = 1;
	planned.planned_from = FX_NOW - 43200;
	planned.planned_to = FX_NOW + 43200;
	Clubcrm__TaskFilter created = CLUBCRM__TASK_FILTER__INIT;
	created.has_created_from = 1;
	created.created_from = FX_NOW;
	Clubcrm__TaskFilter text = CLUBCRM__TASK_FILTER__INIT;
	text.text = (char *)"manolo";
	Clubcrm__TaskFilter taken = CLUBCRM__TASK_FILTER__INIT;
	taken.has_taken = taken.taken = 1;
	Clubcrm__TaskFilter calm = CLUBCRM__TASK_FILTER__INIT;
	calm.has_urgent = 1;
	calm.urgent = 0;
	Clubcrm__View views[11];
	views[0] = VIEW(BOARD);
	views[1] = VIEW(BOARD);
	views[1].filter = &planned;
	views[2] = VIEW(BOARD);
	views[2].filter = &created;
	views[3] = VIEW(BOARD);
	views[3].filter = &text;
	views[4] = VIEW(BOARD);
	views[4].filter = &taken;
	views[5] = VIEW(URGENT);
	views[6] = VIEW(OVERDUE);
	views[7] = VIEW(IN_PREPARATION);
	views[8] = VIEW(CUSTOMER);
	views[8].has_customer_id = 1;
	views[8].customer_id = v->c.arantxa;
	views[9] = VIEW(AGENDA);
	views[9].has_from = views[9].has_to = 1;
	views[9].from = FX_NOW;
	views[9].to = FX_NOW + 86400;
	views[10] = VIEW(BOARD);
	views[10].filter = &calm;
	for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++) {
		size_t rows;
		int chunks;
		check_snapshot(v, &views[i], ids, all, N, &rows, &chunks);
		if (i == 0) {
			/* The whole board: several full chunks. */
			assert_int_equal(rows, N);
			assert_true(chunks >= 2);
		}
		assert_true(rows > 0);
	}
}

/* A frame built in place equals one wrapped around a separate body, for
 * bodies whose length takes 1, 2, 3 and 4 bytes, after earlier output. */
static void test_catalog_snapshot(void **state)
{
	struct vfx *v = *state;
	Clubcrm__View cat = VIEW(CATALOG);
	struct view_snapshot *s;
	assert_int_equal(views_snapshot_begin(v->fx->st, &cat, FX_NOW, &s), 0);
	struct buf b = {0};
	assert_int_equal(snap_next(s, 1, &b), 1);
	Clubcrm__Frame *f = fx_decode(v->fx, &b);
	assert_non_null(f->snapshot_chunk->catalog);
	assert_int_equal(f->snapshot_chunk->catalog->n_task_types, 2);
	assert_int_equal(f->snapshot_chunk->catalog->n_operators, 3);
	b.len = 0;
	assert_int_equal(snap_next(s, 1, &b), 0);
	f = fx_decode(v->fx, &b);
	assert_int_equal(f->snapshot_chunk->n_customers, 2);
	buf_free(&b);
	views_snapshot_end(s);
}

/* The defining moment: a take turns the urgent row yellow everywhere. */
static void test_take_turns_row_yellow(void **state)
{
	struct vfx *v = *state;
	Clubcrm__View urg = VIEW(URGENT), prep = VIEW(IN_PREPARATION),
		      board = VIEW(BOARD);
	struct buf ch = {0};
	uint64_t id = create_keep(v, v->c.urgent, FX_NOW + 600, &ch);
	Clubcrm__Delta *d = commit_delta(v, &ch, &urg);
	assert_non_null(d);
	assert_int_equal(d->n_upserts, 1);
	assert_int_equal(d->upserts[0]->task->id, id);
	assert_int_equal(d->upserts[0]->colour, CLUBCRM__COLOUR__COLOUR_RED);
	buf_free(&ch);

	take_keep(v, id, v->c.carl, &ch);
	d = commit_delta(v, &ch, &urg);
	assert_non_null(d);
	assert_int_equal(d->n_upserts, 1);
	assert_int_equal(d->upserts[0]->colour, CLUBCRM__COLOUR__COLOUR_YELLOW);
	assert_string_equal(d->upserts[0]->taken_by_login, "carl");
	assert_true(d->revision > 0);
	/* It leaves "in preparation": nobody has it there any more. */
	d = commit_delta(v, &ch, &prep);
	assert_non_null(d);
	assert_int_equal(d->n_upserts, 0);
	assert_int_equal(d->n_removed_ids, 1);
	assert_int_equal(d->removed_ids[0], id);
	buf_free(&ch);

	close_keep(v, id, &ch);
	d = commit_delta(v, &ch, &urg);
	assert_non_null(d);
	assert_int_equal(d->n_removed_ids, 1);
	d = commit_delta(v, &ch, &board);
	assert_non_null(d);
	assert_int_equal(d->n_upserts, 1);
	assert_int_equal(d->upserts[0]->task->status,
			 CLUBCRM__TASK_STATUS__TASK_STATUS_DONE);
	/* A view the task never was in hears nothing. */
	d = commit_delta(v, &ch, &prep);
	assert_null(d);
	buf_free(&ch);
}

static void test_replay_equals_fresh_snapshot(void **state)
{
	struct vfx *v = *state;
	struct buf ch = {0};
	uint64_t a = create_keep(v, v->c.urgent, FX_NOW + 60, &ch);
	buf_free(&ch);
	uint64_t b = create_keep(v, v->c.call, FX_NOW + 60, &ch);
	buf_free(&ch);
	Clubcrm__View prep = VIEW(IN_PREPARATION), urg = VIEW(URGENT);
	struct idlist held_prep, held_urg, fresh;
	uint64_t since = snapshot(v->fx, &prep, FX_NOW, &held_prep, NULL);
	snapshot(v->fx, &urg, FX_NOW, &held_urg, NULL);

	/* While the client is away: a take, a close, two new tasks. */
	take_keep(v, a, v->c.bea, &ch);
	buf_free(&ch);
	close_keep(v, b, &ch);
	buf_free(&ch);
	uint64_t c = create_keep(v, v->c.urgent, FX_NOW + 90, &ch);
	buf_free(&ch);
	create_keep(v, v->c.call, FX_NOW + 90, &ch);
	buf_free(&ch);

	replay_into(v->fx, &prep, since, &held_prep);
	snapshot(v->fx, &prep, FX_NOW, &fresh, NULL);
	assert_same_ids(&held_prep, &fresh);
	assert_false(idlist_has(&held_prep, a));
	assert_false(idlist_has(&held_prep, b));

	replay_into(v->fx, &urg, since, &held_urg);
	snapshot(v->fx, &urg, FX_NOW, &fresh, NULL);
	assert_same_ids(&held_urg, &fresh);
	assert_true(idlist_has(&held_urg, a));
	assert_true(idlist_has(&held_urg, c));

	/* Nothing changed since: nothing to send. */
	struct buf out = {0};
	uint64_t rev;
	uint64_t now_rev = snapshot(v->fx, &urg, FX_NOW, &fresh, NULL);
	assert_int_equal(views_replay(v->fx->st, &urg, 4, now_rev, FX_NOW,
				      emit_deltas, &out, &rev), 0);
	assert_int_equal(out.len, 0);
	assert_int_equal(rev, now_rev);
	/* A revision from the future (another database): a snapshot instead. */
	assert_int_equal(views_replay(v->fx->st, &urg, 4, now_rev + 5, FX_NOW,
				      emit_deltas, &out, &rev), -ESTALE);
	buf_free(&out);
}

static void set_type_priority(struct vfx *v, uint64_t type, int priority,
			      struct buf *changes)
{
	Clubcrm__TaskType t = CLUBCRM__TASK_TYPE__INIT;
	t.has_id = t.has_priority = 1;
	t.id = type;
	t.priority = priority;
	Clubcrm__UpsertTaskType u = CLUBCRM__UPSERT_TASK_TYPE__INIT;
	u.task_type = &t;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(UPSERT_TASK_TYPE);
	f.upsert_task_type = &u;
	Clubcrm__Frame *r = write_keep(v->fx, fx_actor(v->c.ana, 1), &f, changes);
	if (r->body_case == BODY(ERROR))
		fail_msg("%s", r->error->message);
}

static void test_type_made_priority_recolours_rows(void **state)
{
	struct vfx *v = *state;
	Clubcrm__View urg = VIEW(URGENT), board = VIEW(BOARD),
		      cat = VIEW(CATALOG);
	struct buf ch = {0};
	uint64_t id = create_keep(v, v->c.call, FX_NOW + 60, &ch);
	assert_null(commit_delta(v, &ch, &urg));
	buf_free(&ch);

	set_type_priority(v, v->c.call, 1, &ch);
	Clubcrm__Delta *d = commit_delta(v, &ch, &urg);
	assert_non_null(d);
	assert_int_equal(d->n_upserts, 1);
	assert_int_equal(d->upserts[0]->task->id, id);
	assert_int_equal(d->upserts[0]->colour, CLUBCRM__COLOUR__COLOUR_RED);
	d = commit_delta(v, &ch, &cat);
	assert_non_null(d);
	assert_non_null(d->catalog);
	assert_int_equal(d->catalog->n_task_types, 1);
	assert_true(d->catalog->task_types[0]->priority);
	buf_free(&ch);

	set_type_priority(v, v->c.call, 0, &ch);
	d = commit_delta(v, &ch, &urg);
	assert_non_null(d);
	assert_int_equal(d->n_upserts, 0);
	assert_int_equal(d->n_removed_ids, 1);
	/* The board keeps the row, now uncoloured. */
	d = commit_delta(v, &ch, &board);
	assert_non_null(d);
	assert_int_equal(d->n_upserts, 1);
	assert_int_equal(d->upserts[0]->colour, CLUBCRM__COLOUR__COLOUR_NONE);
	buf_free(&ch);
}

static void test_customer_rename_reaches_rows(void **state)
{
	struct vfx *v = *state;
	struct buf ch = {0};
	create_keep(v, v->c.call, FX_NOW + 60, &ch);
	buf_free(&ch);
	Clubcrm__Customer cu = CLUBCRM__CUSTOMER__INIT;
	cu.has_id = 1;
	cu.id = v->c.arantxa;
	cu.name = "Arantxa Sánchez";
	Clubcrm__UpsertCustomer u = CLUBCRM__UPSERT_CUSTOMER__INIT;
	u.customer = &cu;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(UPSERT_CUSTOMER);
	f.upsert_customer = &u;
	Clubcrm__Frame *r = write_keep(v->fx, fx_actor(v->c.bea, 0), &f, &ch);
	assert_int_equal(r->body_case, BODY(CUSTOMER_REPLY));

	Clubcrm__View board = VIEW(BOARD), cat = VIEW(CATALOG);
	Clubcrm__Delta *d = commit_delta(v, &ch, &board);
	assert_non_null(d);
	assert_int_equal(d->n_upserts, 1);
	assert_string_equal(d->upserts[0]->customer_name, "Arantxa Sánchez");
	d = commit_delta(v, &ch, &cat);
	assert_non_null(d);
	assert_int_equal(d->n_customers, 1);
	assert_string_equal(d->customers[0]->name, "Arantxa Sánchez");
	/* A search for the old name loses the row. */
	Clubcrm__TaskFilter tf = CLUBCRM__TASK_FILTER__INIT;
	tf.text = "arantxa s";
	board.filter = &tf;
	d = commit_delta(v, &ch, &board);
	assert_non_null(d);
	assert_int_equal(d->n_upserts, 1);
	tf.text = "Manolo";
	d = commit_delta(v, &ch, &board);
	assert_non_null(d);
	assert_int_equal(d->n_removed_ids, 1);
	buf_free(&ch);
}

/* An admin's catalogue write, kept as its own commit's change set. */
static void catalogue_keep(struct vfx *v, Clubcrm__Frame *f, struct buf *ch)
{
	buf_free(ch);
	*ch = (struct buf){0};
	Clubcrm__Frame *r = write_keep(v->fx, fx_actor(v->c.ana, 1), f, ch);
	if (r->body_case == BODY(ERROR))
		fail_msg("%s", r->error->message);
}

static void customer_keep(struct vfx *v, const char *name, const char *phone,
			  struct buf *ch)
{
	Clubcrm__Customer cu = CLUBCRM__CUSTOMER__INIT;
	cu.has_id = 1;
	cu.id = v->c.arantxa;
	cu.name = (char *)name;
	cu.phone = (char *)phone;
	Clubcrm__UpsertCustomer u = CLUBCRM__UPSERT_CUSTOMER__INIT;
	u.customer = &cu;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(UPSERT_CUSTOMER);
	f.upsert_customer = &u;
	catalogue_keep(v, &f, ch);
}

static void operator_keep(struct vfx *v, const char *name,
			  const char *password, struct buf *ch)
{
	Clubcrm__Operator op = CLUBCRM__OPERATOR__INIT;
	op.has_id = 1;
	op.id = v->c.ana;
	op.name = (char *)name;
	Clubcrm__UpsertOperator u = CLUBCRM__UPSERT_OPERATOR__INIT;
	u.operator_ = &op;
	u.password = (char *)password;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(UPSERT_OPERATOR);
	f.upsert_operator = &u;
	catalogue_keep(v, &f, ch);
}

static void type_keep(struct vfx *v, const char *name, bool follow_on,
		      struct buf *ch)
{
	Clubcrm__FollowOn fo = CLUBCRM__FOLLOW_ON__INIT, *fos[] = {&fo};
	fo.has_type_id = fo.has_delay_minutes = 1;
	fo.type_id = v->c.call;
	fo.delay_minutes = 60;
	Clubcrm__TaskType t = CLUBCRM__TASK_TYPE__INIT;
	t.has_id = 1;
	t.id = v->c.call;
	t.name = (char *)name;
	t.n_follow_ons = follow_on;
	t.follow_ons = fos;
	Clubcrm__UpsertTaskType u = CLUBCRM__UPSERT_TASK_TYPE__INIT;
	u.task_type = &t;
	u.has_replace_follow_ons = 1;
	u.replace_follow_ons = 1;
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(UPSERT_TASK_TYPE);
	f.upsert_task_type = &u;
	catalogue_keep(v, &f, ch);
}

/* The upserts a board gets from a commit (0: no Delta, or none in it). */
static size_t board_upserts(struct vfx *v, struct buf *ch)
{
	Clubcrm__View board = VIEW(BOARD);
	Clubcrm__Delta *d = commit_delta(v, ch, &board);
	return d ? d->n_upserts + d->n_removed_ids : 0;
}

/*
 * A catalogue edit re-sends only the rows whose display changes: the
 * protocol promises each change once. A customer's phone, an operator's
 * password, a type's follow-ons or the same name again leave rows alone;
 * a rename after them still reaches every row. Each edit is loaded in
 * revision order, as the fan-out loads commits.
 */
static void test_catalogue_edit_resends_changed_rows_only(void **state)
{
	struct vfx *v = *state;
	Clubcrm__View cat = VIEW(CATALOG);
	struct buf ch = {0};
	uint64_t id = create_keep(v, v->c.call, FX_NOW + 60, &ch);
	assert_int_equal(board_upserts(v, &ch), 1);

	customer_keep(v, "Arantxa Sánchez", NULL, &ch);
	assert_int_equal(board_upserts(v, &ch), 1);  /* renamed */
	customer_keep(v, "Arantxa Sánchez", "600 000 000", &ch);
	assert_int_equal(board_upserts(v, &ch), 0);  /* a phone: no row */
	Clubcrm__Delta *d = commit_delta(v, &ch, &cat);
	assert_non_null(d);  /* the catalogue still has the customer */
	assert_int_equal(d->n_customers, 1);
	customer_keep(v, "Arantxa Sánchez", "600 000 000", &ch);
	assert_int_equal(board_upserts(v, &ch), 0);  /* twice the same */

	/* Her first edit: what rows showed of her is known all the same. */
	operator_keep(v, NULL, "a new secret 123", &ch);
	assert_int_equal(board_upserts(v, &ch), 0);  /* a password reset */
	operator_keep(v, "Ana", NULL, &ch);
	assert_int_equal(board_upserts(v, &ch), 1);
	operator_keep(v, "Ana", "another secret 456", &ch);
	assert_int_equal(board_upserts(v, &ch), 0);

	type_keep(v, "Call", true, &ch);
	assert_int_equal(board_upserts(v, &ch), 0);  /* follow-ons */
	type_keep(v, "Call", true, &ch);
	assert_int_equal(board_upserts(v, &ch), 0);  /* renamed the same */

	/* Renames still reach the row, whole. */
	type_keep(v, "Phone call", true, &ch);
	Clubcrm__View board = VIEW(BOARD);
	d = commit_delta(v, &ch, &board);
	assert_non_null(d);
	assert_int_equal(d->n_upserts, 1);
	assert_int_equal(d->upserts[0]->task->id, id);
	assert_string_equal(d->upserts[0]->type_name, "Phone call");
	operator_keep(v, "Ana Ruiz", NULL, &ch);
	d = commit_delta(v, &ch, &board);
	assert_non_null(d);
	assert_int_equal(d->n_upserts, 1);
	assert_string_equal(d->upserts[0]->creator_name, "Ana Ruiz");
	customer_keep(v, "Arantxa S.", "600 000 000", &ch);
	d = commit_delta(v, &ch, &board);
	assert_non_null(d);
	assert_int_equal(d->n_upserts, 1);
	assert_string_equal(d->upserts[0]->customer_name, "Arantxa S.");

	/* Loaded again, out of order (a replayed change set): nothing is
	 * assumed, the rows go again. */
	assert_int_equal(board_upserts(v, &ch), 1);
	buf_free(&ch);
}

/*
 * A group commit is loaded as one: one Delta per revision that touches the
 * view, in revision order, each with what that revision changed (the
 * "before" of a later revision is the row after the earlier one).
 */
static void test_batch_has_a_delta_per_revision(void **state)
{
	struct vfx *v = *state;
	struct buf c1 = {0}, c2 = {0}, c3 = {0}, none = {0};
	uint64_t id = create_keep(v, v->c.urgent, FX_NOW + 600, &c1);
	take_keep(v, id, v->c.carl, &c2);
	close_keep(v, id, &c3);
	const struct buf *bytes[] = {&c1, &none, &c2, &c3};
	const Clubcrm__ChangeSet *sets[4] = {NULL};
	for (int i = 0; i < 4; i++)
		if (bytes[i]->len)
			sets[i] = clubcrm__change_set__unpack(
				arena_pb(&v->fx->a), bytes[i]->len,
				bytes[i]->data);
	struct view_commit vc;
	assert_int_equal(views_commit_load_batch(v->fx->st, v->memo, sets, 4, FX_NOW,
						 &vc), 0);
	assert_int_equal(vc.n_revs, 3);

	Clubcrm__View urg = VIEW(URGENT), prep = VIEW(IN_PREPARATION);
	struct buf batch = {0}, frame = {0};
	assert_int_equal(views_delta_append(&vc, &urg, 5, &batch), 3);
	assert_int_equal(views_delta_append(&vc, &prep, 6, &batch), 2);
	assert_int_equal(frame_push(&frame, BODY(DELTAS), &batch), 0);
	Clubcrm__Frame *f = fx_decode(v->fx, &frame);
	assert_int_equal(f->deltas->n_deltas, 5);
	Clubcrm__Delta **d = f->deltas->deltas;
	/* urgent: created red, taken yellow, closed away */
	assert_true(d[0]->revision < d[1]->revision);
	assert_true(d[1]->revision < d[2]->revision);
	assert_int_equal(d[0]->n_upserts, 1);
	assert_int_equal(d[0]->upserts[0]->colour, CLUBCRM__COLOUR__COLOUR_RED);
	assert_int_equal(d[1]->n_upserts, 1);
	assert_int_equal(d[1]->upserts[0]->colour,
			 CLUBCRM__COLOUR__COLOUR_YELLOW);
	assert_int_equal(d[2]->n_upserts, 0);
	assert_int_equal(d[2]->n_removed_ids, 1);
	/* in preparation: in at creation, out when taken, untouched after */
	assert_int_equal(d[3]->sub_id, 6);
	assert_int_equal(d[3]->revision, d[0]->revision);
	assert_int_equal(d[3]->n_upserts, 1);
	assert_int_equal(d[4]->revision, d[1]->revision);
	assert_int_equal(d[4]->n_removed_ids, 1);
	assert_int_equal(d[4]->removed_ids[0], id);

	/* The frame head put before a body is the one frame_push() builds. */
	uint8_t head[FRAME_PUSH_HEAD_MAX];
	size_t hl = frame_push_head(BODY(DELTAS), batch.len, head);
	assert_int_equal(hl + batch.len, frame.len);
	assert_memory_equal(head, frame.data, hl);
	buf_free(&frame);
	buf_free(&batch);
	views_commit_free(&vc);
	buf_free(&c1);
	buf_free(&c2);
	buf_free(&c3);
}

/*
 * The memory of what rows show is the fan-out's own, passed to each load:
 * two servers in one process (two stores, two memories) loading commits in
 * turn each keep theirs, so a password reset on either re-sends no row.
 * (One memory for the process forgot the other store's at every turn, and
 * re-sent the rows.) A load without a memory re-sends them, which is
 * always correct.
 */
static void test_catalogue_memory_is_per_fanout(void **state)
{
	struct vfx *a = *state;
	void *other = NULL;
	assert_int_equal(setup(&other), 0);
	struct vfx *b = other;
	struct buf ch = {0};
	create_keep(a, a->c.call, FX_NOW + 60, &ch);
	assert_int_equal(board_upserts(a, &ch), 1);
	buf_free(&ch);
	create_keep(b, b->c.call, FX_NOW + 60, &ch);
	assert_int_equal(board_upserts(b, &ch), 1);
	buf_free(&ch);
	for (int i = 0; i < 3; i++) {
		operator_keep(a, NULL, "a new secret 123", &ch);
		assert_int_equal(board_upserts(a, &ch), 0);
		operator_keep(b, NULL, "another secret 456", &ch);
		assert_int_equal(board_upserts(b, &ch), 0);
	}
	/* A rename still reaches the other server's row. */
	operator_keep(b, "Ana B", NULL, &ch);
	assert_int_equal(board_upserts(b, &ch), 1);
	operator_keep(a, NULL, "yet another 789", &ch);
	assert_int_equal(board_upserts(a, &ch), 0);

	/* No memory: the rows go again. */
	operator_keep(a, NULL, "one more secret", &ch);
	struct view_commit vc;
	assert_int_equal(views_commit_load(a->fx->st, NULL, ch.data, ch.len,
					   FX_NOW, &vc), 0);
	Clubcrm__View board = VIEW(BOARD);
	Clubcrm__Delta *d = delta_of(a->fx, &vc, &board);
	assert_non_null(d);
	assert_int_equal(d->n_upserts, 1);
	views_commit_free(&vc);

	/* The daemon's start primes its own memory only. */
	uint64_t rev = 0;
	uint32_t minutes = 0;
	views_memo_free(b->memo);
	b->memo = views_memo_new();
	assert_non_null(b->memo);
	assert_int_equal(views_live_state(b->fx->st, b->memo, &rev, &minutes),
			 0);
	assert_true(rev > 0);
	operator_keep(b, NULL, "after the start", &ch);
	assert_int_equal(board_upserts(b, &ch), 0);
	operator_keep(a, NULL, "and here too", &ch);
	assert_int_equal(board_upserts(a, &ch), 0);
	buf_free(&ch);
	teardown(&other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_snapshot_views, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_snapshot_chunks_as_encoded,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_catalog_snapshot, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_take_turns_row_yellow, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_batch_has_a_delta_per_revision,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_equals_fresh_snapshot,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_type_made_priority_recolours_rows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_customer_rename_reaches_rows,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_catalogue_edit_resends_changed_rows_only, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_catalogue_memory_is_per_fanout, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
