/*
 * The typed client API: what the front ends (the command line, the desk,
 * the tools) call. One function per operation takes that operation's
 * arguments and answers with its reply message (Clubcrm__TaskReply,
 * Clubcrm__TaskPage, Clubcrm__Catalog, ...); the frame envelope, request
 * ids, the check that the reply is of the operation's kind, and the edit
 * conflict (Error.current) are the library's. The generated message types
 * of rows, tasks, customers and the catalogue are the data model and are
 * used as they are; a front end never builds or reads a Clubcrm__Frame.
 *
 * Two flavours of every operation:
 *  - clubcrm_X(struct client_sync *, ..., struct clubcrm_answer *ans):
 *    synchronous (client_sync.h), for the command line and the tests. It
 *    fills *ans, which the caller releases with clubcrm_answer_free()
 *    (also after a failure), and returns ans->status.
 *  - clubcrm_X_async(struct live *, ..., clubcrm_answer_cb cb, void *arg):
 *    on the libuv loop through the connection that reconnects (live.h),
 *    for the desk. `cb` is called exactly once, later, with the answer,
 *    which lives until the callback returns; a create (a task, a note,
 *    a customer added) carries an idempotency key and is repeated over
 *    reconnections (live_create()).
 *
 * Errors: a status code (common/status.h) everywhere, as the whole client
 * library (client.h). STATUS_OK or the failure's code, with its text in
 * ans->message. A reply of another kind than the operation's is INTERNAL
 * "unexpected reply (body N) from the server". An _async call that cannot
 * even be queued returns the code (RESOURCE_EXHAUSTED: over the server's
 * frame limit; INTERNAL: out of memory) and does not call `cb`.
 */
#ifndef CLUBCRM_CLIENT_API_H
#define CLUBCRM_CLIENT_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client.h"
#include "client_sync.h"
#include "live.h"

struct clubcrm_answer {
	unsigned status;                    /* STATUS_OK or why not */
	char message[CLIENT_MESSAGE_MAX];   /* "" on success */
	/* The reply, by kind: the operation's one is set on STATUS_OK. */
	const Clubcrm__TaskReply *task;
	const Clubcrm__TaskPage *task_page;
	const Clubcrm__CustomerPage *customer_page;
	const Clubcrm__CustomerReply *customer;
	const Clubcrm__Catalog *catalog;
	const Clubcrm__ReassignReply *reassign;
	const Clubcrm__Report *report;
	const Clubcrm__AgendaExport *agenda_export;
	const Clubcrm__FeedReply *feed;
	const Clubcrm__ImportReply *import;
	/* FAILED_PRECONDITION of an edit or follow-up based on an old
	 * revision: the row as it is now (its task set); else NULL. */
	const Clubcrm__TaskRow *conflict;
	void *held_;                        /* the library's */
};

/* Releases what a synchronous answer holds; the fields become NULL. Safe
 * on a zeroed or released answer. */
void clubcrm_answer_free(struct clubcrm_answer *ans);

typedef void (*clubcrm_answer_cb)(const struct clubcrm_answer *ans,
				  void *arg);

/* ---- tasks (answer: task) */
unsigned clubcrm_task_get(struct client_sync *s, uint64_t id,
			  bool with_history, struct clubcrm_answer *ans);
unsigned clubcrm_task_get_async(struct live *l, uint64_t id,
				bool with_history, clubcrm_answer_cb cb,
				void *arg);
/* One page of ListTasks (answer: task_page); its page_token says which. */
unsigned clubcrm_tasks_list_async(struct live *l, const Clubcrm__ListTasks *q,
				  clubcrm_answer_cb cb, void *arg);
/* A create or a note (kind); a key is drawn when it has none. */
unsigned clubcrm_task_create(struct client_sync *s,
			     const Clubcrm__CreateTask *c,
			     struct clubcrm_answer *ans);
unsigned clubcrm_task_create_async(struct live *l,
				   const Clubcrm__CreateTask *c,
				   clubcrm_answer_cb cb, void *arg);
