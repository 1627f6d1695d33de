/*
 * When two customers are the same person, for imports: the same e-mail
 * (trimmed, ASCII letters in lower case), or the same phone (its digits
 * only: "+34 600 111 222" is "34600111222"), or, for a customer with
 * neither, the same name (folded: case and accents ignored). One rule for
 * the server, which checks a file's rows against the club, and the client,
 * which checks them against each other.
 *
 * A key is written to `out` (at least CUSTKEY_MAX bytes) with a leading
 * kind letter ('e', 'p', 'n') and a terminator; the functions return its
 * length, 0 when there is none (nothing given, no digit, too long).
 */
#ifndef CLUBCRM_CUSTKEY_H
#define CLUBCRM_CUSTKEY_H

#include <stddef.h>

#define CUSTKEY_MAX 264u

size_t custkey_email(const char *email, char out[CUSTKEY_MAX]);
size_t custkey_phone(const char *phone, char out[CUSTKEY_MAX]);
/* The name's key; only for a customer with no e-mail and no phone. */
size_t custkey_name(const char *name, char out[CUSTKEY_MAX]);

#endif
