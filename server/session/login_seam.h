/*
 * Test seams of login.c: points where a test may act on the loop thread
 * between two steps of a login, to hit a race every time without sleeps.
 * They are weak symbols, left undefined in clubcrmd (nothing runs there);
 * a test program that links the daemon's modules defines the ones it needs
 * (tests/unit/test_login.c). Nothing of them is in the server's struct.
 */
#ifndef CLUBCRMD_LOGIN_SEAM_H
#define CLUBCRMD_LOGIN_SEAM_H

struct server;

/* A login's password check has returned; its grant is read again next. */
void login_seam_checked(struct server *srv, const char *login)
	__attribute__((weak));
/* That login's resume token was queued for the writer, before the batch
 * that stores it starts. */
void login_seam_token_queued(struct server *srv, const char *login)
	__attribute__((weak));

#endif
