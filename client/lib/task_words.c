#include "task_words.h"

const char *task_words_status(Clubcrm__TaskStatus s)
{
	switch (s) {
	case CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED: return "planned";
	case CLUBCRM__TASK_STATUS__TASK_STATUS_DONE: return "done";
	case CLUBCRM__TASK_STATUS__TASK_STATUS_CANCELLED: return "cancelled";
	default: return "-";
	}
}

const char *task_words_kind(Clubcrm__TaskKind k)
{
	return k == CLUBCRM__TASK_KIND__TASK_KIND_NOTE ? "note" : "task";
}

const char *task_words_outcome(Clubcrm__Outcome o)
{
	switch (o) {
	case CLUBCRM__OUTCOME__OUTCOME_POSITIVE: return "positive";
	case CLUBCRM__OUTCOME__OUTCOME_NEGATIVE: return "negative";
	case CLUBCRM__OUTCOME__OUTCOME_UNKNOWN: return "unknown";
	default: return "-";
	}
}
