/*
 * Paged lists: tasks (served from the index that fits the filter, then the
 * full filter on each row, with a bounded number of entries examined per
 * page) and customers (in name order). Page tokens are opaque to clients:
 * the index and the last key examined, checked like any hostile input.
 */
#ifndef CLUBCRM_QUERY_H
#define CLUBCRM_QUERY_H

#include "clubcrm.pb-c.h"
#include "migrate.h"
#include "req.h"

#define QUERY_PAGE_DEFAULT 50u
#define QUERY_PAGE_MAX 500u
/* Index entries examined per page at most: a selective filter returns a
 * short page with a token rather than scanning the whole club. */
#define QUERY_SCAN_BUDGET 5000u
/* Encoded rows per page: past this a page ends (with a token) before its
 * page_size, so that a page of long rows (a description of 4,000
 * characters is up to 16,000 bytes) still fits in one answer: the last row
 * added, at most some 60 KB, keeps it under REQ_REPLY_MAX_BYTES (req.h). */
#define QUERY_PAGE_BYTES (512u * 1024u)

int query_list_tasks(struct req *r, const Clubcrm__ListTasks *in,
		     Clubcrm__TaskPage **out);
int query_list_customers(struct req *r, const Clubcrm__ListCustomers *in,
			 Clubcrm__CustomerPage **out);

#endif
