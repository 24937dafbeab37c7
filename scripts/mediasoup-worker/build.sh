#!/usr/bin/env bash
# Builds mediasoup's C++ worker against Debian's libraries, for machines that cannot
# download mediasoup's prebuilt worker or its meson subprojects. The result is cached
# by mediasoup version, so a machine builds each version once.
#
#   scripts/mediasoup-worker/build.sh VERSION    -> prints the binary's path
#
# Needs the Debian packages listed in scripts/setup.sh (setup installs them) and,
# for flatbuffers' source, a deb-src entry for trixie (setup adds it when root).
set -euo pipefail

print_only=false
if [ "${1:-}" = "--print-path" ]; then print_only=true; shift; fi
version=${1:?usage: build.sh [--print-path] MEDIASOUP_VERSION}
here=$(cd "$(dirname "$0")" && pwd)
cache=${TANDEM_CACHE_DIR:-$HOME/.cache/tandem}
# The cache key names the patches too, so changing a patch rebuilds the worker.
patch_id=$(cat "$here"/patches/*.patch 2>/dev/null | sha256sum | cut -c1-8)
out="$cache/mediasoup-worker/$version-p$patch_id"
bin="$out/mediasoup-worker"
log() { echo "[mediasoup-worker] $*" >&2; }
if $print_only; then echo "$bin"; exit 0; fi

# A worker started without MEDIASOUP_VERSION exits 41: mediasoup's own install check.
works() { [ -x "$1" ] && { env -u MEDIASOUP_VERSION "$1" >/dev/null 2>&1; [ $? -eq 41 ]; }; }

mkdir -p "$out"
exec 9>"$out/.lock"
flock 9
if works "$bin"; then echo "$bin"; exit 0; fi

work=$(mktemp -d "${TMPDIR:-/tmp}/tandem-ms-XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
log "fetching mediasoup $version sources from the npm registry"
npm pack "mediasoup@$version" --silent >/dev/null
tar xzf "mediasoup-$version.tgz"
worker="$work/package/worker"

# Each wrap names the directory meson looks in; a directory already there is used
# as is and never downloaded.
for wrap in "$worker"/subprojects/*.wrap; do
  name=$(basename "$wrap" .wrap)
  [ -d "$here/subprojects/$name" ] || continue
  dir=$(sed -n 's/^directory *= *//p' "$wrap")
  cp -r "$here/subprojects/$name" "$worker/subprojects/$dir"
done

fb_dir=$(sed -n 's/^directory *= *//p' "$worker/subprojects/flatbuffers.wrap")
src_cache="$cache/src"
mkdir -p "$src_cache"
fb_tar=$(ls "$src_cache"/flatbuffers_23.5.26*.orig.tar.xz 2>/dev/null | head -1 || true)
if [ -z "$fb_tar" ]; then
  log "fetching Debian's flatbuffers 23.5.26 source package"
  (cd "$src_cache" && apt-get source --download-only flatbuffers/trixie >/dev/null 2>&1) || {
    log "could not fetch flatbuffers' source: run scripts/setup.sh as root once (it adds a deb-src entry for trixie)"
    exit 1
  }
  fb_tar=$(ls "$src_cache"/flatbuffers_23.5.26*.orig.tar.xz | head -1)
fi
tar xJf "$fb_tar" -C "$worker/subprojects/$fb_dir" --strip-components=1

# Fixes to mediasoup itself, each explained at the top of its patch file.
for p in "$here"/patches/*.patch; do
  [ -e "$p" ] || continue
  (cd "$work/package" && patch -p1 --forward --quiet <"$p") || { log "patch $(basename "$p") does not apply"; exit 1; }
done

# Debian bookworm has meson 1.0.1; nothing the worker's build uses needs 1.1.
sed -i "s/meson_version: '>= 1.1.0'/meson_version: '>= 1.0.0'/" "$worker/meson.build"

cd "$worker"
log "configuring (offline)"
meson setup --wrap-mode=nodownload --buildtype release -Db_ndebug=true -Db_pie=true \
  -Db_staticpic=true -Dms_disable_liburing=true build >"$work/setup.log" 2>&1 || {
  tail -40 "$work/setup.log" >&2; exit 1; }
log "compiling (about 9 minutes on 2 cores)"
# The libwebrtc sources include the generated FBS headers without depending on
# their generator target, so generate first.
meson compile -C build flatbuffers-generator >"$work/compile.log" 2>&1 &&
  meson compile -C build mediasoup-worker >>"$work/compile.log" 2>&1 || {
  grep -E "error|Error" "$work/compile.log" | head -30 >&2; tail -20 "$work/compile.log" >&2; exit 1; }
cp build/mediasoup-worker "$bin.tmp" && mv "$bin.tmp" "$bin"
works "$bin" || { log "built worker failed its self-check"; exit 1; }
log "built $bin"
echo "$bin"
