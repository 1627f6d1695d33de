/*
 * Customers imported from a file, a batch at a time (ImportCustomers): every
 * row validated (name, phone, e-mail, consultant), duplicates found against
 * the stored customers and the earlier rows of the batch (common/custkey.h:
 * the same e-mail, the same phone, or without either the same name), and unless it is a dry run the good rows added in the request's
 * transaction. One outcome per row; a bad row does not stop the others.
 * Who may import is rights.c's (admins).
 */
#ifndef CLUBCRM_IMPORT_H
#define CLUBCRM_IMPORT_H

#include "clubcrm.pb-c.h"
#include "req.h"

/* Rows per request at most (the client sends batches of this size). */
#define IMPORT_ROWS_MAX 500u
/* Field limits, in characters, as customer add/edit. */
#define IMPORT_NAME_MAX 200u
#define IMPORT_PHONE_MAX 64u
#define IMPORT_EMAIL_MAX 254u
#define IMPORT_CONSULTANT_MAX 100u

int import_customers(struct req *r, const Clubcrm__ImportCustomers *in,
		     Clubcrm__ImportReply **out);

#endif
