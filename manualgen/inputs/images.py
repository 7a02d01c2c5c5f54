"""Opening a user's picture (the logo, a photographed sample) without trusting its header.

A PNG of 50 KB can say it is 20,000 x 20,000 pixels, a TIFF that it is four billion
pixels wide: decoded, either would take gigabytes. Pillow guards with a warning past 89
million pixels and an error past twice that; manualgen refuses far earlier, with the
picture named and its size in words, before any pixel is decoded.
"""

from __future__ import annotations

import struct
import warnings
from pathlib import Path
from typing import IO

from PIL import Image, UnidentifiedImageError

# Pillow's own guard sits above every limit here, so its warning always means "too large".
MAX_SAMPLE_PIXELS = 80_000_000      # a 600 dpi colour scan of a Tabloid page is 67 million
MAX_FRAMES = 200                    # pages in one multi-page TIFF

# What Pillow raises on a damaged or hostile file (besides the two bomb guards).
DECODE_ERRORS: tuple[type[Exception], ...] = (
    UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, struct.error,
    IndexError)


class TooLarge(Exception):
    """The picture has more pixels than allowed; the size when the header gave it."""

    def __init__(self, width: int | None, height: int | None, limit: int) -> None:
        self.width, self.height, self.limit = width, height, limit
        super().__init__(self.words())

    def words(self) -> str:
        millions = f"{self.limit / 1_000_000:.0f} million"
        if self.width is None or self.height is None:
            return f"the picture has far more pixels than the {millions} allowed"
        return (f"the picture is {self.width:,} x {self.height:,} pixels "
                f"({self.width * self.height / 1_000_000:,.0f} million); at most {millions} "
                "are allowed")


def check_size(img: Image.Image, limit: int) -> None:
    """Raise TooLarge when the (current frame of the) picture is over `limit` pixels."""
    width, height = img.size
    if width * height > limit:
        raise TooLarge(width, height, limit)


def open_image(source: Path | IO[bytes], *, limit: int) -> Image.Image:
    """Open a picture lazily (no pixels decoded) and refuse it when it is too large.

    Raises TooLarge, or one of DECODE_ERRORS when it is not a picture Pillow can read.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(source)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise TooLarge(None, None, limit) from None
    try:
        check_size(img, limit)
    except TooLarge:
        img.close()
        raise
    return img


def count_frames(img: Image.Image, *, limit: int, frames: int = MAX_FRAMES) -> int:
    """The frames (pages) of a picture, each checked for size, counted up to `frames` + 1:
    `n_frames` would walk every frame a hostile TIFF claims to have."""
    if getattr(img, "format", None) != "TIFF":
        return 1
    count = 1
    try:
        while count <= frames:
            img.seek(count)
            check_size(img, limit)
            count += 1
    except EOFError:
        pass
    finally:
        img.seek(0)
    return count
