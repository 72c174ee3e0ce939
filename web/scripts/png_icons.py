"""Draw the register's PNG icons (for iPad home screens, which take no SVG, and for Android's
install prompt) from the same shape as ``public/icon.svg``: a white T on the brand green.

Run from ``web/``: ``python3 scripts/png_icons.py`` (the standard library only); the PNGs it
writes are committed beside the SVGs in ``public/``.
"""

import struct
import zlib
from pathlib import Path

GREEN = (0x14, 0x53, 0x2D)
WHITE = (0xFF, 0xFF, 0xFF)
# The T of icon.svg in its 64-unit box: (left, top, right, bottom).
T_SHAPE = ((14, 20, 50, 26), (29, 26, 35, 50))
SIZES = {"icon-192.png": 192, "icon-512.png": 512, "apple-touch-icon.png": 180}


def coverage(x: int, y: int, scale: float) -> float:
    """How much of pixel (x, y) the T covers (its parts do not overlap): smooth edges."""
    covered = 0.0
    for left, top, right, bottom in T_SHAPE:
        width = min(x + 1, right * scale) - max(x, left * scale)
        height = min(y + 1, bottom * scale) - max(y, top * scale)
        if width > 0 and height > 0:
            covered += width * height
    return min(covered, 1.0)


def png(size: int) -> bytes:
    scale = size / 64
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # no filter
        for x in range(size):
            c = coverage(x, y, scale)
            rows.extend(round(g + (w - g) * c) for g, w in zip(GREEN, WHITE, strict=True))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


if __name__ == "__main__":
    public = Path(__file__).resolve().parents[1] / "public"
    for name, size in SIZES.items():
        (public / name).write_bytes(png(size))
