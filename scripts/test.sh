#!/usr/bin/env bash
# Sets up what the tests need (Debian packages, the models) and runs the whole test suite in
# release mode: the golden-output and perplexity tests run the real models; the store's tests
# run on SQLite and on a real PostgreSQL started here; then the official `openai` Python client
# checks a running `muse serve` (scripts/openai-conformance.sh), and two replicas behind nginx
# share one PostgreSQL (scripts/replicas-test.sh); a real `muse serve` killed with -9 after a
# webhook's 200 sends the reply once after a restart (scripts/webhooks-test.sh); last, the web
# assistant in a headless Chromium
# (scripts/web-e2e.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
pg_dir="$(mktemp -d "${TMPDIR:-/tmp}/muse-test-postgres.XXXXXX")"
pg_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
MUSE_TEST_DATABASE_URL="$(scripts/postgres.sh start "$pg_dir" "$pg_port")"
export MUSE_TEST_DATABASE_URL MUSE_REQUIRE_POSTGRES=1
trap 'scripts/postgres.sh stop "$pg_dir"; rm -rf "$pg_dir"' EXIT
# One build for the tests and the binary they run (a separate `--product muse` build would
# compile every dependency a second time with other flags).
swift build -c release --build-tests
# The sign-in flow tests talk over loopback to an OpenID provider running inside the test
# process; on two cores the model tests can hold every cooperative thread for a minute, and
# the provider then cannot answer. They run on their own, after the rest, with the remote-image
# and webhook tests (their image host and fake Graph API on loopback answer on the same pool).
swift test -c release --skip-build --skip SignInFlowTests --skip RemoteImageTests --skip WebhookTests --skip MessagingServiceTests \
    --skip IdentityLinkTests --skip ChatLinkTests "$@"
swift test -c release --skip-build --filter "SignInFlowTests|RemoteImageTests|WebhookTests|MessagingServiceTests|IdentityLinkTests|ChatLinkTests"
./scripts/openai-conformance.sh
./scripts/replicas-test.sh
./scripts/webhooks-test.sh
./scripts/web-e2e.sh
