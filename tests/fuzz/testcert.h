/* A throwaway CA and server certificate for the TLS harness and its seeds. */
#ifndef CLUBCRM_FUZZ_TESTCERT_H
#define CLUBCRM_FUZZ_TESTCERT_H

#include <stddef.h>

struct testcert {
	char dir[64];
	char ca[128];    /* dir/ca.pem */
	char cert[128];  /* dir/server.pem: localhost, 127.0.0.1 */
	char key[128];   /* dir/server.key */
};

/* Makes the files in a new temporary directory. 0, or -1. */
int testcert_make(struct testcert *tc);
/* Removes the files and the directory. */
void testcert_remove(struct testcert *tc);

#endif
