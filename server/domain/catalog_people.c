/* Customers (everyone) and operators (admins). */
#include "catalog.h"

#include <string.h>

#include "auth.h"
#include "catalog_record.h"
#include "index.h"
#include "query.h"
#include "rows.h"
#include "status.h"
#include "text.h"
#include "feeds.h"
#include "idem.h"
#include "tokens.h"

#define ADMIN CLUBCRM__ROLE__ROLE_ADMIN

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

/* The answer a create gave, for its retry: the customer as it is now, at
 * the revision that created it. */
static int customer_replay(struct req *r, uint64_t id, uint64_t rev,
			   Clubcrm__CustomerReply **out)
{
	Clubcrm__Customer *cu = NULL;
	int rc = txn_get_rec(r->t, DB_CUSTOMERS, id,
			     &clubcrm__customer__descriptor, r->a,
			     (void **)&cu);
	if (rc)
		return rc == -ENOENT ? -EIO : rc;
	rc = customer_reply(r, cu, out);
	if (!rc)
		(*out)->revision = rev;
	return rc;
}

int catalog_get_customer(struct req *r, const Clubcrm__GetCustomer *in,
			 Clubcrm__CustomerReply **out)
{
	Clubcrm__Customer *cu = NULL;
	int rc = rows_customer(r->t, r->a, in->id, &cu);
	if (rc == -ENOENT)
		return req_refuse(r, STATUS_NOT_FOUND, "unknown customer %llu",
				  (unsigned long long)in->id);
	return rc ? rc : customer_reply(r, cu, out);
}

/* ------------------------------------------------------------ customers */

static int check_consultant(struct req *r, uint64_t id)
{
	Clubcrm__Operator *op = NULL;
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
	int rc = catalog_record_name(r, in->name, created, 200, &cu->name);
	if (!rc)
		rc = catalog_record_text(r, in->phone, 64, "phone", &cu->phone);
	if (!rc)
		rc = catalog_record_text(r, in->email, 254, "email",
					 &cu->email);
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
	struct idem ik;
	int rc = idem_begin(r, &ik, IDEM_CUSTOMER,
			    in->has_idempotency_key && !in->customer->id,
			    in->idempotency_key.data, in->idempotency_key.len);
	uint64_t first_id, first_rev;
	if (!rc)
		rc = idem_lookup(r, &ik, &first_id, &first_rev);
	if (rc != -ENOENT)
		return rc ? rc : customer_replay(r, first_id, first_rev, out);
	Clubcrm__Customer *cu = NULL;
	bool created;
	rc = catalog_record_load_or_new(r, DB_CUSTOMERS,
					    &clubcrm__customer__descriptor,
					    in->customer->id, "customer",
					    (ProtobufCMessage **)&cu, &created);
	if (rc)
		return rc;
	const char *old_name = created ? NULL : cu->name;
	rc = merge_customer(r, in->customer, created, cu);
	if (rc)
		return rc;
	if (created)
		cu->created_at = r->who->now;
	index_customer_name(r->t, cu->id, old_name, cu->name);
	r->action = created ? "add customer" : "edit customer";
	rc = catalog_record_save(r, DB_CUSTOMERS, cu->id, created, &cu->base);
	if (!rc && created)
		rc = idem_remember(r, &ik, cu->id, r->rev);
	return rc ? rc : customer_reply(r, cu, out);
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
	uint64_t id = 0;
	int rc = index_login_get(r->t, login, &id);
	if (rc == 0 && id != op->id)
		return req_refuse(r, STATUS_ALREADY_EXISTS,
				  "login %s is taken", login);
	if (rc && rc != -ENOENT)
		return rc;
	index_login(r->t, op->id, op->login, login);
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
	/* A Login holding a control character is refused (login.c): such a
	 * password could never be typed. */
	if (text_has_control(pw, n))
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "password: control characters are not "
				  "allowed");
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
		for (size_t j = 0; j < i; j++)
			if (src->team_ids[j] == src->team_ids[i])
				return req_refuse(r, STATUS_INVALID_ARGUMENT,
						  "team %llu is given twice",
						  (unsigned long long)
							  src->team_ids[i]);
		Clubcrm__Team *team = NULL;
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
		rc = catalog_record_name(r, src->name, created,
					 CATALOG_NAME_MAX, &op->name);
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
	bool teams = src->n_team_ids ||
		     (in->has_replace_teams && in->replace_teams);
	if (teams && (rc = set_teams(r, op, src)))
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
	int rc = 0;
	if (!src)
		rc = req_refuse(r, STATUS_INVALID_ARGUMENT,
				"operator is required");
	if (rc)
		return rc;
	Clubcrm__Operator *op = NULL;
	bool created;
	rc = catalog_record_load_or_new(r, DB_OPERATORS,
					&clubcrm__operator__descriptor, src->id,
					"operator", (ProtobufCMessage **)&op,
					&created);
	Clubcrm__Role was_role = op ? op->role : 0;
	if (!rc)
		rc = merge_operator(r, in, created, op);
	if (rc)
		return rc;
	/* Deactivated, role changed or new password: no resume token of
	 * theirs holds any more (tokens.h). */
	if (!created && (!op->active || op->role != was_role || in->password))
		tokens_revoke_all(r->t, op->id);
	/* Deactivated: their calendar feed goes too (feeds.h). */
	if (!created && !op->active)
		feeds_revoke(r->t, op->id);
	r->action = created ? "add operator" : "edit operator";
	rc = catalog_record_save(r, DB_OPERATORS, op->id, created, &op->base);
	Clubcrm__Catalog *c = rc ? NULL : catalog_record_catalog(r);
	if (rc || !c)
		return rc ? rc : -ENOMEM;
	return catalog_record_reply_one(r, (void ***)&c->operators,
					&c->n_operators, op, c, out);
}

