/*
 * clubcrmd: parses the command line, opens the club's store and runs the
 * server on one libuv loop. `clubcrmd init` creates an empty club.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "auth.h"
#include "backup.h"
#include "check.h"
#include "club.h"
#include "config.h"
#include "log.h"
#include "passprompt.h"
#include "server.h"
#include "store.h"
#include "store_err.h"

#define DEMO_LOGINS "alicia, valentina, fermin (admin), deborah, maribel"

/*
 * One process per club: LMDB would let a second server in, but each keeps
 * its own idea of the revision and its own group commit. The lock goes with
 * the process (the descriptor is never closed).
 */
static int lock_club(const char *dir)
{
	char path[CONFIG_PATH_MAX + 32];
	snprintf(path, sizeof(path), "%s/clubcrmd.lock", dir);
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0) {
		int e = errno;
		log_error("cannot open %s: %s", path, strerror(e));
		return -e;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		if (e == EWOULDBLOCK)
			log_error("another clubcrmd is using %s", dir);
		else
			log_error("cannot lock %s: %s", path, strerror(e));
		close(fd);
		return -e;
	}
	return 0;
}

/* store_open(), or with a view the tools' store_open_tool(), saying why
 * it failed. */
static int open_logged(const char *dir, size_t map_size, struct store **st,
		       struct store_tool_view *v)
{
	int ret = v ? store_open_tool(dir, map_size, st, v)
		    : store_open(dir, map_size, st);
	if (ret >= 0 && !*st)
		ret = -EIO;
	if (ret < 0)
		log_error("cannot open the club in %s: %s", dir,
			  store_strerror(ret));
	return ret;
}

static int open_store(const char *dir, uint64_t map_mib, struct store **st)
{
	*st = NULL;
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		int e = errno;
		log_error("cannot create %s: %s", dir, strerror(e));
		return -e;
	}
	int lock = lock_club(dir);
	if (lock < 0)
		return lock;
	int ret = open_logged(dir, (size_t)(map_mib << 20), st, NULL);
	if (ret < 0)
		return ret;
	/* Prepares the dummy hash now, so that the first login with an
	 * unknown name does not take longer than the others. */
	(void)auth_init();
	return 0;
}

/* CLUBCRM_ADMIN_PASSWORD, or asked twice on the terminal. 0 or -1. */
static int admin_password(char *out, size_t size)
{
	const char *env = getenv("CLUBCRM_ADMIN_PASSWORD");
	if (env) {
		snprintf(out, size, "%s", env);
		return out[0] ? 0 : -1;
	}
	char again[256];
	int ret = passprompt_ask("admin password: ", out, size);
	if (ret == 0)
		ret = passprompt_ask("again: ", again, sizeof(again));
	if (ret == -ENOTTY) {
		log_error("no terminal to ask for the admin password: set "
			  "CLUBCRM_ADMIN_PASSWORD");
		return -1;
	}
	if (ret < 0) {
		log_error("cannot read the admin password: %s",
			  strerror(-ret));
		return -1;
	}
	if (ret == 0 && strcmp(out, again) != 0) {
		log_error("the two passwords differ");
		ret = -1;
	}
	explicit_bzero(again, sizeof(again));
	if (ret == 0 && !out[0]) {
		log_error("the password is empty");
		ret = -1;
	}
	return ret;
}

static int run_init(int argc, char **argv)
{
	struct init_opts o;
	char err[256];
	int ret = config_parse_init(&o, argc, argv, err, sizeof(err));
	if (ret != 0) {
		if (ret < 0) {
			fprintf(stderr, "clubcrmd init: %s (see --help)\n",
				err);
			return 2;
		}
		config_usage(stdout);
		return 0;
	}
	log_set_level(o.log_level);
	char password[256];
	if (admin_password(password, sizeof(password)) < 0)
		return 1;
	if (strlen(password) < 8)
		log_warn("the admin password is shorter than 8 characters");
	struct store *st;
	if (open_store(o.data_dir, 64, &st) < 0) {
		explicit_bzero(password, sizeof(password));
		return 1;
	}
	ret = club_init(st, o.club, o.time_zone, o.admin, o.name, password);
	explicit_bzero(password, sizeof(password));
	store_close(st);
	if (ret == -EEXIST) {
		log_error("the club in %s already has operators", o.data_dir);
		return 1;
	}
	if (ret < 0) {
		log_error("cannot create the club: %s", store_strerror(ret));
		return 1;
	}
	fprintf(stderr, "clubcrmd: created club \"%s\" in %s, admin %s\n",
		o.club, o.data_dir, o.admin);
	return 0;
}

/* Opens an existing club without the server's lock: both tools are safe
 * next to a running server (store_open_tool: they read its last checkpoint
 * and never wait for it). */
static int open_existing(const char *dir, struct store **st,
			 struct store_tool_view *v)
{
	struct stat sb;
	*st = NULL;
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
		log_error("%s: no such club directory", dir);
		return -ENOENT;
	}
	return open_logged(dir, 64u << 20, st, v);
}