/* A stale base revision is FAILED_PRECONDITION with ans->conflict. */
unsigned clubcrm_task_edit(struct client_sync *s, const Clubcrm__EditTask *e,
			   struct clubcrm_answer *ans);
unsigned clubcrm_task_edit_async(struct live *l, const Clubcrm__EditTask *e,
				 clubcrm_answer_cb cb, void *arg);
/* `overrides` may be NULL. */
unsigned clubcrm_task_copy(struct client_sync *s, uint64_t id,
			   const Clubcrm__CreateTask *overrides,
			   struct clubcrm_answer *ans);
unsigned clubcrm_task_copy_async(struct live *l, uint64_t id,
				 const Clubcrm__CreateTask *overrides,
				 clubcrm_answer_cb cb, void *arg);
unsigned clubcrm_task_follow(struct client_sync *s, const Clubcrm__FollowUp *u,
			     struct clubcrm_answer *ans);
unsigned clubcrm_task_follow_async(struct live *l, const Clubcrm__FollowUp *u,
				   clubcrm_answer_cb cb, void *arg);
/* result_id 0 and note NULL: not given. */
unsigned clubcrm_task_close(struct client_sync *s, uint64_t id,
			    uint64_t result_id, const char *note,
			    struct clubcrm_answer *ans);
unsigned clubcrm_task_cancel(struct client_sync *s, uint64_t id,
			     uint64_t result_id, const char *note,
			     struct clubcrm_answer *ans);
unsigned clubcrm_task_cancel_async(struct live *l, uint64_t id,
				   uint64_t result_id, const char *note,
				   clubcrm_answer_cb cb, void *arg);
unsigned clubcrm_task_take(struct client_sync *s, uint64_t id,
			   struct clubcrm_answer *ans);
unsigned clubcrm_task_take_async(struct live *l, uint64_t id,
				 clubcrm_answer_cb cb, void *arg);
unsigned clubcrm_task_release(struct client_sync *s, uint64_t id,
			      struct clubcrm_answer *ans);
unsigned clubcrm_task_release_async(struct live *l, uint64_t id,
				    clubcrm_answer_cb cb, void *arg);
/* Adds (`on`) or removes a tag. */
unsigned clubcrm_task_tag(struct client_sync *s, uint64_t id, uint64_t tag_id,
			  bool on, struct clubcrm_answer *ans);
unsigned clubcrm_task_tag_async(struct live *l, uint64_t id, uint64_t tag_id,
				bool on, clubcrm_answer_cb cb, void *arg);

/* ---- reassigning (answer: reassign) */
unsigned clubcrm_tasks_reassign(struct client_sync *s,
				const Clubcrm__ReassignTasks *r,
				struct clubcrm_answer *ans);
unsigned clubcrm_tasks_reassign_async(struct live *l,
				      const Clubcrm__ReassignTasks *r,
				      clubcrm_answer_cb cb, void *arg);

/* ---- customers (answer: customer) */
unsigned clubcrm_customer_get(struct client_sync *s, uint64_t id,
			      struct clubcrm_answer *ans);
/*
 * A customer added (c->id 0) or edited. An add carries an idempotency key,
 * so that sending it again (a retry after a lost answer, a reconnect)
 * answers with the customer it first added instead of adding a second:
 * `key` (key_len 1 to 64 bytes: one per form, one per script run), or,
 * when `key` is NULL, one drawn here for this call. An edit sends none.
 * The _async add waits for the connection and is repeated with its key
 * after a cut (live_create()).
 */
unsigned clubcrm_customer_upsert(struct client_sync *s,
				 const Clubcrm__Customer *c,
				 const uint8_t *key, size_t key_len,
				 struct clubcrm_answer *ans);
unsigned clubcrm_customer_upsert_async(struct live *l,
				       const Clubcrm__Customer *c,
				       const uint8_t *key, size_t key_len,
				       clubcrm_answer_cb cb, void *arg);

