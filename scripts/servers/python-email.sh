#!/usr/bin/env bash
# The reference for the MIME differential test (adapters/mailmsg): Debian's
# Python 3 with its email package, and CPython's own test messages
# (libpython3.X-testsuite). Nothing runs: start only says where they are.
#   python-email.sh install            apt-get install them when missing
#   python-email.sh start STATE_DIR    prints `export GWSYNC_TEST_PYTHON_EMAIL_*=…`
#   python-email.sh stop STATE_DIR     nothing to stop
set -euo pipefail

# data finds CPython's test_email messages of Debian's python3.
data() {
	local v
	v=$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) || return 1
	[[ -d /usr/lib/python$v/test/test_email/data ]] || return 1
	echo "/usr/lib/python$v/test/test_email/data"
}

case "${1:-}" in
install)
	[[ -x /usr/bin/python3 ]] && data >/dev/null && exit 0
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 >&2
	v=$(/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "libpython$v-testsuite" >&2
	;;
start)
	d=$(data) || { echo "CPython's test_email data is missing: run $0 install" >&2; exit 1; }
	echo "export GWSYNC_TEST_PYTHON_EMAIL_PYTHON=/usr/bin/python3"
	echo "export GWSYNC_TEST_PYTHON_EMAIL_DATA=$d"
	;;
stop) ;;
*)
	echo "usage: $0 install | start STATE_DIR | stop STATE_DIR" >&2
	exit 2
	;;
esac
