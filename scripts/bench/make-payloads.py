#!/usr/bin/env python3
"""Write the HTTP benchmark's request bodies, deterministically, from the shipped MNIST test digits.

Usage: scripts/bench/make-payloads.py OUTDIR [--images IDX_GZ] [--labels IDX_GZ]

Writes into OUTDIR:
  digit-28.png           MNIST test digit 0 as a 28x28 8-bit grey PNG (white ink on black, as MNIST is)
  canvas-280.png         the same digit upscaled 10x (bilinear) to 280x280, dark ink on white, like a
                         drawing-canvas upload
  batch-16.multipart     multipart/form-data body: test digits 0..15 as 16 `files` parts (28x28 PNGs)
  batch-16.boundary      the boundary of that body (one line, no newline)
  batch-16.content-type  the full Content-Type header value for that body
  labels.json            the true labels of the digits above
  SHA256SUMS             checksums of the files above (same inputs give the same bytes)

Uses only the Python standard library (struct, zlib, gzip); no ImageMagick needed.
"""
import argparse
import gzip
import hashlib
import json
import os
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
DEFAULT_IMAGES = os.path.join(REPO, "src/test/resources/mnist-tiny/t10k-images-idx3-ubyte.gz")
DEFAULT_LABELS = os.path.join(REPO, "src/test/resources/mnist-tiny/t10k-labels-idx1-ubyte.gz")
BOUNDARY = "digitbench-7f3a9c2e51d84b60"  # fixed, so the body is byte-for-byte reproducible
BATCH = 16
SCALE = 10


def read_idx_images(path):
    data = gzip.open(path, "rb").read()
    magic, count, rows, cols = struct.unpack(">IIII", data[:16])
    if magic != 0x00000803:
        sys.exit(f"{path}: not an IDX3 ubyte image file (magic {magic:#010x})")
    size = rows * cols
    if len(data) < 16 + count * size:
        sys.exit(f"{path}: truncated: header says {count} images, file holds {(len(data) - 16) // size}")
    return [data[16 + i * size:16 + (i + 1) * size] for i in range(count)], rows, cols


def read_idx_labels(path):
    data = gzip.open(path, "rb").read()
    magic, count = struct.unpack(">II", data[:8])
    if magic != 0x00000801:
        sys.exit(f"{path}: not an IDX1 ubyte label file (magic {magic:#010x})")
    return list(data[8:8 + count])


def png_grey(pixels, width, height):
    """An 8-bit greyscale, non-interlaced PNG; filter type 0 on every row, zlib level 9."""
    assert len(pixels) == width * height

    def chunk(kind, payload):
        return (struct.pack(">I", len(payload)) + kind + payload
                + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF))

    raw = b"".join(b"\x00" + bytes(pixels[y * width:(y + 1) * width]) for y in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # bit depth 8, colour type 0 (grey)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def upscale_bilinear(pixels, width, height, scale):
    """Bilinear upscaling with pixel centres aligned (as most image libraries do), integer output."""
    out_w, out_h = width * scale, height * scale
    out = bytearray(out_w * out_h)
    for oy in range(out_h):
        sy = min(max((oy + 0.5) / scale - 0.5, 0.0), height - 1.0)
        y0 = int(sy)
        y1 = min(y0 + 1, height - 1)
        fy = sy - y0
        for ox in range(out_w):
            sx = min(max((ox + 0.5) / scale - 0.5, 0.0), width - 1.0)
            x0 = int(sx)
            x1 = min(x0 + 1, width - 1)
            fx = sx - x0
            top = pixels[y0 * width + x0] * (1 - fx) + pixels[y0 * width + x1] * fx
            bottom = pixels[y1 * width + x0] * (1 - fx) + pixels[y1 * width + x1] * fx
            out[oy * out_w + ox] = int(round(top * (1 - fy) + bottom * fy))
    return bytes(out), out_w, out_h


def multipart(parts, boundary):
    body = bytearray()
    for name, filename, content_type, payload in parts:
        body += f"--{boundary}\r\n".encode()
        body += f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'.encode()
        body += f"Content-Type: {content_type}\r\n\r\n".encode()
        body += payload + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return bytes(body)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("outdir")
    parser.add_argument("--images", default=DEFAULT_IMAGES)
    parser.add_argument("--labels", default=DEFAULT_LABELS)
    args = parser.parse_args()

    images, rows, cols = read_idx_images(args.images)
    labels = read_idx_labels(args.labels) if os.path.exists(args.labels) else None
    if len(images) < BATCH:
        sys.exit(f"{args.images}: need at least {BATCH} images, found {len(images)}")
    os.makedirs(args.outdir, exist_ok=True)

    files = {}
    files["digit-28.png"] = png_grey(images[0], cols, rows)
    inverted = bytes(255 - v for v in images[0])  # dark ink on white paper
    big, w, h = upscale_bilinear(inverted, cols, rows, SCALE)
    files["canvas-280.png"] = png_grey(big, w, h)
    parts = [("files", f"digit-{i:02d}.png", "image/png", png_grey(images[i], cols, rows)) for i in range(BATCH)]
    files["batch-16.multipart"] = multipart(parts, BOUNDARY)
    files["batch-16.boundary"] = BOUNDARY.encode()
    files["batch-16.content-type"] = f"multipart/form-data; boundary={BOUNDARY}".encode()
    files["labels.json"] = (json.dumps({
        "digit-28.png": labels[0] if labels else None,
        "canvas-280.png": labels[0] if labels else None,
        "batch-16.multipart": labels[:BATCH] if labels else None,
        "source": os.path.relpath(args.images, REPO) if args.images.startswith(REPO) else args.images,
    }, indent=2) + "\n").encode()

    sums = []
    for name, content in files.items():
        with open(os.path.join(args.outdir, name), "wb") as f:
            f.write(content)
        sums.append(f"{hashlib.sha256(content).hexdigest()}  {name}\n")
    with open(os.path.join(args.outdir, "SHA256SUMS"), "w") as f:
        f.writelines(sums)
    for name, content in files.items():
        print(f"{len(content):>8} bytes  {os.path.join(args.outdir, name)}")


if __name__ == "__main__":
    main()
