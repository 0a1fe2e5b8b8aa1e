#!/usr/bin/env bash
# Rebuild web/static/vendor/echarts.min.js from the npm package `echarts` (only the charts and
# components listed in entry.js), then copy its licences beside it. Needs node and npm.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
vendor="$here/../../web/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/entry.js" "$here/package.json" "$work/"
(cd "$work" && npm install --no-audit --no-fund --silent && \
  npx esbuild entry.js --bundle --minify --format=iife --target=es2017 --legal-comments=none \
    --outfile=echarts.min.js)
{ echo "/*! Apache ECharts $(node -p "require('$work/node_modules/echarts/package.json').version") — custom build (tools/echarts/entry.js); Apache-2.0, see echarts.LICENSE */"; cat "$work/echarts.min.js"; } > "$vendor/echarts.min.js"
cp "$work/node_modules/echarts/LICENSE" "$vendor/echarts.LICENSE"
cp "$work/node_modules/echarts/NOTICE" "$vendor/echarts.NOTICE"
cp "$work/node_modules/echarts/licenses/LICENSE-d3" "$vendor/echarts.LICENSE-d3"
ls -l "$vendor/echarts.min.js"
# Precompressed beside it (brotli, best quality): web/assets.py serves it to browsers that accept br.
node -e "const z=require('zlib'),fs=require('fs');const f=process.argv[1];fs.writeFileSync(f+'.br',z.brotliCompressSync(fs.readFileSync(f),{params:{[z.constants.BROTLI_PARAM_QUALITY]:11,[z.constants.BROTLI_PARAM_MODE]:z.constants.BROTLI_MODE_TEXT}}))" "$vendor/echarts.min.js"
sha256sum "$vendor/echarts.min.js" | cut -c1-64 > "$vendor/echarts.min.js.br.sha256"
ls -l "$vendor/echarts.min.js.br"
