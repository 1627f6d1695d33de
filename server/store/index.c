#include "index.h"

#include <string.h>

#include "clubcrm.pb-c.h"
#include "cursor.h"
#include "textfold.h"

/* The by_customer_name key: folded name (at most INDEX_NAME_KEY_MAX bytes),
 * 0, id. `k` holds INDEX_NAME_KEY_MAX + 9 bytes. Returns its length. */
size_t index_name_key(const char *name, uint64_t id, uint8_t *k)
{
	size_t n = textfold_copy(name, k, INDEX_NAME_KEY_MAX);
	/* A folded name holds no 0 byte: the separator sorts it first. */
	k[n] = 0;
	key_u64(k + n + 1, id);
	return n + 9;
}

void index_customer_name(struct txn *t, uint64_t id, const char *old_name,
			 const char *name)
{
	uint8_t old_key[INDEX_NAME_KEY_MAX + 9], key[sizeof(old_key)];
	size_t len = index_name_key(name, id, key);
	if (old_name)
		txn_del(t, DB_BY_CUSTOMER_NAME, old_key,
			index_name_key(old_name, id, old_key));
	txn_put(t, DB_BY_CUSTOMER_NAME, key, len, "", 0);
}

void index_rebuild_customer_names(struct txn *t)
{
	txn_drop(t, DB_BY_CUSTOMER_NAME);
	struct txn_cursor c;
	struct arena a;
	arena_init(&a);
	int rc = txn_cursor_open(&c, t, DB_CUSTOMERS);
	for (rc = rc ? rc : txn_cursor_seek(&c, NULL, 0); rc == 0;
	     rc = txn_cursor_next(&c)) {
		Clubcrm__Customer *cu = NULL;
		if (txn_cursor_msg(&c, &clubcrm__customer__descriptor, &a,
				   (void **)&cu))
			break;
		uint8_t key[INDEX_NAME_KEY_MAX + 9];
		size_t len = index_name_key(cu->name, cu->id, key);
		txn_put(t, DB_BY_CUSTOMER_NAME, key, len, "", 0);
	}
	txn_cursor_close(&c);
	arena_free(&a);
}

void index_login(struct txn *t, uint64_t id, const char *old_login,
		 const char *login)
{
	if (old_login)
		txn_del(t, DB_BY_LOGIN, old_login, strlen(old_login));
	uint8_t v[8];
	key_u64(v, id);
	txn_put(t, DB_BY_LOGIN, login, strlen(login), v, sizeof(v));
}

int index_login_get(struct txn *t, const char *login, uint64_t *id)
{
	struct txn_val v;
	int rc = txn_get(t, DB_BY_LOGIN, login, strlen(login), &v);
	if (rc)
		return rc;
	*id = v.len == 8 ? key_get_u64(v.data) : 0;
	return 0;
}

static void index_move(struct txn *t, enum store_db db, const uint8_t *old,
		       const uint8_t *key, size_t len)
{
	if (old && memcmp(old, key, len) == 0)
		return;
	if (old)
		txn_del(t, db, old, len);
	txn_put(t, db, key, len, "", 0);
}

struct task_keys {
	uint8_t planned[16];
	uint8_t created[16];
	uint8_t customer[24];
	uint8_t operator[24];
};

static void keys_of(const struct index_task_keys *t, struct task_keys *k)
{
	key_time(k->planned, t->planned_at);
	key_u64(k->planned + 8, t->id);
	key_time(k->created, t->created_at);
	key_u64(k->created + 8, t->id);
	key_u64(k->customer, t->customer_id);
	memcpy(k->customer + 8, k->planned, 16);
	key_u64(k->operator, t->operator_id);
	memcpy(k->operator + 8, k->planned, 16);
}

void index_task(struct txn *t, const struct index_task_keys *old,
		const struct index_task_keys *task)
{
	struct task_keys o, n;
	keys_of(task, &n);
	if (old)
		keys_of(old, &o);
	index_move(t, DB_BY_PLANNED, old ? o.planned : NULL, n.planned, 16);
	index_move(t, DB_BY_CREATED, old ? o.created : NULL, n.created, 16);
	index_move(t, DB_BY_CUSTOMER, old ? o.customer : NULL, n.customer, 24);
	index_move(t, DB_BY_OPERATOR_PLANNED, old ? o.operator : NULL,
		   n.operator, 24);
}
