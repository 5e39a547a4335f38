#!/usr/bin/env bash
# Private Dovecot IMAP server for the tests of the imap adapter.
#
#   dovecot.sh install          apt-get install dovecot-imapd (and openssl) if missing
#   dovecot.sh start STATE_DIR  start on 127.0.0.1, print `export GWSYNC_TEST_DOVECOT_*=...`
#   dovecot.sh stop STATE_DIR   stop exactly the dovecot started in STATE_DIR
#
# Users alice and bob, password "secret". Plain IMAP (STARTTLS offered) on
# one port and, when openssl is there, implicit TLS (imaps) on another with
# a self-signed certificate whose PEM is exported as the CA file.
# OAuth: XOAUTH2 and OAUTHBEARER accept a JWT signed (HS256) with a random
# key of this instance, issued by the exported issuer, with the user name
# in "sub" and an "exp" in the future. Dovecot checks it locally (oauth2
# passdb, introspection_mode = local), so no token service runs. The key
# file holds the key base64-encoded, as Dovecot's key dict wants it.
# As root, login processes run as dovenull, auth as dovecot and mail
# processes as nobody (Dovecot refuses root for them).
#
# Many-users mode (benchmarks, e.g. bench/scale): with GWSYNC_DOVECOT_USERS=N
# the passwd-file also holds user00001 … user<N> (password "secret"; the
# number has at least five digits), and login and imap processes serve many
# connections each, one after another (Dovecot's high-performance mode,
# allowed because every mail process runs as one UID), so that thousands of
# logins cost no thousands of process starts. start also exports
# GWSYNC_TEST_DOVECOT_MAIL_DIR (user U's maildir is MAIL_DIR/U/Maildir) and
# GWSYNC_TEST_DOVECOT_MAIL_OWNER (uid:gid the maildirs must belong to).
set -euo pipefail

DOVECOT=/usr/sbin/dovecot

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

