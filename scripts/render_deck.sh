#!/usr/bin/env bash
# Render the default deck the way a reviewer sees it: PPTX → PDF (LibreOffice) → one PNG per slide (pdftoppm).
#
# Usage: scripts/render_deck.sh [DB] [OUT_DIR]
#   DB       DuckDB file (default: data/union.duckdb; built from data/samples when missing)
#   OUT_DIR  where deck.pptx, deck.pdf and slide-NN.png go (default: $TMPDIR/union-deck, outside the repo)
# With UPDATE_DOCS=1 two slides (a two-line trend with legend and the town ranking) are copied
# to docs/deck/ so the committed pictures show how Chinese text renders.
# Needs `make render-deps` (libreoffice-impress-nogui, poppler-utils) and `make system-deps`.
set -euo pipefail
cd "$(dirname "$0")/.."
DB=${1:-data/union.duckdb}
OUT=${2:-${TMPDIR:-/tmp}/union-deck}
PY=${PY:-.venv/bin/python}

for tool in soffice pdftoppm; do
  command -v "$tool" >/dev/null || { echo "缺少 $tool：请运行 make render-deps" >&2; exit 3; }
done
if [ ! -f "$DB" ]; then
  echo "数据库 $DB 不存在，先用 data/samples 生成" >&2
  "$PY" -m etl --db "$DB" ingest data/samples
fi

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -f "$OUT"/slide-*.png
"$PY" -m export --db "$DB" --out "$OUT/deck.pptx"
# A private LibreOffice profile: no clash with a desktop instance, nothing written to $HOME.
soffice -env:UserInstallation="file://$OUT/lo-profile" --headless --convert-to pdf --outdir "$OUT" \
  "$OUT/deck.pptx" >/dev/null
pdftoppm -png -r 96 "$OUT/deck.pdf" "$OUT/slide"
ls "$OUT"/slide-*.png

if [ "${UPDATE_DOCS:-0}" = 1 ]; then
  mkdir -p docs/deck
  cp "$OUT/slide-04.png" docs/deck/slide-04-membership.png
  cp "$OUT/slide-06.png" docs/deck/slide-06-coverage-ranking.png
  echo "已更新 docs/deck/"
fi
