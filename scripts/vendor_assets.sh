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
