#!/usr/bin/env bash
# Builds the web app's 3D viewer: compliance/web/viewer/ (an npm project: three.js + esbuild, pinned
# by its committed package-lock.json) -> compliance/web/static/build/viewer.js, one minified file
# served by the app itself (no CDN: the app works offline). The bundle is not committed (build/ is
# gitignored); scripts/bootstrap.sh runs this script.
#
# Does nothing when the bundle is newer than everything it is made from. `npm ci` runs only when
# package-lock.json changed since the last install (a stamp in node_modules/), so once installed
# a rebuild needs no network.
set -euo pipefail
cd "$(dirname "$0")/.."

VIEWER=compliance/web/viewer
OUT=compliance/web/static/build/viewer.js
STAMP=$VIEWER/node_modules/.installed-lock

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "build_viewer: node and npm are needed to build the 3D viewer ($OUT); install them" \
       "(Debian: apt-get install nodejs npm — scripts/bootstrap.sh does it) and run this again" >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 18 ]; then
  echo "build_viewer: node $(node --version) is too old to build the 3D viewer; esbuild needs node 18 or later" >&2
  exit 1
fi

lock_sum=$(sha256sum "$VIEWER/package-lock.json" | cut -c1-64)
if [ -f "$OUT" ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$lock_sum" ] \
   && [ -z "$(find "$VIEWER/package.json" "$VIEWER/package-lock.json" "$VIEWER/build.mjs" "$VIEWER/src" -newer "$OUT" -print -quit)" ]; then
  exit 0                                    # up to date
fi

echo "build_viewer: building the 3D viewer ($OUT)"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$lock_sum" ]; then
  # the exact versions of package-lock.json (checked against its integrity hashes), from the npm registry
  if ! (cd "$VIEWER" && npm ci --no-audit --no-fund --loglevel=error) >"$log" 2>&1; then
    cat "$log" >&2
    echo "build_viewer: npm ci failed in $VIEWER (is the npm registry reachable?)" >&2
    exit 1
  fi
  echo "$lock_sum" >"$STAMP"
fi
if ! (cd "$VIEWER" && node build.mjs) >"$log" 2>&1; then
  cat "$log" >&2
  echo "build_viewer: the esbuild bundle failed (see above)" >&2
  exit 1
fi
[ -s "$OUT" ] || { echo "build_viewer: $OUT was not written" >&2; exit 1; }
