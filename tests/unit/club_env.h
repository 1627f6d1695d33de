/*
 * A club made by club_init in a temporary LMDB, and its admin as a logged-in
 * session sees them: for the tests of the server's runners on a real store
 * (test_writer.c, test_reader.c; test_login.c and test_server.c remove their
 * own club's directory with club_env_rmdir). The directory is removed on
 * close.
 */
#ifndef CLUBCRM_TEST_CLUB_ENV_H
#define CLUBCRM_TEST_CLUB_ENV_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "club.h"
#include "service.h"
#include "store.h"

struct club_env {
	char dir[64];
	struct store *st;
	struct actor admin;
};

/* Removes `dir` and the files in it (LMDB's: no subdirectories). */
static inline void club_env_rmdir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	char path[512];
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

/* A club "Test club" (UTC) in /tmp/clubcrmd-test-`name`-XXXXXX, with a map
 * of `map_size` bytes; its admin acts at `now`. */
static inline void club_env_open(struct club_env *env, const char *name,
				 size_t map_size, int64_t now)
{
	*env = (struct club_env){0};  /* the actor's other fields too */
	snprintf(env->dir, sizeof(env->dir), "/tmp/clubcrmd-test-%s-XXXXXX",
		 name);
	assert_non_null(mkdtemp(env->dir));
	assert_int_equal(store_open(env->dir, map_size, &env->st), 0);
	assert_int_equal(club_init(env->st, "Test club", "UTC", "admin",
				   "Admin", "password1"), 0);
	struct arena a;
	arena_init(&a);
	Clubcrm__Operator *op = NULL;
	assert_int_equal(service_login(env->st, "admin", "password1", &a, &op),
			 0);
	env->admin.operator_id = op->id;
	env->admin.role = CLUBCRM__ROLE__ROLE_ADMIN;
	env->admin.now = now;
	arena_free(&a);
}

static inline void club_env_close(struct club_env *env)
{
	store_close(env->st);
	club_env_rmdir(env->dir);
}

#endif
