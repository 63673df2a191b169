"""Thumbnails: real PNG drawings of an elevation (frame, mullions, glass), keeping its aspect in the box."""

from __future__ import annotations

import random
import struct
import zlib

from .model import Elevation

__all__ = ["ThumbnailRequest", "fit_box", "render_thumbnail"]

ThumbnailRequest = tuple[int, int, str, bool, bool]  # width, height, view, withdimensions, withdescription
_WHITE, _GLASS, _DIM = b"\xff\xff\xff", b"\xcf\xe6\xf2", b"\x80\x80\x80"
_FRAME = {"interior": b"\xf0\xf0\xf0", "exterior": b"\x38\x3e\x42"}
_EDGE = b"\x20\x20\x20"


def fit_box(box_w: int, box_h: int, width: float, height: float) -> tuple[int, int]:
    """The largest size with the elevation's aspect ratio that fits inside box_w by box_h."""
    aspect = width / height if height > 0 else 1.0
    if aspect >= box_w / box_h:
        return box_w, max(1, round(box_w / aspect))
    return max(1, round(box_h * aspect)), box_h


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def render_thumbnail(seed: int, elevation: Elevation, request: ThumbnailRequest) -> bytes:
    """PNG bytes, identical for the same seed, elevation (id, revision, size) and request."""
    box_w, box_h, view, with_dimensions, _ = request
    rng = random.Random(f"{seed}:thumb:{elevation.id}:{elevation.revision}")
    columns = rng.choice([1, 1, 2, 2, 3, 4])
    transom = rng.random() < 0.4
    margin = 6 if with_dimensions else 0
    width, height = fit_box(box_w, box_h, elevation.width, elevation.height)
    inner_w, inner_h = max(width - margin, 4), max(height - margin, 4)
    frame = _FRAME.get(view.lower(), _FRAME["interior"])
    bar = max(2, min(inner_w, inner_h) // 25)

    def pixels(x_glass: bool, x: int) -> bytes:
        if x == 0 or x == inner_w - 1:
            return _EDGE
        return _GLASS if x_glass else frame

    cols = [
        bar <= x < inner_w - bar
        and all(abs(x - inner_w * c // columns) >= bar // 2 + 1 for c in range(1, columns))
        for x in range(inner_w)
    ]
    glass_row = b"".join(pixels(is_glass, x) for x, is_glass in enumerate(cols))
    solid_row = _EDGE + frame * (inner_w - 2) + _EDGE
    edge_row = _EDGE * inner_w
    transom_y = inner_h // 4 if transom else -10
    dim_pad = (_WHITE * (margin - 1) + _DIM) if margin else b""
    rows = []
    for y in range(inner_h):
        if y in (0, inner_h - 1):
            row = edge_row
        elif y < bar or y >= inner_h - bar or abs(y - transom_y) <= bar // 2:
            row = solid_row
        else:
            row = glass_row
        rows.append(b"\x00" + dim_pad + row)
    if margin:
        rows.extend([b"\x00" + _WHITE * width] * (margin - 1) + [b"\x00" + _WHITE * margin + _DIM * inner_w])
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = zlib.compress(b"".join(rows), 9)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", raw) + _chunk(b"IEND", b"")
