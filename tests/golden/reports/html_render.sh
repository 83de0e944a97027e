#!/usr/bin/env bash
# Renders the three governance HTML reports of examples/ in headless Chromium: saves a
# screenshot of each under the build directory, fails on console errors, and checks in the
# rendered DOM that the heat map, the ownership matrix and the coverage bars are there.
# Skips (prints "SKIPPED:") when Chromium is not installed (scripts/install-deps --test).
#   html_render.sh SEKIMORI SOURCE_DIR OUT_DIR
set -euo pipefail
exe=$1 src=$2 out=$3
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "SKIPPED: chromium is not installed (scripts/install-deps --test installs it)"
  exit 0
fi
mkdir -p "$out"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
common=(--now 2026-01-01T00:00:00Z --threads 2 --format html)

cd "$src/examples"
"$exe" responsibility . --services "$src/tests/golden/reports/services.yaml" "${common[@]}" -o "$out/responsibility.html"
"$exe" threats . "${common[@]}" -o "$out/threats.html"
"$exe" report --framework ccm-v4 . "${common[@]}" -o "$out/ccm-v4.html"

fail=0
check() {  # name, element id that must be in the rendered DOM
  local name=$1 id=$2 page="file://$out/$1.html"
  local flags=(--headless --disable-gpu --no-sandbox --user-data-dir="$profile" --hide-scrollbars
               --enable-logging=stderr --v=0 --window-size=1280,2000)
  rm -f "$out/$name.png"
  timeout 120 "$browser" "${flags[@]}" --screenshot="$out/$name.png" "$page" >"$out/$name.log" 2>&1 || true
  if [ ! -s "$out/$name.png" ]; then
    echo "FAIL: $name: no screenshot (see $out/$name.log)"; fail=1; return
  fi
  if grep -E "Uncaught|ERROR:CONSOLE|CONSOLE\(|Refused to" "$out/$name.log"; then
    echo "FAIL: $name: console errors (see $out/$name.log)"; fail=1
  fi
  timeout 120 "$browser" "${flags[@]}" --dump-dom "$page" >"$out/$name.dom.html" 2>>"$out/$name.log" || true
  if ! grep -q "id=\"$id\"" "$out/$name.dom.html"; then
    echo "FAIL: $name: #$id is missing from the rendered DOM"; fail=1; return
  fi
  local cells
  cells=$(grep -o 'class="cell' "$out/$name.dom.html" | wc -l || true)
  local bars
  bars=$(grep -o 'class="bar"' "$out/$name.dom.html" | wc -l || true)
  echo "ok: $name: screenshot $out/$name.png, #$id present ($cells cells, $bars bars)"
}
check responsibility ownership-matrix
check threats heatmap
check ccm-v4 coverage-bars
if [ "$(grep -o 'class="cell' "$out/threats.dom.html" | wc -l)" -ne 66 ]; then
  echo "FAIL: the heat map should have 11 x 6 cells"; fail=1
fi
exit $fail
