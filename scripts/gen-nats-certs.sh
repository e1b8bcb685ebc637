#!/usr/bin/env bash
# Makes a test CA, a server certificate and a client certificate for NATS (infra/nats/*.conf) in DIR:
#   ca.pem ca-key.pem  server-cert.pem server-key.pem  client-cert.pem client-key.pem
# The server certificate is for localhost and 127.0.0.1 plus any SAN given after DIR (a name, or
# an IP address: `scripts/gen-nats-certs.sh /etc/loadline/nats/tls nats-1.internal 10.0.0.5`), and
# serves both clients and the cluster's routes (which present it as a client certificate).
# For tests and trials: a production CA keeps its key elsewhere. Existing files are replaced.
set -euo pipefail

if [ $# -lt 1 ] || [ "$1" = "-h" ] || [ "$1" = "--help" ]; then
  echo "usage: $0 DIR [SAN...]" >&2
  exit 2
fi
dir=$1
shift
days=${NATS_CERT_DAYS:-825}

sans="DNS:localhost,IP:127.0.0.1"
for san in "$@"; do
  if [[ $san =~ ^[0-9.]+$ || $san == *:* ]]; then sans="$sans,IP:$san"; else sans="$sans,DNS:$san"; fi
done

mkdir -p "$dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 077

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# The CA.
key "$dir/ca-key.pem"
openssl req -x509 -new -key "$dir/ca-key.pem" -sha256 -days "$days" -subj "/O=Loadline/CN=Loadline NATS test CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$dir/ca.pem"

# sign NAME SUBJECT EXTENSIONS: NAME-key.pem and NAME-cert.pem, signed by the CA.
sign() {
  key "$dir/$1-key.pem"
  openssl req -new -key "$dir/$1-key.pem" -subj "$2" -out "$work/$1.csr"
  printf '%s\n' "$3" >"$work/$1.ext"
  openssl x509 -req -in "$work/$1.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca-key.pem" -CAcreateserial -CAserial "$work/ca.srl" \
    -sha256 -days "$days" -extfile "$work/$1.ext" -out "$dir/$1-cert.pem" 2>/dev/null
}

sign server "/O=Loadline/CN=nats-server" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=$sans"

sign client "/O=Loadline/CN=loadline-client" "basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"

# Certificates are public; keys stay readable by their owner only.
chmod 644 "$dir/ca.pem" "$dir/server-cert.pem" "$dir/client-cert.pem"
chmod 600 "$dir/ca-key.pem" "$dir/server-key.pem" "$dir/client-key.pem"
openssl verify -CAfile "$dir/ca.pem" "$dir/server-cert.pem" "$dir/client-cert.pem" >/dev/null
echo "NATS certificates in $dir (server SANs: $sans)" >&2
