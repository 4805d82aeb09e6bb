#!/usr/bin/env bash
# `npm test`: system tools if missing (Chromium and its headless shell, xmlsec1, openssl, OpenLDAP's slapd and Samba's AD DC for directory sign-in, strace to prove durable commits, SoftHSM2 as the PKCS#11 token of the HSM tests), `npm run check` (the static gates), production build, every Vitest project
# (unit, integration, system: PGlite, plus PostgreSQL when DATABASE_URL is set), Playwright in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1

missing=()
[ -x /usr/bin/chromium-headless-shell ] || missing+=(chromium-headless-shell) # tests/support/chromium.ts
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v xmlsec1 >/dev/null 2>&1 || missing+=(xmlsec1)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ -x /usr/sbin/slapd ] || missing+=(slapd)
command -v ldapwhoami >/dev/null 2>&1 || missing+=(ldap-utils)
# Samba's AD DC for Active Directory sign-in (tests/support/samba-ad.ts): the server, its schema and the ldb tools.
{ [ -x /usr/sbin/samba ] && [ -d /usr/share/samba/setup/ad-schema ] && dpkg -s samba-dsdb-modules >/dev/null 2>&1; } || missing+=(samba samba-ad-dc samba-ad-provision)
command -v ldbadd >/dev/null 2>&1 || missing+=(ldb-tools)
command -v strace >/dev/null 2>&1 || missing+=(strace)
[ -f /usr/lib/softhsm/libsofthsm2.so ] && command -v softhsm2-util >/dev/null 2>&1 || missing+=(softhsm2)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus) # promtool lints /metrics and tests the alert rules
[ -x /usr/sbin/nginx ] || missing+=(nginx-light)  # e2e/reverse-proxy.spec.ts: the console behind nginx with TLS
[ -x /usr/sbin/squid ] || missing+=(squid)  # tests/support/squid.ts: the forward proxy of the RMS proxy settings tests
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Missing Debian packages: ${missing[*]}. Install them (apt-get install ${missing[*]}) or run as root." >&2
    exit 1
  fi
  echo "Installing Debian packages: ${missing[*]}"
  # Their daemons (prometheus on :9090) must not start on install, with or without systemd: policy-rc.d says no.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -n "${RMS_REQUIRE_POSTGRES:-}" ] && [ -z "${DATABASE_URL:-}" ]; then
  echo "RMS_REQUIRE_POSTGRES is set but DATABASE_URL is not" >&2
  exit 1
fi

results="$(mktemp -d)"
echo "== static checks (npm run check)"
npm run --silent check
echo "== production build (the system tests and the walkthroughs run against it)"
npx next build

# One runner after the other: on a 2-core machine Vitest and Playwright side by side took longer than in turn
# (Playwright took 25.0 min beside Vitest against 14.7 alone on the same machine; both cores were busy throughout). The
# second runs even when the first failed, so one run shows every failure; the summary below decides the exit status.
set +e
echo "== unit, integration and system tests (Vitest projects)${DATABASE_URL:+, PGlite and PostgreSQL}"
npx vitest run --project unit --project integration --project system --project system-serial --reporter=default --reporter=json --outputFile.json="$results/vitest.json"
# The walkthroughs in two parts side by side (playwright.config.ts E2E_PART), each with a stack of its own: one browser
# and one stack at a time left the cores partly idle. Each line of a part's output starts with its name.
echo "== end-to-end tests (Playwright, Debian Chromium; two parts side by side, each starting a stack of its own)"
walkthroughs() {
  E2E_PART="$1" PLAYWRIGHT_JSON_OUTPUT_NAME="$results/playwright-$1.json" npx playwright test --reporter=list,json 2>&1 |
    sed -u "s/^/[walkthroughs $1] /"
}
walkthroughs 1 &
first=$!
walkthroughs 2 &
second=$!
wait "$first" "$second"
set -e

node -e '
const fs = require("fs");
const [vitest, ...playwright] = process.argv.slice(1).map((file) => {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8"));
  } catch {
    console.error(`no report in ${file}: that runner did not finish`);
    process.exit(1);
  }
});
const sum = (pick) => playwright.reduce((total, run) => total + (pick(run) ?? 0), 0);
const passed = vitest.numPassedTests + sum((run) => run.stats.expected);
const failed = vitest.numFailedTests + sum((run) => run.stats.unexpected);
const skipped = (vitest.numPendingTests ?? 0) + (vitest.numTodoTests ?? 0) + sum((run) => run.stats.skipped);
// A run can fail outside its tests: a file that does not load, a Playwright stack that does not start.
const broken = (!vitest.success && vitest.numFailedTests === 0) || sum((run) => (run.errors ?? []).length) > 0;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped${broken ? " (a run failed outside its tests: see above)" : ""}`);
process.exit(failed > 0 || broken ? 1 : 0);
' "$results/vitest.json" "$results/playwright-1.json" "$results/playwright-2.json"