/* ---- the manager's reports over a period (answer: report) */
unsigned clubcrm_report_get(struct client_sync *s, const Clubcrm__GetReport *q,
			    struct clubcrm_answer *ans);
unsigned clubcrm_report_get_async(struct live *l, const Clubcrm__GetReport *q,
				  clubcrm_answer_cb cb, void *arg);
/* ---- calendars */
/* An operator's agenda (0: one's own) planned in [from, to) as iCalendar
 * text; from/to 0: the server's default window (answer: agenda_export). */
unsigned clubcrm_agenda_export(struct client_sync *s, uint64_t operator_id,
			       int64_t from, int64_t to,
			       struct clubcrm_answer *ans);
/* A new calendar-feed URL path for an operator (0: one's own); the old
 * one stops (answer: feed). */
unsigned clubcrm_feed_rotate(struct client_sync *s, uint64_t operator_id,
			     struct clubcrm_answer *ans);
unsigned clubcrm_feed_rotate_async(struct live *l, uint64_t operator_id,
				   clubcrm_answer_cb cb, void *arg);
/* A batch of rows of a customer file (answer: import): at most 500, each
 * checked, the good ones added unless im->dry_run (admins only). */
unsigned clubcrm_customers_import(struct client_sync *s,
				  const Clubcrm__ImportCustomers *im,
				  struct clubcrm_answer *ans);
unsigned clubcrm_customers_import_async(struct live *l,
					const Clubcrm__ImportCustomers *im,
					clubcrm_answer_cb cb, void *arg);

/* ---- the catalogue and its administration (answer: catalog) */
unsigned clubcrm_catalog_get(struct client_sync *s, bool include_inactive,
			     struct clubcrm_answer *ans);
unsigned clubcrm_task_type_upsert(struct client_sync *s,
				  const Clubcrm__TaskType *t,
				  bool replace_follow_ons,
				  struct clubcrm_answer *ans);
unsigned clubcrm_result_upsert(struct client_sync *s, const Clubcrm__Result *r,
			       struct clubcrm_answer *ans);
unsigned clubcrm_tag_upsert(struct client_sync *s, const Clubcrm__Tag *t,
			    struct clubcrm_answer *ans);
unsigned clubcrm_team_upsert(struct client_sync *s, const Clubcrm__Team *t,
			     struct clubcrm_answer *ans);
/* `password` NULL: unchanged (required for a new operator). */
unsigned clubcrm_operator_upsert(struct client_sync *s,
				 const Clubcrm__Operator *o,
				 const char *password, bool replace_teams,
				 struct clubcrm_answer *ans);
unsigned clubcrm_settings_update(struct client_sync *s,
				 const Clubcrm__Settings *set,
				 struct clubcrm_answer *ans);

/*
 * ---- lists, page by page (answer: task_page or customer_page)
 *
 * A pager walks a list query's pages: each clubcrm_pager_next() fetches
 * the next one into its own answer (the caller keeps it as long as it uses
 * the rows, and frees it); `done` is true once the last page came. The
 * query is copied (its page token is the pager's).
 */
struct clubcrm_pager {
	struct client_sync *s;
	bool customers;                 /* else tasks */
	Clubcrm__ListTasks tasks;
	Clubcrm__ListCustomers list_customers;
	uint8_t *token;                 /* the next page's, owned */
	size_t token_len;
	bool done;
	unsigned pages;                 /* fetched so far */
};

void clubcrm_tasks_pager(struct clubcrm_pager *p, struct client_sync *s,
			 const Clubcrm__ListTasks *q);
void clubcrm_customers_pager(struct clubcrm_pager *p, struct client_sync *s,
			     const Clubcrm__ListCustomers *q);
/* The next page. STATUS_OK, or the code; a done pager is
 * FAILED_PRECONDITION. */
unsigned clubcrm_pager_next(struct clubcrm_pager *p,
			    struct clubcrm_answer *ans);
void clubcrm_pager_free(struct clubcrm_pager *p);

#endif
