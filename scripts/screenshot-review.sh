#!/usr/bin/env bash
# Renders `s3guard review --format html` for a bundled policy and takes a
# PNG screenshot of it in headless Chromium (Debian's `chromium` package),
# to check how the page looks to a person. The test suite does not need a
# browser: tests/suite/review.rs parses the same HTML.
#
# usage: scripts/screenshot-review.sh [OUT.png] [-- REVIEW ARGS...]
#   default: policies/rails-app.json with the TLS-only bucket policy,
#   written to target/review-screenshot/review.png
set -euo pipefail

cd "$(dirname "$0")/.."
out="${1:-target/review-screenshot/review.png}"
shift || true
if [[ "${1:-}" == "--" ]]; then
  shift
  args=("$@")
else
  args=(policies/rails-app.json --bucket-policy policies/bucket-policy-tls-only.json)
fi
width="${WIDTH:-1280}"
height="${HEIGHT:-1400}"

browser="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}"
if [[ -z "$browser" ]]; then
  echo "chromium not found: apt-get install -y chromium (or set CHROMIUM=/path/to/chromium)" >&2
  exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$out")"

cargo build --quiet
./target/debug/s3guard review "${args[@]}" --format html --output "$work/review.html"

# The flags keep Chromium off the network (this page needs none) and away
# from any existing profile.
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --hide-scrollbars --user-data-dir="$work/profile" \
  --window-size="${width},${height}" --screenshot="$work/review.png" \
  "file://$work/review.html" >"$work/chromium.log" 2>&1 || {
  cat "$work/chromium.log" >&2
  exit 1
}
cp "$work/review.png" "$out"
echo "screenshot: $out"
