#include "customer_csv.h"

#include <inttypes.h>

#include "csv_writer.h"

const char *const customer_csv_columns[CUSTOMER_CSV_COLS] = {
	"ID", "Name", "Phone", "E-mail", "Consultant", "Created",
};

void customer_csv_head(FILE *out, bool bom)
{
	if (bom)
		fputs(CSV_UTF8_BOM, out);
	csvw_record(out, customer_csv_columns, CUSTOMER_CSV_COLS);
}

static const char *consultant(Clubcrm__Operator *const *ops, size_t n,
			      uint64_t id)
{
	for (size_t i = 0; id && i < n; i++)
		if (ops[i] && ops[i]->id == id)
			return csvw_person(ops[i]->name, ops[i]->login);
	return "";
}

void customer_csv_row(FILE *out, const Clubcrm__Customer *c,
		      Clubcrm__Operator *const *ops, size_t n_ops)
{
	char id[24], created[40];
	snprintf(id, sizeof(id), "%" PRIu64, c->id);
	csvw_time(c->created_at, created, sizeof(created));
	const char *fields[CUSTOMER_CSV_COLS] = {
		id, c->name, c->phone, c->email,
		consultant(ops, n_ops, c->consultant_id), created,
	};
	csvw_record(out, fields, CUSTOMER_CSV_COLS);
}
