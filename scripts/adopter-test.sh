#!/usr/bin/env bash
# The adopter test: installs the suite into apps fresh from @backstage/create-app
# (the supported release, backstage.json), as a platform team would from the npm
# registry, by the README's own install steps, and drives them in Chromium against
# the sandbox, also installed as a package. Once for the created app's default (new
# frontend system) and once for the legacy app (`--legacy`, the README's EntityPage
# route). Needs the packages built (`backstage-cli repo build --all`), the way
# scripts/test.sh runs it after its Build step. Writes one Playwright JSON report per
# app to test-results/adopter/<variant>.json and exits non-zero when any step fails.
# The apps are made outside this repository (ADOPTER_WORK_DIR): inside it, Backstage's
# CLI would take this monorepo for the app's root.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
ensure_node
log() { printf "\033[1m==> [%s] %s\033[0m\n" "$(date +%T)" "$*" >&2; }
cd "$REPO_ROOT"

CREATE_APP_VERSION="0.9.2" # @backstage/create-app of Backstage 1.55.0 (backstage.json)
RESULTS="${ADOPTER_DIR:-$REPO_ROOT/test-results/adopter}"
WORK="${ADOPTER_WORK_DIR:-${TMPDIR:-/tmp}/gitops-suite-adopter}"
REGISTRY_PORT=4873
REGISTRY="http://localhost:$REGISTRY_PORT"
VARIANTS="${ADOPTER_VARIANTS:-default legacy}"
PIDS=()

stop_all() {
  for pid in "${PIDS[@]}"; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null; done
  PIDS=()
}
trap stop_all EXIT

# Runs "$@" in its own process group, logging to $1.log; remembers it for stop_all.
background() {
  local logfile="$1"
  shift
  setsid "$@" >"$logfile" 2>&1 &
  PIDS+=("$!")
}

wait_for() {
  local what="$1" check="$2" seconds="$3"
  for _ in $(seq "$seconds"); do
    if eval "$check" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "$what did not come up in ${seconds}s" >&2
  return 1
}

# ADOPTER_REUSE=1 (local iteration): keep apps made by an earlier run.
[ "${ADOPTER_REUSE:-}" = 1 ] || rm -rf "$WORK"
rm -rf "$RESULTS" && mkdir -p "$WORK/packs" "$WORK/bin" "$RESULTS"
# npx installs the sandbox into its own cache, keyed by name and version: a fresh one.
export npm_config_cache="$WORK/npm-cache"
# create-app checks for a yarn on PATH; the repo's Yarn 4 serves (inside the app, the
# app's own .yarnrc.yml yarnPath takes over).
printf '#!/bin/sh\nexec node "%s" "$@"\n' "$YARN_JS" >"$WORK/bin/yarn"
chmod +x "$WORK/bin/yarn"
export PATH="$WORK/bin:$PATH"
unset -f yarn

