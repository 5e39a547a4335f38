#!/usr/bin/env bash
# Reference implementations the differential tests compare gwsync with
# (adapters/icalendar/differential_test.go): Debian's
# python3-recurring-ical-events (it brings python3-icalendar). Nothing runs:
#   oracles.sh install            apt-get install them when missing
#   oracles.sh start STATE_DIR    no-op (prints nothing to export)
#   oracles.sh stop STATE_DIR     no-op
set -euo pipefail

case "${1:-}" in
install)
	# Debian's interpreter explicitly: another python3 on PATH may lack them.
	/usr/bin/python3 -c 'import recurring_ical_events, icalendar' 2>/dev/null && exit 0
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 python3-recurring-ical-events >&2
	;;
start | stop) ;;
*)
	echo "usage: $0 install|start STATE_DIR|stop STATE_DIR" >&2
	exit 2
	;;
esac
