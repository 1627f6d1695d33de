#!/usr/bin/env bash
# make-test-ca.sh DIR [NAME]
#
# Makes a test certificate authority and a server certificate signed by it,
# for trying TLS between clubcrmd and its clients. Not for production: use
# your organisation's CA (or ACME) there.
#
# Writes into DIR (created if needed):
#   ca.pem       the CA certificate: give it to clients (clubcrm --ca-file
#                or CLUBCRM_CA_FILE; client_config.ca_file)
#   ca.key       the CA's private key (kept, so that more server
#                certificates can be signed by the same CA: run again with
#                another NAME into the same DIR)
#   server.pem   the server certificate, valid for NAME and 127.0.0.1
#                (clubcrmd --tls-cert)
#   server.key   its private key (clubcrmd --tls-key), mode 600
# NAME is a DNS name or an IP address; default: localhost.
# Keys are ECDSA P-256; the CA is valid 10 years, the server certificate 1.
set -euo pipefail

usage() {
  echo "usage: $0 DIR [NAME]" >&2
  exit 2
}

[ $# -ge 1 ] && [ $# -le 2 ] || usage
dir=$1
name=${2:-localhost}
case $name in
  ''|*[!A-Za-z0-9.:*-]*) echo "$0: bad name: $name" >&2; exit 2 ;;
esac
command -v openssl >/dev/null || { echo "$0: openssl not found (apt-get install openssl)" >&2; exit 1; }

mkdir -p "$dir"
umask 077
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A name with a colon, or only digits and dots, is an IP address.
if [[ $name == *:* || $name =~ ^[0-9.]+$ ]]; then
  san="IP:$name"
else
  san="DNS:$name"
fi
[ "$name" = 127.0.0.1 ] || san="$san,IP:127.0.0.1"

if [ -s "$dir/ca.pem" ] && [ -s "$dir/ca.key" ]; then
  echo "reusing the CA in $dir" >&2
else
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" -days 3650 -sha256 \
    -subj "/CN=clubcrm test CA $(date -u +%Y%m%d%H%M%S)" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" 2>"$tmp/log" ||
    { cat "$tmp/log" >&2; exit 1; }
fi

cat >"$tmp/ext" <<EOF
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=$san
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid:always
EOF

openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout "$tmp/server.key" -out "$tmp/server.csr" -subj "/CN=$name" \
  2>"$tmp/log" || { cat "$tmp/log" >&2; exit 1; }
openssl x509 -req -in "$tmp/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
  -set_serial "0x$(openssl rand -hex 16)" -days 365 -sha256 \
  -extfile "$tmp/ext" -out "$tmp/server.pem" 2>"$tmp/log" ||
  { cat "$tmp/log" >&2; exit 1; }

# Check what we made before handing it out.
openssl verify -CAfile "$dir/ca.pem" -purpose sslserver "$tmp/server.pem" >/dev/null

mv "$tmp/server.key" "$dir/server.key"
umask 022
mv "$tmp/server.pem" "$dir/server.pem"
chmod 644 "$dir/ca.pem" "$dir/server.pem"
chmod 600 "$dir/ca.key" "$dir/server.key"
echo "CA:          $dir/ca.pem"
echo "certificate: $dir/server.pem ($san)"
echo "key:         $dir/server.key"
