#!/usr/bin/env bash
# Sets up and runs every check: typecheck, lint, unit tests (database tests on SQLite
# and on PostgreSQL), build, and the end-to-end tests in Debian's Chromium against the
# sandbox, backend and built app. Ends with one line "N passed, N failed".
set -uo pipefail
source "$(dirname "$0")/lib.sh"
ensure_node
cd "$REPO_ROOT"
RESULTS="$REPO_ROOT/test-results"
rm -rf "$RESULTS" && mkdir -p "$RESULTS"
PASSED=0
FAILED=0

# A check that is not a test runner (typecheck, lint, build) counts as one test.
step() {
  local name="$1"
  shift
  log "$name"
  if "$@"; then
    PASSED=$((PASSED + 1))
  else
    echo "FAILED: $name" >&2
    FAILED=$((FAILED + 1))
  fi
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

ensure_postgres() {
  if [ -n "${BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING:-}" ]; then return; fi
  if ! command -v pg_ctlcluster >/dev/null; then
    log "Installing PostgreSQL from Debian's packages"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null || {
      as_root apt-get update -q >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null
    } || { echo "PostgreSQL unavailable: database tests run on SQLite only" >&2; return; }
  fi
  as_root pg_ctlcluster 15 main start 2>/dev/null || true
  as_root su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null &&
    export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="postgresql://postgres:postgres@localhost:5432"
}

ensure_chromium() {
  if [ -x /usr/bin/chromium ]; then return; fi
  log "Installing Chromium from Debian's packages"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null || {
    as_root apt-get update -q >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
  }
}

count_jest() {
  node -e 'const r=require(process.argv[1]);console.log(r.numPassedTests, r.numFailedTests + r.numRuntimeErrorTestSuites)' "$1" 2>/dev/null || echo "0 1"
}

count_playwright() {
  node -e 'const s=require(process.argv[1]).stats;console.log(s.expected + s.flaky, s.unexpected)' "$1" 2>/dev/null || echo "0 1"
}

log "Installing dependencies"
if (yarn install --immutable); then touch node_modules/.install-stamp; else
  echo "yarn install --immutable failed" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

ensure_postgres
ensure_chromium
# The published packages (API reports, adopter test).
PUBLISHED="$(node -e '
  const { execSync } = require("child_process");
  const out = execSync("node " + process.argv[1] + " workspaces list --json --no-private", { encoding: "utf8" });
  console.log(out.trim().split("\n").map(l => JSON.parse(l).location).filter(l => l !== ".").join(" "))' "$YARN_JS")"
export BACKSTAGE_TEST_DISABLE_DOCKER=1

step "Typecheck" yarn tsc
step "OpenAPI spec, generated router spec and -common types agree" node plugins/gitops-backend/scripts/generate-openapi.js --check
step "Lint" yarn backstage-cli repo lint
step "No import cycles (madge)" yarn madge --circular --extensions ts,tsx --ts-config tsconfig.json plugins packages/sandbox/src
step "Packages are ready to publish (backstage-cli repo fix --publish --check)" yarn backstage-cli repo fix --publish --check
step "API reports are current (backstage-repo-tools api-reports --ci)" yarn backstage-repo-tools api-reports --ci -o ae-wrong-input-file-type $PUBLISHED
step "A changeset for every changed published package (changeset status)" yarn changeset status --since=main
log "Unit tests"
yarn backstage-cli repo test --ci --json --outputFile="$RESULTS/jest.json"
read -r p f < <(count_jest "$RESULTS/jest.json")
PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
step "Build" yarn backstage-cli repo build --all
log "End-to-end tests (Playwright, Debian Chromium)"
CI=true PLAYWRIGHT_JSON_OUTPUT_NAME="$RESULTS/playwright.json" yarn playwright test --reporter=list,json
read -r p f < <(count_playwright "$RESULTS/playwright.json")
PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
log "Adopter test: the packed packages in apps fresh from @backstage/create-app (scripts/adopter-test.sh)"
ADOPTER_DIR="$RESULTS/adopter" bash scripts/adopter-test.sh
for variant in default legacy; do
  read -r p f < <(count_playwright "$RESULTS/adopter/$variant.json")
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
done

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