/* `clubcrmd check` and `clubcrmd backup`: 0 fine, 1 failed or problems. */
static int run_tool(int argc, char **argv)
{
	bool backup = strcmp(argv[0], "backup") == 0;
	struct tool_opts o;
	char err[256];
	int ret = config_parse_tool(&o, backup, argc, argv, err, sizeof(err));
	if (ret != 0) {
		if (ret > 0) {
			config_usage(stdout);
			return 0;
		}
		fprintf(stderr, "clubcrmd %s: %s (see --help)\n", argv[0], err);
		return 2;
	}
	log_set_level(o.log_level);
	struct store *st;
	struct store_tool_view view;
	if (open_existing(o.data_dir, &st, &view) < 0)
		return 1;
	int rc = 0;
	if (backup) {
		ret = store_backup(st, o.out);
		if (ret < 0) {
			log_error("backup to %s: %s", o.out, store_strerror(ret));
			rc = 1;
		} else {
			fprintf(stderr, "clubcrmd: backup of %s written to %s\n",
				o.data_dir, o.out);
			if (view.served && view.verify_rc == 0)
				fprintf(stderr, "clubcrmd: a server is running: "
					"the copy is its last checkpoint (batch "
					"%llu), without the %zu journalled "
					"batch(es) after it\n",
					(unsigned long long)view.checkpoint,
					view.jv.after);
			else if (view.served)
				fprintf(stderr, "clubcrmd: a server is running: "
					"the copy is its last checkpoint (batch "
					"%llu); its journal could not be read "
					"(%s)\n",
					(unsigned long long)view.checkpoint,
					store_strerror(view.verify_rc));
		}
	} else {
		struct check_result res = { 0 };
		ret = check_store(st, stdout, &res);
		if (ret == 0)
			check_journal(&view, stdout, &res);
		if (ret < 0) {
			log_error("check of %s: %s", o.data_dir, store_strerror(ret));
			rc = 1;
		} else {
			printf("%s: revision %llu, %lu tasks, %lu customers, "
			       "%lu operators, %lu changes: %lu problem(s)\n",
			       o.data_dir, res.revision, res.tasks,
			       res.customers, res.operators, res.changes,
			       res.problems);
			rc = res.problems ? 1 : 0;
		}
	}
	store_close(st);
	return rc;
}

/* An empty club is seeded with --demo and refused without it. */
static int prepare_club(const struct config *cfg, struct store *st)
{
	if (!club_is_empty(st)) {
		if (cfg->demo)
			log_info("--demo: the club in %s exists already; "
				 "nothing seeded", cfg->data_dir);
		return 0;
	}
	if (!cfg->demo) {
		log_error("the club in %s is empty: create it with `clubcrmd "
			  "init --data %s --admin LOGIN`, or start with --demo "
			  "for the demo club", cfg->data_dir, cfg->data_dir);
		return -ENOENT;
	}
	int ret = club_seed_demo(st);
	if (ret < 0) {
		log_error("cannot seed the demo club: %s", store_strerror(ret));
		return ret;
	}
	fprintf(stderr, "clubcrmd: demo club created in %s: logins "
		DEMO_LOGINS "; every demo password is \"demo\"\n",
		cfg->data_dir);
	return 0;
}

static int serve(const struct config *cfg, struct store *st)
{
	uv_loop_t loop;
	int ret = uv_loop_init(&loop);
	if (ret < 0) {
		log_error("uv_loop_init: %s", uv_strerror(ret));
		return 1;
	}
	/* The context holds the 64 KiB read buffer: not on the stack. */
	struct server *srv = malloc(sizeof(*srv));
	int rc = 1;
	if (!srv)
		goto out;
	server_init(srv, &loop, cfg, st);
	if (server_start(srv) == 0)
		rc = 0;
	uv_run(&loop, UV_RUN_DEFAULT);
	/* The signal handles are closed: a second Ctrl-C must not kill the
	 * process while the store closes. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	server_fini(srv);
	free(srv);
out:
	ret = uv_loop_close(&loop);
	if (ret != 0) {
		log_error("uv_loop_close: %s (a handle was left open)",
			  uv_strerror(ret));
		rc = 1;
	}
	if (rc == 0)
		log_info("stopped");
	return rc;
}

int main(int argc, char **argv)
{
	/* Writes to a peer that went away must fail with EPIPE, not kill. */
	signal(SIGPIPE, SIG_IGN);
	if (argc > 1 && strcmp(argv[1], "init") == 0)
		return run_init(argc - 1, argv + 1);
	if (argc > 1 && (strcmp(argv[1], "check") == 0 ||
			 strcmp(argv[1], "backup") == 0))
		return run_tool(argc - 1, argv + 1);

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--version") == 0) {
			printf("clubcrmd %s\n", CLUBCRM_VERSION);
			return 0;
		}
	}
	struct config cfg;
	char err[512];
	int ret = config_from_args(&cfg, argc, argv, err, sizeof(err));
	if (ret == 0)
		ret = config_check(&cfg, err, sizeof(err));
	if (ret != 0) {
		if (ret < 0) {
			fprintf(stderr, "clubcrmd: %s (see --help)\n", err);
			return 2;
		}
		config_usage(stdout);
		return 0;
	}
	log_set_level(cfg.log_level);
	struct store *st;
	if (open_store(cfg.data_dir, cfg.map_size_mib, &st) < 0)
		return 1;
	int rc = 1;
	if (prepare_club(&cfg, st) == 0) {
		/* From here every write is the writer's, journalled. */
		ret = store_journal_start(st, cfg.data_dir);
		if (ret < 0)
			log_error("cannot start the journal in %s: %s",
				  cfg.data_dir, store_strerror(ret));
		else
			rc = serve(&cfg, st);
	}
	store_close(st);
	return rc;
}
