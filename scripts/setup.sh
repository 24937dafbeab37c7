#!/usr/bin/env bash
# Sets Tandem up on a Debian machine, idempotently: system packages, npm workspaces,
# the mediasoup worker (mediasoup's prebuilt download where the internet allows it,
# otherwise built against Debian's libraries and cached per version), then the build.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "[setup] $*" >&2; }

# Build tools and libraries for the worker, Chromium for the browser tests, Redis for cluster tests,
# coturn for the relay-only (TURN) tests, espeak-ng for the speech bench:weak's fake microphone plays.
APT_PACKAGES=(g++ make pkg-config python3 ninja-build meson libabsl-dev libsrtp2-dev libuv1-dev
  libusrsctp-dev libssl-dev dpkg-dev xz-utils patch ca-certificates chromium redis-server fonts-noto-cjk coturn
  espeak-ng)

need_node() {
  local v
  v=$(node -p 'process.versions.node' 2>/dev/null || echo 0)
  node -e 'const [a,b]=process.argv[1].split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' "$v" || {
    say "Node.js >= 20.19 is required (found $v)"; exit 1; }
}

install_apt() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    say "missing Debian packages; run this, then setup again:"
    echo "sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

# Debian's flatbuffers source (for the offline worker build) comes from trixie; a
# deb-src-only entry cannot install any trixie binary by accident.
add_trixie_source() {
  local list=/etc/apt/sources.list.d/tandem-trixie-src.sources
  [ -f "$list" ] && return 0
  [ "$(id -u)" -eq 0 ] || return 0
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' >"$list"
  apt-get update -qq
}

worker_works() { [ -x "$1" ] && { env -u MEDIASOUP_VERSION "$1" >/dev/null 2>&1; [ $? -eq 41 ]; }; }

install_worker() {
  local version cache dest
  version=$(node -p "require('./node_modules/mediasoup/package.json').version")
  cache=$(bash scripts/mediasoup-worker/build.sh --print-path "$version")
  dest=node_modules/mediasoup/worker/out/Release/mediasoup-worker
  if worker_works "$cache"; then
    cmp -s "$cache" "$dest" || { mkdir -p "$(dirname "$dest")" && cp "$cache" "$dest"; }
    say "mediasoup worker $version ready (built here)"
    return 0
  fi
  if worker_works "$dest"; then return 0; fi # mediasoup's own prebuilt one, from an earlier run
  say "no cached mediasoup $version worker: trying mediasoup's own install (prebuilt download)"
  (cd node_modules/mediasoup && timeout 900 node npm-scripts.mjs postinstall >/dev/null 2>&1) || true
  if worker_works "$dest"; then
    say "using mediasoup's prebuilt worker: it lacks Tandem's patches (scripts/mediasoup-worker/patches:"
    say "  after a sender's outage, viewers wait ~10 s longer for HD); scripts/mediasoup-worker/build.sh builds the patched one"
    return 0
  fi
  say "no prebuilt worker reachable: building it against Debian's libraries (about 10 minutes, once per machine)"
  add_trixie_source
  bash scripts/mediasoup-worker/build.sh "$version" >/dev/null
  mkdir -p "$(dirname "$dest")"
  cp "$cache" "$dest"
  say "mediasoup worker $version ready"
}

need_node
install_apt
say "installing npm workspaces"
# mediasoup's own postinstall would download or build the worker with no cache; it
# skips when MEDIASOUP_WORKER_BIN is set, and install_worker below does that job.
skip_worker_postinstall="MEDIASOUP_WORKER_BIN=skipped-by-tandem-setup"
if [ -f package-lock.json ]; then
  env "$skip_worker_postinstall" npm ci --no-audit --no-fund --loglevel=error
else
  env "$skip_worker_postinstall" npm install --no-audit --no-fund --loglevel=error
fi
install_worker
say "building"
npm run build --silent
say "done"
