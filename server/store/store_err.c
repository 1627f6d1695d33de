#include "store_err.h"

#include <string.h>

const char *store_strerror(int err)
{
	switch (err) {
	case CLUBCRM_EREFUSED:
		return "request refused";
	case CLUBCRM_EDISKFULL:
		return "the file system holding the database is full";
	default:
		return strerror(err < 0 ? -err : err);
	}
}
