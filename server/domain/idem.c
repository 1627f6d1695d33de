#include "idem.h"

#include <errno.h>
#include <string.h>

#include "status.h"

/* A task's value is id | revision (16 bytes, as stored since the first
 * schema); a customer's adds a 'C'. */
static size_t value_len(enum idem_kind kind)
{
	return kind == IDEM_CUSTOMER ? 17 : 16;
}

int idem_begin(struct req *r, struct idem *ik, enum idem_kind kind,
	       bool has, const uint8_t *data, size_t len)
{
	ik->klen = 0;
	ik->kind = kind;
	if (!has)
		return 0;
	if (len < 1 || len > IDEM_KEY_MAX)
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "idempotency_key must be 1 to %u bytes",
				  IDEM_KEY_MAX);
	key_u64(ik->k, r->who->operator_id);
	memcpy(ik->k + 8, data, len);
	ik->klen = 8 + len;
	return 0;
}

int idem_lookup(struct req *r, const struct idem *ik, uint64_t *id,
		uint64_t *rev)
{
	if (!ik->klen)
		return -ENOENT;
	struct txn_val v;
	int rc = txn_get(r->t, DB_IDEMPOTENCY, ik->k, ik->klen, &v);
	if (rc)
		return rc;
	if (v.len != 16 && !(v.len == 17 && ((const uint8_t *)v.data)[16] ==
						    'C'))
		return -EIO;
	if (v.len != value_len(ik->kind))
		return req_refuse(r, STATUS_INVALID_ARGUMENT,
				  "idempotency_key was already used for "
				  "another kind of request");
	*id = key_get_u64(v.data);
	*rev = key_get_u64((const uint8_t *)v.data + 8);
	return 0;
}

int idem_remember(struct req *r, const struct idem *ik, uint64_t id,
		  uint64_t rev)
{
	if (!ik->klen)
		return 0;
	uint8_t v[17];
	key_u64(v, id);
	key_u64(v + 8, rev);
	v[16] = 'C';
	txn_put(r->t, DB_IDEMPOTENCY, ik->k, ik->klen, v,
		value_len(ik->kind));
	return r->t->ret;
}
