#!/usr/bin/env python3
# tests/integration/pngcount.py PNG RRGGBB [RRGGBB...] — print, for each
# colour, how many pixels of the PNG are within a small distance of it
# (one count a line), after "WxH". Decodes the PNG itself (zlib and the
# five row filters; 8-bit RGB or RGBA, as Chromium's screenshots are), so
# that the tests need no imaging library.
import struct
import sys
import zlib


def pixels(path):
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        sys.exit('not a PNG')
    pos, idat, w = 8, b'', 0
    while pos < len(data):
        n, typ = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if typ == b'IHDR':
            w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
            if depth != 8 or ctype not in (2, 6):
                sys.exit('unsupported PNG: depth %d colour type %d' % (depth, ctype))
            bpp = 3 if ctype == 2 else 4
        elif typ == b'IDAT':
            idat += body
        pos += 12 + n
    raw, stride = zlib.decompress(idat), w * bpp
    prev, out = bytearray(stride), []
    for y in range(h):
        f, row = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = row[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: row[i] = (row[i] + a) & 255
            elif f == 2: row[i] = (row[i] + b) & 255
            elif f == 3: row[i] = (row[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out.append(row)
        prev = row
    return w, h, bpp, out


w, h, bpp, rows = pixels(sys.argv[1])
print('%dx%d' % (w, h))
for col in sys.argv[2:]:
    r, g, b = int(col[0:2], 16), int(col[2:4], 16), int(col[4:6], 16)
    n = 0
    for row in rows:
        for i in range(0, len(row), bpp):
            if abs(row[i] - r) + abs(row[i + 1] - g) + abs(row[i + 2] - b) < 40:
                n += 1
    print(n)
