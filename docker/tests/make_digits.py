#!/usr/bin/env python3
"""Writes small test inputs for check-prometheus.sh into DIR, with the standard library only:
digit-0.png, digit-1.png, digit-7.png (28x28 grey PNGs, dark ink on white), digit-D-K.png (K 1 to 8:
the same with one speck, a distinct image for each feedback round), blank.png (no ink),
pixels.json (a 28x28 "1" as the service's pixels request) and not-an-image.txt.

Usage: make_digits.py DIR
"""
import json
import os
import struct
import sys
import zlib

SIZE = 28


def strokes(digit):
    """Ink mask (True = ink) of a crude hand-drawn digit."""
    ink = [[False] * SIZE for _ in range(SIZE)]

    def dot(x, y, r=1.6):
        for yy in range(SIZE):
            for xx in range(SIZE):
                if (xx - x) ** 2 + (yy - y) ** 2 <= r * r:
                    ink[yy][xx] = True

    def line(x0, y0, x1, y1):
        steps = int(max(abs(x1 - x0), abs(y1 - y0)) * 2) + 1
        for i in range(steps + 1):
            t = i / steps
            dot(x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)

    if digit == 0:
        import math
        for i in range(120):
            a = 2 * math.pi * i / 120
            dot(14 + 6 * math.cos(a), 14 + 9 * math.sin(a))
    elif digit == 1:
        line(15, 5, 14, 23)
        line(15, 5, 12, 8)
    elif digit == 7:
        line(8, 6, 20, 6)
        line(20, 6, 12, 23)
    return ink


def png(path, ink):
    raw = b"".join(b"\x00" + bytes(0 if ink[y][x] else 255 for x in range(SIZE)) for y in range(SIZE))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 0, 0, 0, 0)  # 8-bit greyscale
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def main(out):
    os.makedirs(out, exist_ok=True)
    for d in (0, 1, 7):
        png(os.path.join(out, f"digit-{d}.png"), strokes(d))
        # eight more of each, one speck apart: the service takes one feedback label per image and
        # client, so each feedback round labels images of its own
        for k in range(1, 9):
            ink = strokes(d)
            ink[SIZE - 1][k] = True
            png(os.path.join(out, f"digit-{d}-{k}.png"), ink)
    png(os.path.join(out, "blank.png"), [[False] * SIZE for _ in range(SIZE)])
    one = strokes(1)
    with open(os.path.join(out, "pixels.json"), "w") as f:
        # MNIST convention: ink high
        json.dump({"pixels": [255 if one[y][x] else 0 for y in range(SIZE) for x in range(SIZE)], "range": "0-255"}, f)
    with open(os.path.join(out, "not-an-image.txt"), "w") as f:
        f.write("this is not an image\n")


if __name__ == "__main__":
    main(sys.argv[1])
