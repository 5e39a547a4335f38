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
# As root, login processes run as dovenull, auth as dovecot and mail
# processes as nobody (Dovecot refuses root for them).
set -euo pipefail

DOVECOT=/usr/sbin/dovecot

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

cmd_install() {
	local pkgs=()
	[ -x "$DOVECOT" ] || pkgs+=(dovecot-imapd)
	command -v openssl >/dev/null || pkgs+=(openssl)
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

	local users="" mailuser
	if [ "$(id -u)" = 0 ]; then
		mailuser="uid=nobody gid=nogroup"
		chown nobody:nogroup "$dir/mail"
		chmod 644 "$dir/users"
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
auth_mechanisms = plain login
# Failed logins answer at once: the wrong-password test must stay fast.
auth_failure_delay = 0
# A throwaway test server: no fsync, so seeding 10,000 messages takes seconds.
mail_fsync = never
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/users
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
