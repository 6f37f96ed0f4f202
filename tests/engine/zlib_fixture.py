#!/usr/bin/env python3
"""Independent zlib streams and PNGs for test_inflate: Python's zlib (the C zlib) compresses at
several levels and strategies; PNGs are assembled by hand here with every scanline filter.
Usage: zlib_fixture.py OUT_DIR. Writes NAME.raw + NAME.z per stream and NAME.png + NAME.pixels
(+ NAME.shape: "width height channels") per image; names are listed in OUT_DIR/streams.txt and
OUT_DIR/images.txt."""
import os
import random
import struct
import sys
import zlib

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = random.Random(5)

text = b"".join(b"lane %d, car %d, pedestrian crossing at node %d\n" % (i, i * 7 % 13, i % 31) for i in range(6000))
noise = bytes(rng.getrandbits(8) for _ in range(70000))
runs = b"".join(bytes([rng.choice((0, 255))]) * rng.randint(1, 3000) for _ in range(400))  # map-mask like
mixed = text[:20000] + noise[:5000] + runs[:40000]

streams = []

def stream(name, data, level=6, strategy=zlib.Z_DEFAULT_STRATEGY, wbits=15):
    c = zlib.compressobj(level, zlib.DEFLATED, wbits, 9, strategy)
    z = c.compress(data) + c.flush()
    with open(os.path.join(out, name + ".raw"), "wb") as f:
        f.write(data)
    with open(os.path.join(out, name + ".z"), "wb") as f:
        f.write(z)
    streams.append(name)

stream("empty", b"")
stream("hello_fixed", b"hello, hello, hello roadsight", 6, zlib.Z_FIXED)
stream("text_level1", text, 1)
stream("text_level9", text, 9)
stream("noise_level0", noise, 0)
stream("noise_level9", noise, 9)
stream("runs_default", runs)
stream("runs_rle", runs, 6, zlib.Z_RLE)
stream("mixed_huffman_only", mixed, 6, zlib.Z_HUFFMAN_ONLY)
stream("mixed_fixed", mixed, 9, zlib.Z_FIXED)
stream("mixed_window_512", mixed, 9, zlib.Z_DEFAULT_STRATEGY, 9)
# Several blocks: flush in the middle forces a block boundary.
c = zlib.compressobj(6)
z = c.compress(text[:30000]) + c.flush(zlib.Z_FULL_FLUSH) + c.compress(runs) + c.flush()
with open(os.path.join(out, "flushed.raw"), "wb") as f:
    f.write(text[:30000] + runs)
with open(os.path.join(out, "flushed.z"), "wb") as f:
    f.write(z)
streams.append("flushed")


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def filtered(rows, bpp):
    """Each row with filter type y % 5 applied, as a PNG encoder would."""
    data = bytearray()
    prev = bytes(len(rows[0]))
    for y, row in enumerate(rows):
        kind = y % 5
        data.append(kind)
        for i, x in enumerate(row):
            a = row[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            pred = (0, a, b, (a + b) // 2, paeth(a, b, c))[kind]
            data.append((x - pred) & 0xFF)
        prev = row
    return bytes(data)


def chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


images = []

def image(name, width, height, channels, pixel):
    rows = [bytes(pixel(x, y, c) for x in range(width) for c in range(channels)) for y in range(height)]
    colour = {1: 0, 3: 2, 4: 6}[channels]
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0))
    z = zlib.compress(filtered(rows, channels), 9)
    # IDAT split in two, as encoders may do.
    png += chunk(b"IDAT", z[: len(z) // 2]) + chunk(b"IDAT", z[len(z) // 2:]) + chunk(b"IEND", b"")
    with open(os.path.join(out, name + ".png"), "wb") as f:
        f.write(png)
    with open(os.path.join(out, name + ".pixels"), "wb") as f:
        f.write(b"".join(rows))
    with open(os.path.join(out, name + ".shape"), "w") as f:
        f.write("%d %d %d" % (width, height, channels))
    images.append(name)

image("mask_grey", 257, 123, 1, lambda x, y, c: 255 if (x - 128) ** 2 + (y - 60) ** 2 < 2500 or x % 50 < 3 else 0)
image("gradient_rgb", 97, 61, 3, lambda x, y, c: (x * 3 + y * 5 + c * 70) % 256)
image("noise_rgba", 33, 29, 4, lambda x, y, c: rng.getrandbits(8))

with open(os.path.join(out, "streams.txt"), "w") as f:
    f.write("\n".join(streams) + "\n")
with open(os.path.join(out, "images.txt"), "w") as f:
    f.write("\n".join(images) + "\n")
