#include "testcert.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

static int add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (!ext)
		return -1;
	int ok = X509_add_ext(cert, ext, -1) == 1;
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer,
		       EVP_PKEY *issuer_key, bool ca)
{
	X509 *cert = X509_new();
	if (!cert)
		return NULL;
	X509 *signer = issuer ? issuer : cert;
	X509_NAME *name = X509_get_subject_name(cert);
	int ok = X509_set_version(cert, 2) == 1 &&
		ASN1_INTEGER_set(X509_get_serialNumber(cert), ca ? 1 : 2) == 1 &&
		X509_gmtime_adj(X509_getm_notBefore(cert), -3600) &&
		X509_gmtime_adj(X509_getm_notAfter(cert), 7 * 86400) &&
		X509_set_pubkey(cert, key) == 1 &&
		X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
			(const unsigned char *)cn, -1, -1, 0) == 1 &&
		X509_set_issuer_name(cert, X509_get_subject_name(signer)) == 1;
	if (ok && ca)
		ok = add_ext(cert, signer, NID_basic_constraints,
			     "critical,CA:TRUE") == 0 &&
		     add_ext(cert, signer, NID_key_usage,
			     "critical,keyCertSign") == 0;
	if (ok && !ca)
		ok = add_ext(cert, signer, NID_subject_alt_name,
			     "DNS:localhost,IP:127.0.0.1") == 0 &&
		     add_ext(cert, signer, NID_ext_key_usage,
			     "serverAuth") == 0;
	if (ok)
		ok = X509_sign(cert, issuer_key ? issuer_key : key,
			       EVP_sha256()) > 0;
	if (!ok) {
		X509_free(cert);
		return NULL;
	}
	return cert;
}

static int write_pem(const char *path, X509 *cert, EVP_PKEY *key)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	int ok = cert ? PEM_write_X509(f, cert) == 1 :
		PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1;
	return fclose(f) == 0 && ok ? 0 : -1;
}

int testcert_make(struct testcert *tc)
{
	snprintf(tc->dir, sizeof(tc->dir), "/tmp/clubcrm-fuzz-XXXXXX");
	if (!mkdtemp(tc->dir))
		return -1;
	snprintf(tc->ca, sizeof(tc->ca), "%s/ca.pem", tc->dir);
	snprintf(tc->cert, sizeof(tc->cert), "%s/server.pem", tc->dir);
	snprintf(tc->key, sizeof(tc->key), "%s/server.key", tc->dir);
	int ret = -1;
	EVP_PKEY *ca_key = EVP_EC_gen("P-256");
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *ca = NULL, *cert = NULL;
	if (!ca_key || !key)
		goto fail;
	ca = make_cert(ca_key, "clubcrm fuzz CA", NULL, NULL, true);
	cert = ca ? make_cert(key, "localhost", ca, ca_key, false) : NULL;
	if (!cert || write_pem(tc->ca, ca, NULL) < 0 ||
	    write_pem(tc->cert, cert, NULL) < 0 ||
	    write_pem(tc->key, NULL, key) < 0)
		goto fail;
	ret = 0;
fail:
	X509_free(ca);
	X509_free(cert);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(key);
	if (ret < 0)
		testcert_remove(tc);
	return ret;
}

void testcert_remove(struct testcert *tc)
{
	unlink(tc->ca);
	unlink(tc->cert);
	unlink(tc->key);
	rmdir(tc->dir);
}
