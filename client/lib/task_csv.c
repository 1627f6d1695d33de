#include "task_csv.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "csv_writer.h"
#include "task_words.h"

const char *const task_csv_columns[TASK_CSV_COLS] = {
	"ID", "Kind", "Planned", "Created", "Operator", "Creator", "Type",
	"Customer", "Status", "Result", "Outcome", "Taken by", "Tags",
	"Description", "Closing note",
};

void task_csv_head(FILE *out, bool bom)
{
	if (bom)
		fputs(CSV_UTF8_BOM, out);
	csvw_record(out, task_csv_columns, TASK_CSV_COLS);
}

/* The tags joined as the screens show them; NULL when out of memory. */
static char *joined_tags(const Clubcrm__TaskRow *r)
{
	size_t len = 1;
	for (size_t i = 0; i < r->n_tag_names; i++)
		len += strlen(r->tag_names[i] ? r->tag_names[i] : "") + 2;
	char *tags = malloc(len);
	if (!tags)
		return NULL;
	tags[0] = '\0';
	for (size_t i = 0; i < r->n_tag_names; i++) {
		if (i)
			strcat(tags, ", ");
		strcat(tags, r->tag_names[i] ? r->tag_names[i] : "");
	}
	return tags;
}

int task_csv_row(FILE *out, const Clubcrm__TaskRow *r)
{
	static const Clubcrm__Task empty = CLUBCRM__TASK__INIT;
	const Clubcrm__Task *t = r->task ? r->task : &empty;
	char id[24], planned[40], created[40];
	snprintf(id, sizeof(id), "%" PRIu64, t->id);
	csvw_time(t->planned_at, planned, sizeof(planned));
	csvw_time(t->created_at, created, sizeof(created));
	char *tags = joined_tags(r);
	if (!tags)
		return -ENOMEM;
	bool taken = t->taken_by && r->taken_by_login;
	const char *fields[TASK_CSV_COLS] = {
		id,
		task_words_kind(t->kind),
		planned,
		created,
		csvw_person(r->operator_name, r->operator_login),
		csvw_person(r->creator_name, r->creator_login),
		r->type_name,
		r->customer_name,
		task_words_status(t->status),
		r->result_name,
		r->outcome ? task_words_outcome(r->outcome) : "",
		taken ? csvw_person(r->taken_by_name, r->taken_by_login) : "",
		tags,
		t->description,
		t->closing_note,
	};
	csvw_record(out, fields, TASK_CSV_COLS);
	free(tags);
	return 0;
}
