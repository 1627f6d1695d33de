/*
 * Lookups in the catalogue replica: names for ids, and the pick lists of
 * the forms (active entries only, so nobody picks a retired type).
 */
#include <stdio.h>

#include "tui_app.h"

const struct replica_catalog *tui_cat(struct tui_app *a)
{
	return a->cat ? &live_sub_replica(a->cat)->cat : NULL;
}

const Clubcrm__Operator *tui_cat_operator(struct tui_app *a, uint64_t id)
{
	const struct replica_catalog *c = tui_cat(a);
	for (size_t i = 0; c && i < c->n_operators; i++)
		if (c->operators[i]->id == id)
			return c->operators[i];
	return NULL;
}

const Clubcrm__Customer *tui_cat_customer(struct tui_app *a, uint64_t id)
{
	const struct replica_catalog *c = tui_cat(a);
	for (size_t i = 0; c && i < c->n_customers; i++)
		if (c->customers[i]->id == id)
			return c->customers[i];
	return NULL;
}

static void start(struct tui_field *f, const char *none)
{
	if (none)
		tui_field_add_choice(f, 0, none);
}

/* Entries without the flag count as active (older servers). */
static bool active(protobuf_c_boolean has, protobuf_c_boolean value)
{
	return !has || value;
}

void tui_cat_fill_operators(struct tui_app *a, struct tui_field *f, const char *none)
{
	const struct replica_catalog *c = tui_cat(a);
	start(f, none);
	for (size_t i = 0; c && i < c->n_operators; i++) {
		const Clubcrm__Operator *o = c->operators[i];
		if (active(o->has_active, o->active))
			tui_field_add_choice(f, o->id, o->name ? o->name : o->login);
	}
}

void tui_cat_fill_types(struct tui_app *a, struct tui_field *f, const char *none)
{
	const struct replica_catalog *c = tui_cat(a);
	start(f, none);
	for (size_t i = 0; c && i < c->n_task_types; i++) {
		const Clubcrm__TaskType *t = c->task_types[i];
		if (active(t->has_active, t->active))
			tui_field_add_choice(f, t->id, t->name);
	}
}

void tui_cat_fill_results(struct tui_app *a, struct tui_field *f, const char *none)
{
	const struct replica_catalog *c = tui_cat(a);
	start(f, none);
	for (size_t i = 0; c && i < c->n_results; i++) {
		const Clubcrm__Result *r = c->results[i];
		if (active(r->has_active, r->active))
			tui_field_add_choice(f, r->id, r->name);
	}
}

void tui_cat_fill_tags(struct tui_app *a, struct tui_field *f, const char *none)
{
	const struct replica_catalog *c = tui_cat(a);
	start(f, none);
	for (size_t i = 0; c && i < c->n_tags; i++) {
		const Clubcrm__Tag *t = c->tags[i];
		if (active(t->has_active, t->active))
			tui_field_add_choice(f, t->id, t->name);
	}
}

void tui_cat_fill_customers(struct tui_app *a, struct tui_field *f, const char *none)
{
	const struct replica_catalog *c = tui_cat(a);
	start(f, none);
	for (size_t i = 0; c && i < c->n_customers; i++) {
		const Clubcrm__Customer *cu = c->customers[i];
		if (active(cu->has_active, cu->active))
			tui_field_add_choice(f, cu->id, cu->name);
	}
}

void tui_cat_slots(struct tui_app *a, uint32_t *slot, uint32_t *start_min,
		   uint32_t *end)
{
	const struct replica_catalog *c = tui_cat(a);
	const Clubcrm__Settings *s = c ? c->settings : NULL;
	*slot = s && s->has_slot_minutes ? s->slot_minutes : 30;
	*start_min = s && s->has_day_start_minute ? s->day_start_minute : 8 * 60;
	*end = s && s->has_day_end_minute ? s->day_end_minute : 21 * 60;
}