log "Packing the published packages (yarn pack, as a release would)"
for dir in $(node -e '
  const { execSync } = require("child_process");
  for (const line of execSync("yarn workspaces list --json --no-private", { encoding: "utf8" }).trim().split("\n")) {
    const { location } = JSON.parse(line);
    if (location !== ".") console.log(location);
  }'); do
  (cd "$dir" && yarn pack --out "$WORK/packs/%s-%v.tgz" >/dev/null) || { echo "yarn pack failed in $dir" >&2; exit 1; }
done
ls "$WORK/packs"
background "$RESULTS/registry.log" node scripts/adopter/registry.js "$WORK/packs" "$REGISTRY_PORT"
wait_for "the test registry" "curl -sf $REGISTRY/@gitops-suite/backstage-plugin-gitops" 20 || exit 1

# The README's config has the sandbox on :7080/:7081 and the backend on :7007: something
# else listening there would answer for the app under test.
ports_free() {
  local port
  for port in 7007 7080 7081; do
    if curl -s -o /dev/null --max-time 2 "http://localhost:$port/"; then
      echo "port $port is in use: stop what listens there (another Backstage or sandbox)" >&2
      return 1
    fi
  done
}

# An app fresh from create-app, with the suite installed by the README's steps, built.
make_app() {
  local variant="$1" app="$2" flags=()
  log "Adopter app ($variant): @backstage/create-app@$CREATE_APP_VERSION"
  [ "$variant" = legacy ] && flags=(--legacy)
  BACKSTAGE_APP_NAME="adopter-$variant" npx -y "@backstage/create-app@$CREATE_APP_VERSION" \
    --path "$app" --skip-install "${flags[@]}" >"$RESULTS/$variant-create.log" 2>&1 ||
    { cat "$RESULTS/$variant-create.log"; return 1; }
  # npx (the README's sandbox line) asks the test registry for the scope, too.
  echo "@gitops-suite:registry=$REGISTRY" >"$app/.npmrc"
  # A registry never changes a published version; this one serves 0.1.0 anew each run,
  # so Yarn's cache of an earlier run's 0.1.0 would be installed instead.
  find "$(cd "$app" && yarn config get cacheFolder)" -name '@gitops-suite-*' -delete
  log "Adopter app ($variant): the README's install steps"
  node scripts/adopter/apply-readme.js "$app" "$variant" "$REGISTRY" || return 1
  # What the app's own CI would do: typecheck against the shipped types, then build.
  log "Adopter app ($variant): typecheck and build"
  (cd "$app" && yarn tsc && yarn workspace app build \
    --config ../../app-config.yaml --config ../../app-config.local.yaml)
}

# The sandbox by the README's npx line, the app's backend serving its built frontend on
# :7007 (app-backend, as in production), then the browser test.
run_app() {
  local variant="$1" app="$2" sandbox_line status=0
  log "Adopter app ($variant): sandbox (npx, the README's line) and backend"
  ports_free || return 1
  sandbox_line="$(node -e '
    const fs = require("fs");
    const m = /<!-- adopter-test: sandbox -->\n```sh\n([^\n#]*)/.exec(fs.readFileSync("README.md", "utf8"));
    console.log(m[1].trim())')"
  background "$RESULTS/$variant-sandbox.log" bash -c "cd '$app' && exec $sandbox_line"
  wait_for "the sandbox" "curl -sf http://localhost:7080/healthz" 120 || { cat "$RESULTS/$variant-sandbox.log"; return 1; }
  background "$RESULTS/$variant-backend.log" bash -c "cd '$app' && APP_CONFIG_app_baseUrl=http://localhost:7007 exec yarn workspace backend start \
    --config ../../app-config.yaml --config ../../app-config.local.yaml"
  wait_for "the backend" "curl -sf http://localhost:7007/.backstage/health/v1/readiness" 300 ||
    { tail -50 "$RESULTS/$variant-backend.log"; return 1; }
  log "Adopter app ($variant): in Chromium"
  ADOPTER_VARIANT="$variant" PLAYWRIGHT_JSON_OUTPUT_NAME="$RESULTS/$variant.json" \
    node "$YARN_JS" playwright test -c scripts/adopter/playwright.config.ts --reporter=list,json || status=1
  return "$status"
}

STATUS=0
for variant in $VARIANTS; do
  app="$WORK/$variant"
  if [ "${ADOPTER_REUSE:-}" = 1 ] && [ -d "$app/packages/app/dist" ]; then
    log "Adopter app ($variant): reusing $app"
  else
    make_app "$variant" "$app" || { STATUS=1; continue; }
  fi
  run_app "$variant" "$app" || STATUS=1
  stop_all
  # stop_all stopped the registry too; the next app installs from it.
  background "$RESULTS/registry.log" node scripts/adopter/registry.js "$WORK/packs" "$REGISTRY_PORT"
  wait_for "the test registry" "curl -sf $REGISTRY/@gitops-suite/backstage-plugin-gitops" 20 || exit 1
done
exit "$STATUS"
