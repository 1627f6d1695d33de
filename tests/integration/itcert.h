/*
 * Certificates for the TLS tests, made in-process with OpenSSL (ECDSA
 * P-256, a second each): a test CA and a server certificate it signed, valid
 * for localhost and 127.0.0.1, and a second CA that signed nothing of ours.
 * Nothing secret or expiring is committed; the files live in the test's
 * temporary directory.
 */
#ifndef CLUBCRM_ITCERT_H
#define CLUBCRM_ITCERT_H

#define ITCERT_PATH_MAX 256

struct itcert {
	char ca[ITCERT_PATH_MAX];        /* dir/ca.pem: signed the server's */
	char other_ca[ITCERT_PATH_MAX];  /* dir/other-ca.pem: signed nothing */
	char cert[ITCERT_PATH_MAX];      /* dir/server.pem */
	char key[ITCERT_PATH_MAX];       /* dir/server.key */
};

/* Writes the four files into `dir` (which exists). 0, or -1 after
 * printing why. */
int itcert_make(const char *dir, struct itcert *out);

#endif
