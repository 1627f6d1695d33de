#include "itcert.h"

#include <stdbool.h>
#include <stdio.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

static bool add_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509V3_set_ctx(&v3, issuer, cert, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (!ext)
		return false;
	bool ok = X509_add_ext(cert, ext, -1) == 1;
	X509_EXTENSION_free(ext);
	return ok;
}

/* A certificate for `key`, signed by `issuer` (self-signed when NULL). */
static X509 *make_cert(EVP_PKEY *key, const char *cn, X509 *issuer,
		       EVP_PKEY *issuer_key, long serial)
{
	X509 *cert = X509_new();
	if (!cert)
		return NULL;
	bool ca = issuer == NULL;
	X509 *signer = ca ? cert : issuer;
	X509_NAME *name = X509_get_subject_name(cert);
	bool ok = X509_set_version(cert, 2) == 1 &&
		ASN1_INTEGER_set(X509_get_serialNumber(cert), serial) == 1 &&
		X509_gmtime_adj(X509_getm_notBefore(cert), -3600) &&
		X509_gmtime_adj(X509_getm_notAfter(cert), 86400) &&
		X509_set_pubkey(cert, key) == 1 &&
		X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
			(const unsigned char *)cn, -1, -1, 0) == 1 &&
		X509_set_issuer_name(cert, X509_get_subject_name(signer)) == 1;
	if (ok && ca)
		ok = add_ext(cert, signer, NID_basic_constraints,
			     "critical,CA:TRUE") &&
		     add_ext(cert, signer, NID_key_usage,
			     "critical,keyCertSign,cRLSign") &&
		     add_ext(cert, signer, NID_subject_key_identifier, "hash");
	if (ok && !ca)
		ok = add_ext(cert, signer, NID_basic_constraints,
			     "critical,CA:FALSE") &&
		     add_ext(cert, signer, NID_key_usage,
			     "critical,digitalSignature") &&
		     add_ext(cert, signer, NID_ext_key_usage, "serverAuth") &&
		     add_ext(cert, signer, NID_subject_alt_name,
			     "DNS:localhost,IP:127.0.0.1");
	if (ok)
		ok = X509_sign(cert, ca ? key : issuer_key, EVP_sha256()) > 0;
	if (!ok) {
		X509_free(cert);
		return NULL;
	}
	return cert;
}

static bool write_pem(const char *path, X509 *cert, EVP_PKEY *key)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return false;
	bool ok = cert ? PEM_write_X509(f, cert) == 1 :
		PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1;
	return fclose(f) == 0 && ok;
}

int itcert_make(const char *dir, struct itcert *out)
{
	snprintf(out->ca, sizeof(out->ca), "%s/ca.pem", dir);
	snprintf(out->other_ca, sizeof(out->other_ca), "%s/other-ca.pem", dir);
	snprintf(out->cert, sizeof(out->cert), "%s/server.pem", dir);
	snprintf(out->key, sizeof(out->key), "%s/server.key", dir);
	EVP_PKEY *ca_key = EVP_EC_gen("P-256");
	EVP_PKEY *other_key = EVP_EC_gen("P-256");
	EVP_PKEY *key = EVP_EC_gen("P-256");
	X509 *ca = NULL, *other = NULL, *cert = NULL;
	bool ok = ca_key && other_key && key;
	if (ok) {
		ca = make_cert(ca_key, "clubcrm it CA", NULL, NULL, 1);
		other = make_cert(other_key, "clubcrm it other CA", NULL,
				  NULL, 1);
		cert = ca ? make_cert(key, "localhost", ca, ca_key, 2) : NULL;
		ok = ca && other && cert &&
		     write_pem(out->ca, ca, NULL) &&
		     write_pem(out->other_ca, other, NULL) &&
		     write_pem(out->cert, cert, NULL) &&
		     write_pem(out->key, NULL, key);
	}
	if (!ok) {
		fprintf(stderr, "itcert: cannot make the certificates in %s\n",
			dir);
		ERR_print_errors_fp(stderr);
	}
	X509_free(ca);
	X509_free(other);
	X509_free(cert);
	EVP_PKEY_free(ca_key);
	EVP_PKEY_free(other_key);
	EVP_PKEY_free(key);
	return ok ? 0 : -1;
}
