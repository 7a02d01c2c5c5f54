"""Draw the phone app's home-screen icons (192 and 512 px PNG) into
`manualgen/web/static/phone/`: a clipboard with a tick on the app's blue. Run once; the
PNGs are committed."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "manualgen" / "web" / "static" / "phone"
BLUE, WHITE, ORANGE = (11, 93, 140), (255, 255, 255), (242, 153, 0)


def icon(size: int) -> Image.Image:
    """The icon at `size` px, drawn at 4x and scaled down for smooth edges; the picture
    stays inside the middle 80 % so a round mask (Android's "maskable") keeps it."""
    s = size * 4
    image = Image.new("RGB", (s, s), BLUE)
    draw = ImageDraw.Draw(image)
    u = s / 100
    draw.rounded_rectangle((28 * u, 22 * u, 72 * u, 80 * u), radius=5 * u, fill=WHITE)
    draw.rounded_rectangle((40 * u, 17 * u, 60 * u, 27 * u), radius=3 * u, fill=ORANGE)
    draw.line([(37 * u, 52 * u), (46 * u, 62 * u), (63 * u, 40 * u)], fill=BLUE,
              width=round(7 * u), joint="curve")
    return image.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        icon(size).save(OUT / f"icon-{size}.png", optimize=True)


if __name__ == "__main__":
    main()
