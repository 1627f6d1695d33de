/*
 * Catalogue records: what every upsert shares (load or allocate, unique
 * names, revision stamps, change-set event, reply). Who may change them is
 * rights.h's.
 */
#ifndef CLUBCRM_CATALOG_RECORD_H
#define CLUBCRM_CATALOG_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "clubcrm.pb-c.h"
#include "req.h"

/* The record's `active` flag (false for messages without one). */
bool catalog_record_active(const ProtobufCMessage *m);
/* Stamps create_rev/mod_rev, stores the record, adds it to the change set. */
int catalog_record_save(struct req *r, enum store_db db, uint64_t id,
			bool created, ProtobufCMessage *m);
/* The record to edit (NOT_FOUND names `what`), or a new active one with the
 * next id when `id` is 0. */
int catalog_record_load_or_new(struct req *r, enum store_db db,
			       const ProtobufCMessageDescriptor *d, uint64_t id,
			       const char *what, ProtobufCMessage **out,
			       bool *created);
/* ALREADY_EXISTS when another record of `db` has this name (any case). */
int catalog_record_unique_name(struct req *r, enum store_db db,
			       const ProtobufCMessageDescriptor *d, uint64_t id,
			       const char *name, const char *what);
/* A name to set: required for a new record, optional on an edit. */
int catalog_record_name(struct req *r, const char *in, bool created, size_t max,
			char **dst);
/* An optional text field: valid, at most max bytes, trimmed. */
int catalog_record_text(struct req *r, const char *in, size_t max,
			const char *what, char **dst);
/* An empty Catalog reply at this write's revision. */
Clubcrm__Catalog *catalog_record_catalog(struct req *r);
/* Puts one entry in a Catalog reply. */
int catalog_record_reply_one(struct req *r, void ***arr, size_t *n, void *entry,
			     Clubcrm__Catalog *c, Clubcrm__Catalog **out);

#endif
