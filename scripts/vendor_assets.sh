#!/usr/bin/env bash
# Copies the front-end libraries the pages use from node_modules (installed by `npm ci` from
# package-lock.json) into static/vendor/, which is not committed. Used by the Makefile and the
# Dockerfile so both serve the same files; the portal never loads anything from a CDN.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=static/vendor
mkdir -p "$dest"
cp node_modules/echarts/dist/echarts.min.js "$dest/echarts.min.js"
cp node_modules/echarts/LICENSE "$dest/echarts.LICENSE.txt"
cp node_modules/topojson-client/dist/topojson-client.min.js "$dest/topojson-client.min.js"
cp node_modules/topojson-client/LICENSE "$dest/topojson-client.LICENSE.txt"
# 1:110m is detailed enough for a world map of country flows and weighs ~100 kB.
cp node_modules/world-atlas/countries-110m.json "$dest/countries-110m.json"
cp node_modules/world-atlas/LICENSE "$dest/world-atlas.LICENSE.txt"
# Swagger UI draws the API reference (/api/docs/) from the OpenAPI schema, with its try-it panel.
# The bundle only, not the standalone preset (its top bar loads schemas from other addresses);
# the stylesheet's source map too, because the stylesheet names it and collectstatic resolves it.
mkdir -p "$dest/swagger-ui"
for file in swagger-ui-bundle.js swagger-ui.css swagger-ui.css.map LICENSE NOTICE; do
  cp "node_modules/swagger-ui-dist/$file" "$dest/swagger-ui/$file"
done