cmd_install() {
	local pkgs=()
	[ -x "$DOVECOT" ] || pkgs+=(dovecot-imapd)
	command -v openssl >/dev/null || pkgs+=(openssl)
	command -v python3 >/dev/null || pkgs+=(python3) # free ports, the OAuth key
	if [ ${#pkgs[@]} -gt 0 ]; then
		apt-get install -y --no-install-recommends "${pkgs[@]}" >&2
	fi
}

cmd_start() {
	local dir=$1
	[ -x "$DOVECOT" ] || { echo "dovecot.sh: $DOVECOT missing; run '$0 install'" >&2; exit 1; }
	mkdir -p "$dir"/{run,state,mail}
	chmod 711 "$dir"
	local port sport
	port=$(free_port)
	sport=$(free_port)
	while [ "$sport" = "$port" ]; do sport=$(free_port); done

	printf 'alice:{PLAIN}secret::::::\nbob:{PLAIN}secret::::::\n' >"$dir/users"
	local many=${GWSYNC_DOVECOT_USERS:-0} many_conf=""
	if [ "$many" -gt 0 ]; then
		awk -v n="$many" 'BEGIN { for (i = 1; i <= n; i++) printf "user%05d:{PLAIN}secret::::::\n", i }' >>"$dir/users"
		many_conf="# Many-users mode: processes are reused across connections.
service imap-login {
  service_count = 0
  process_min_avail = 2
}
service imap {
  service_count = 1000
  process_limit = 512
}"
	fi

	# The key dict is fs:posix; Dovecot looks the key up as
	# shared/<azp>/<alg>/<kid>, "default" standing for a missing azp or kid.
	local issuer=https://issuer.example.com/gwsync-test keyfile="$dir/oauth-keys/default/HS256/default"
	mkdir -p "$(dirname "$keyfile")"
	python3 -c 'import base64,os; print(base64.b64encode(os.urandom(32)).decode())' >"$keyfile"
	cat >"$dir/oauth2.conf" <<OAUTH
introspection_mode = local
local_validation_key_dict = fs:posix:prefix=$dir/oauth-keys/
issuers = $issuer
username_attribute = sub
OAUTH

	local users="" mailuser
	if [ "$(id -u)" = 0 ]; then
		mailuser="uid=nobody gid=nogroup"
		chown nobody:nogroup "$dir/mail"
		chmod 644 "$dir/users" "$dir/oauth2.conf"
		chmod -R go+rX "$dir/oauth-keys"
		users="default_login_user = dovenull
default_internal_user = dovecot
default_internal_group = dovecot"
	else
		mailuser="uid=$(id -u) gid=$(id -g)"
		users="default_login_user = $(id -un)
default_internal_user = $(id -un)
default_internal_group = $(id -gn)"
	fi

	local ssl="ssl = no" imaps=""
	if command -v openssl >/dev/null; then
		openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
			-addext subjectAltName=IP:127.0.0.1 \
			-keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1
		chmod 644 "$dir/cert.pem"
		ssl="ssl = yes
ssl_cert = <$dir/cert.pem
ssl_key = <$dir/key.pem"
		imaps="inet_listener imaps {
    address = 127.0.0.1
    port = $sport
    ssl = yes
  }"
	fi

	cat >"$dir/dovecot.conf" <<CONF
protocols = imap
listen = 127.0.0.1
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
$users
$ssl
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
# Failed logins answer at once: the wrong-password test must stay fast.
auth_failure_delay = 0
# No auth penalty either: after a failed login Dovecot delays every later
# login from the same IP (4 s, 8 s, then 15 s), so a few refused passwords
# or tokens would slow down every test sharing this server. Closing the
# penalty socket of anvil is the documented way to turn it off (2.3.19
# still applies it to login_trusted_networks).
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
# A throwaway test server: no fsync, so seeding 10,000 messages takes seconds.
mail_fsync = never
# Each passdb serves only its own mechanisms: XOAUTH2 hands the token to
# the passdbs as the password, so a passwd-file passdb reached after a
# refused token would let the password stand in for a token.
passdb {
  driver = passwd-file
  mechanisms = plain login
  args = scheme=PLAIN username_format=%u $dir/users
}
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $dir/oauth2.conf
}
userdb {
  driver = static
  args = $mailuser home=$dir/mail/%u
}
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}
$many_conf
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $port
  }
  $imaps
}
CONF
	"$DOVECOT" -c "$dir/dovecot.conf" >&2
	local i
	for i in $(seq 1 100); do
		if [ -s "$dir/run/master.pid" ] && python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$port),0.2)" 2>/dev/null; then
			break
		fi
		sleep 0.05
	done
	[ -s "$dir/run/master.pid" ] || { echo "dovecot.sh: dovecot did not start; see $dir/dovecot.log" >&2; cat "$dir/dovecot.log" >&2 || true; exit 1; }
	cp "$dir/run/master.pid" "$dir/dovecot.pid"

	echo "export GWSYNC_TEST_DOVECOT_ADDR=127.0.0.1:$port"
	echo "export GWSYNC_TEST_DOVECOT_USER=alice"
	echo "export GWSYNC_TEST_DOVECOT_USER2=bob"
	echo "export GWSYNC_TEST_DOVECOT_PASSWORD=secret"
	echo "export GWSYNC_TEST_DOVECOT_CONF=$dir/dovecot.conf"
	if [ "$many" -gt 0 ]; then
		echo "export GWSYNC_TEST_DOVECOT_MAIL_DIR=$dir/mail"
		if [ "$(id -u)" = 0 ]; then
			echo "export GWSYNC_TEST_DOVECOT_MAIL_OWNER=$(id -u nobody):$(getent group nogroup | cut -d: -f3)"
		else
			echo "export GWSYNC_TEST_DOVECOT_MAIL_OWNER=$(id -u):$(id -g)"
		fi
	fi
	echo "export GWSYNC_TEST_DOVECOT_OAUTH_KEY_FILE=$keyfile"
	echo "export GWSYNC_TEST_DOVECOT_OAUTH_ISSUER=$issuer"
	if [ -n "$imaps" ]; then
		echo "export GWSYNC_TEST_DOVECOT_IMAPS_ADDR=127.0.0.1:$sport"
		echo "export GWSYNC_TEST_DOVECOT_CA_FILE=$dir/cert.pem"
	fi
}

cmd_stop() {
	local dir=$1 pid
	[ -s "$dir/dovecot.pid" ] || exit 0
	pid=$(cat "$dir/dovecot.pid")
	if kill "$pid" 2>/dev/null; then
		for _ in $(seq 1 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
	fi
	rm -f "$dir/dovecot.pid"
}

case "${1:-}" in
install) cmd_install ;;
start) cmd_start "${2:?usage: $0 start STATE_DIR}" ;;
stop) cmd_stop "${2:?usage: $0 stop STATE_DIR}" ;;
*) echo "usage: $0 install | start STATE_DIR | stop STATE_DIR" >&2; exit 2 ;;
esac
