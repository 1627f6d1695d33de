/*
 * The catalogue (task types, results, tags, operators, teams, settings) and
 * customers: the reads of GetCatalog/GetCustomer and the upserts. Upserts
 * merge: an id edits the fields that are set, no id adds. Nothing is deleted;
 * deactivating is an upsert with active = false. Catalogue writes are for
 * admins only; customers for everyone.
 */
#ifndef CLUBCRM_CATALOG_H
#define CLUBCRM_CATALOG_H

#include "clubcrm.pb-c.h"
#include "req.h"

#define CATALOG_NAME_MAX 100u
#define CATALOG_LOGIN_MAX 32u
#define CATALOG_PASSWORD_MIN 4u
#define CATALOG_PASSWORD_MAX 128u

int catalog_get(struct req *r, const Clubcrm__GetCatalog *in,
		Clubcrm__Catalog **out);
int catalog_get_customer(struct req *r, const Clubcrm__GetCustomer *in,
			 Clubcrm__CustomerReply **out);

int catalog_upsert_customer(struct req *r, const Clubcrm__UpsertCustomer *in,
			    Clubcrm__CustomerReply **out);
int catalog_upsert_type(struct req *r, const Clubcrm__UpsertTaskType *in,
			Clubcrm__Catalog **out);
int catalog_upsert_result(struct req *r, const Clubcrm__UpsertResult *in,
			  Clubcrm__Catalog **out);
int catalog_upsert_tag(struct req *r, const Clubcrm__UpsertTag *in,
		       Clubcrm__Catalog **out);
int catalog_upsert_team(struct req *r, const Clubcrm__UpsertTeam *in,
			Clubcrm__Catalog **out);
/* The password is hashed here (Argon2id) when set. */
int catalog_upsert_operator(struct req *r, const Clubcrm__UpsertOperator *in,
			    Clubcrm__Catalog **out);
int catalog_update_settings(struct req *r, const Clubcrm__UpdateSettings *in,
			    Clubcrm__Catalog **out);

#endif
