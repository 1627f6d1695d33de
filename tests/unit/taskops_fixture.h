/*
 * Shared by the task operation tests (test_taskops_*.c): the writes most
 * of them make (an edit; a take, release, close or cancel by id), each
 * test on its own copy of domain_fixture.h's small club (struct fx_env).
 */
#ifndef CLUBCRM_TASKOPS_FIXTURE_H
#define CLUBCRM_TASKOPS_FIXTURE_H

#include "domain_fixture.h"

#define PLANNED CLUBCRM__TASK_STATUS__TASK_STATUS_PLANNED
#define DONE CLUBCRM__TASK_STATUS__TASK_STATUS_DONE
#define CANCELLED CLUBCRM__TASK_STATUS__TASK_STATUS_CANCELLED
#define NOTE CLUBCRM__TASK_KIND__TASK_KIND_NOTE

static Clubcrm__Frame *edit(struct fx *fx, uint64_t who,
			    Clubcrm__EditTask *in)
{
	Clubcrm__Frame f = CLUBCRM__FRAME__INIT;
	f.body_case = BODY(EDIT_TASK);
	f.edit_task = in;
	return fx_write(fx, fx_actor(who, 0), &f);
}

static Clubcrm__Frame *simple(struct fx *fx, uint64_t who, int admin,
			      Clubcrm__Frame__BodyCase body, uint64_t id)
{
	struct fx_by_id o;
	return fx_write(fx, fx_actor(who, admin), fx_by_id(&o, body, id));
}

/* A test on its own copy of the club. */
#define T(f) \
	cmocka_unit_test_setup_teardown(f, fx_env_setup, fx_env_teardown)

#endif
