#!/usr/bin/env python3
"""Writes an Apple .icns from PNGs: `make-icns.py out.icns file.png:TYPE ...` (PNG payloads, types ic07..ic14)."""
import struct, sys
entries = b""
for arg in sys.argv[2:]:
    path, kind = arg.rsplit(":", 1)
    data = open(path, "rb").read()
    entries += kind.encode("ascii") + struct.pack(">I", len(data) + 8) + data
open(sys.argv[1], "wb").write(b"icns" + struct.pack(">I", len(entries) + 8) + entries)
