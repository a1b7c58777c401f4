#!/bin/sh
# Installs Debian's chromium when it is not on PATH: the browser test of the
# single sign-on loop (cmd/provisio/browser_e2e_test.go) drives it with
# chromedp, and fails without it. Idempotent and quiet: nothing happens when
# chromium is there; apt's output is shown only when the install fails.
# Uses sudo when not run as root. `make browser` runs it (a prerequisite of
# `make unit`, so of `make test`).
set -eu
if command -v chromium >/dev/null 2>&1; then
	exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
	echo "ensure-chromium: chromium is not on PATH and there is no apt-get: install chromium (or a chromium binary named chromium) by hand" >&2
	exit 1
fi
SUDO=
if [ "$(id -u)" -ne 0 ]; then
	SUDO=sudo
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
echo "ensure-chromium: installing chromium with apt-get" >&2
if ! { $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } >"$log" 2>&1; then
	cat "$log" >&2
	echo "ensure-chromium: apt-get failed" >&2
	exit 1
fi
if ! command -v chromium >/dev/null 2>&1; then
	echo "ensure-chromium: chromium is still not on PATH after apt-get install" >&2
	exit 1
fi
