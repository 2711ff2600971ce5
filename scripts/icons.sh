#!/bin/sh
# Regenerates every icon size from icons/icon.svg. The SVG is rasterised once at 1024 px with
# rsvg-convert (librsvg2-bin) or, failing that, gdk-pixbuf-thumbnailer (librsvg's pixbuf loader);
# ImageMagick (/usr/bin/convert: the first `convert` on PATH may be a stand-in) scales it down.
set -eu
cd "$(dirname "$0")/../icons"
IM=/usr/bin/convert
if command -v rsvg-convert >/dev/null; then rsvg-convert -w 1024 -h 1024 icon.svg -o master.png
else gdk-pixbuf-thumbnailer -s 1024 icon.svg master.png; fi
render() { $IM master.png -filter Lanczos -resize "$1x$1" -define png:color-type=6 "PNG32:$2"; }
render 1024 icon.png
for s in 16 24 32 48 64 128 256 512; do render $s "${s}x${s}.png"; done
cp 256x256.png 128x128@2x.png
# Windows Store logos, referenced by the msi/appx tooling
for s in 30 44 71 89 107 142 150 284 310; do render $s "Square${s}x${s}Logo.png"; done
render 50 StoreLogo.png
$IM 16x16.png 24x24.png 32x32.png 48x48.png 64x64.png 256x256.png icon.ico
python3 ../scripts/make-icns.py icon.icns 32x32.png:ic11 64x64.png:ic12 128x128.png:ic07 256x256.png:ic08 512x512.png:ic09 icon.png:ic10
rm master.png
