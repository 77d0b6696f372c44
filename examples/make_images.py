#!/usr/bin/env python3
"""make_images.py -- writes the small sample images of examples/images/
(real, decodable JPEG and PNG files made with the standard library only):

  mug/front.jpg  32x32 grayscale baseline JPEG, a diagonal gradient
  mug/side.png   24x24 RGB PNG, a colour gradient
  lamp/main.jpg  32x32 grayscale baseline JPEG, a radial shade
  lamp/detail.png 16x16 RGB PNG, a checkerboard

Run from examples/: python3 make_images.py
"""
import struct
import zlib

# Standard luminance DC Huffman table (ITU T.81 Annex K.3).
DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
DC_VALS = list(range(12))


def huff_codes(bits, vals):
    codes, code, k = {}, 0, 0
    for length in range(1, 17):
        for _ in range(bits[length - 1]):
            codes[vals[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return codes


def jpeg(w, h, shade):
    """A baseline grayscale JPEG whose 8x8 blocks are flat (DC only)."""
    dc = huff_codes(DC_BITS, DC_VALS)
    out, acc, n = bytearray(), 0, 0

    def put(code, length):
        nonlocal acc, n
        acc = (acc << length) | code
        n += length
        while n >= 8:
            b = (acc >> (n - 8)) & 0xFF
            out.append(b)
            if b == 0xFF:
                out.append(0)
            n -= 8

    prev = 0
    for by in range(h // 8):
        for bx in range(w // 8):
            level = shade(bx, by)               # 0..255
            val = round((level - 128) * 8 / 16)  # DC with quantiser 16
            diff = val - prev
            prev = val
            cat = 0 if diff == 0 else abs(diff).bit_length()
            put(*dc[cat])
            if cat:
                put(diff if diff > 0 else diff + (1 << cat) - 1, cat)
            put(0, 1)                           # AC: EOB (the only symbol)
    if n:
        put((1 << (8 - n)) - 1, 8 - n)
    seg = lambda m, data: bytes([0xFF, m]) + struct.pack(">H", len(data) + 2) + data
    dqt = seg(0xDB, bytes([0]) + bytes([16] * 64))
    sof = seg(0xC0, struct.pack(">BHHB", 8, h, w, 1) + bytes([1, 0x11, 0]))
    dht = seg(0xC4, bytes([0x00]) + bytes(DC_BITS) + bytes(DC_VALS) +
              bytes([0x10]) + bytes([1] + [0] * 15) + bytes([0]))
    sos = seg(0xDA, bytes([1, 1, 0x00, 0, 63, 0]))
    app0 = seg(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
    return b"\xff\xd8" + app0 + dqt + sof + dht + sos + bytes(out) + b"\xff\xd9"


def png(w, h, pixel):
    raw = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(w))
                   for y in range(h))
    chunk = lambda t, d: struct.pack(">I", len(d)) + t + d + struct.pack(
        ">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


files = {
    "images/mug/front.jpg": jpeg(32, 32, lambda x, y: 40 + 25 * (x + y)),
    "images/mug/side.png": png(24, 24, lambda x, y: (200, 10 * x, 10 * y)),
    "images/lamp/main.jpg": jpeg(32, 32, lambda x, y: 230 - 30 * max(abs(x - 1.5), abs(y - 1.5))),
    "images/lamp/detail.png": png(16, 16, lambda x, y: (240, 220, 120) if (x // 4 + y // 4) % 2 else (60, 60, 70)),
}
for name, data in files.items():
    with open(name, "wb") as f:
        f.write(data)
