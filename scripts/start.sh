#!/usr/bin/env bash
# Sets up and starts the whole suite on a laptop: the local GitOps sandbox (Argo CD
# and Kubernetes API peer over a real git repository), the backend and the app.
# Open http://localhost:3000 once it says the app is ready.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ensure_node
ensure_dependencies
cd "$REPO_ROOT"

log "Starting the GitOps sandbox (Argo CD :7080, Kubernetes :7081)"
yarn workspace @gitops-suite/gitops-sandbox start &
SANDBOX_PID=$!
trap 'kill $SANDBOX_PID 2>/dev/null || true' EXIT

log "Starting the backend (:7007) and the app (:3000)"
yarn start
