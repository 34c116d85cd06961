#!/usr/bin/env bash
# A directory to try the sync with in the demo: Debian's slapd on loopback serving the tests'
# Japanese fixture tree (o=本市 …), in a temporary directory, until Ctrl-C.
#   apt-get install slapd ldap-utils    # once
#   scripts/demo-directory.sh [PORT]    # then start the demo as it prints
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
port="${1:-3389}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/db"
cat > "$dir/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile $dir/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 16777216
suffix "o=本市"
rootdn "cn=admin,o=本市"
rootpw admin-secret
directory $dir/db
CONF
/usr/sbin/slapadd -f "$dir/slapd.conf" -l "$here/crates/gaibu/tests/fixtures/directory.ldif"
cat <<TEXT
The directory is at ldap://127.0.0.1:$port (o=本市). Start the demo against it:

  GAIBU_LDAP_BIND_PASSWORD=gaibu-bind-secret cargo run --release -- demo \\
    --ldap-url ldap://127.0.0.1:$port --ldap-bind-dn 'cn=gaibu,ou=システム,o=本市'

then, as admin, ディレクトリ連携 on /admin: base DN o=本市, filter (objectClass=inetOrgPerson),
attributes uid / displayName / mail / departmentNumber / title / employeeType, leaver value 退職,
units 情報政策課 → GA-ICT and 市民課 → CIT-REG; save, then the dry run, then the sync.
Ctrl-C stops the directory.
TEXT
/usr/sbin/slapd -h "ldap://127.0.0.1:$port/" -f "$dir/slapd.conf" -d 0
