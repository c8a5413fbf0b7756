"""Draw the example site's photos, logo and favicon with Pillow alone.

Every picture is original and text-free: simple scenes (skies and skylines, a podium
with flags, meeting tables, a flood, a stage, batik cloth, a harbour...) drawn from
shapes and gradients, each seeded by its own file name so a rerun writes the same
pictures. They are real, large JPEGs (1600-2400 px wide, quality 70) so the example
exercises the image pipeline; one is stored sideways with an EXIF orientation tag, one
is a PNG infographic. Run from anywhere: ``python scripts/make_example_photos.py``.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageOps

ROOT = Path(__file__).resolve().parent.parent
PRESS = ROOT / "content" / "press"
STATIC = ROOT / "static"
QUALITY = 70
ORIENTATION = 0x0112  # EXIF tag: 6 means "rotate 90 degrees clockwise to show"

RGB = tuple[int, int, int]
Scene = Callable[[random.Random, int, int], Image.Image]

# bundle folder -> [(file name, scene name, (width, height))]
PHOTOS: dict[str, list[tuple[str, str, tuple[int, int]]]] = {
    "2026-09-15-asean-digital-economy-forum": [
        ("01.jpg", "hall", (2400, 1350)),
        ("02.jpg", "podium", (2000, 1333)),
        ("03.jpg", "meeting", (2000, 1333)),
        ("04.jpg", "skyline", (2400, 1350)),
    ],
    "2026-10-02-le-anh-tuan-visits-jakarta": [
        ("01.jpg", "facade", (2000, 1333)),
        ("02.jpg", "meeting", (2200, 1467)),
        ("03.jpg", "monument", (1600, 2400)),  # portrait, stored sideways + EXIF
    ],
    "2026-10-20-global-partnership-against-online-scams": [
        ("01.jpg", "podium", (2200, 1467)),
        ("02.jpg", "hall", (2000, 1125)),
        ("03.jpg", "signing", (2000, 1333)),
    ],
    "2026-11-03-scholarship-programme-2027": [
        ("01.jpg", "hall", (1800, 1200)),
        ("02.jpg", "facade", (1800, 1200)),
    ],
    "2026-11-10-flood-relief-assistance": [
        ("01.jpg", "flood", (2400, 1350)),
        ("02.jpg", "trucks", (2000, 1333)),
        ("03.jpg", "flood", (2000, 1333)),
        ("04.jpg", "podium", (1800, 1200)),
    ],
    "2026-11-18-coffee-trade-mission": [
        ("01.jpg", "coffee", (2000, 1333)),
        ("02.png", "infographic", (1600, 1000)),
        ("03.jpg", "meeting", (2000, 1333)),
    ],
    "2026-11-25-indonesian-cultural-week-hanoi": [
        ("01.jpg", "stage", (2400, 1350)),
        ("02.jpg", "batik", (1800, 1200)),
        ("03.jpg", "stage", (2000, 1333)),
        ("04.jpg", "batik", (1800, 1200)),
        ("05.jpg", "skyline", (2000, 1333)),
    ],
    "2026-11-27-consular-services-year-end-holidays": [
        ("01.jpg", "facade", (2000, 1333)),
        ("02.jpg", "counter", (2000, 1333)),
    ],
    "2026-11-26-youth-exchange-programme": [
        ("01.jpg", "hall", (1800, 1200)),
        ("02.jpg", "skyline", (1800, 1200)),
    ],
    "2030-01-01-joint-statement-maritime-cooperation": [
        ("01.jpg", "harbor", (2400, 1350)),
        ("02.jpg", "signing", (2000, 1333)),
    ],
}

SKIES: list[tuple[RGB, RGB]] = [
    ((96, 150, 212), (214, 232, 245)),  # clear day
    ((58, 84, 140), (246, 180, 120)),  # dusk
    ((150, 170, 190), (226, 228, 230)),  # overcast
    ((110, 170, 225), (250, 236, 205)),  # morning haze
]
SKIN = [(92, 62, 46), (120, 84, 60), (70, 50, 40), (140, 104, 80)]
CLOTHES = [(30, 36, 52), (48, 52, 60), (236, 236, 232), (40, 60, 96), (90, 30, 40)]


# --------------------------------------------------------------------------- drawing helpers


def gradient(w: int, h: int, top: RGB, bottom: RGB) -> Image.Image:
    """A vertical gradient from ``top`` to ``bottom``."""
    ramp = Image.linear_gradient("L").resize((w, h))
    return ImageOps.colorize(ramp, top, bottom).convert("RGB")


def jitter(rng: random.Random, color: RGB, amount: int = 18) -> RGB:
    r, g, b = (max(0, min(255, c + rng.randint(-amount, amount))) for c in color)
    return (r, g, b)


def soft(img: Image.Image, draw_on: Callable[[ImageDraw.ImageDraw], None], blur: float) -> None:
    """Draw shapes on a transparent layer, blur it, and lay it over ``img``."""
    layer = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw_on(ImageDraw.Draw(layer))
    if blur:
        layer = layer.filter(ImageFilter.GaussianBlur(blur))
    img.paste(layer, (0, 0), layer)


def person(
    d: ImageDraw.ImageDraw, x: float, foot: float, height: float, rng: random.Random
) -> None:
    """A standing figure seen from the front: head, neck and a jacketed torso."""
    head = height * 0.13
    shoulders = height * 0.26
    top = foot - height
    d.rounded_rectangle(
        (x - shoulders / 2, top + head * 1.15, x + shoulders / 2, foot),
        radius=int(shoulders * 0.3),
        fill=rng.choice(CLOTHES),
    )
    d.ellipse((x - head / 2, top, x + head / 2, top + head * 1.25), fill=rng.choice(SKIN))
    d.ellipse((x - head / 2, top - head * 0.05, x + head / 2, top + head * 0.5), fill=(28, 24, 22))


def heads(d: ImageDraw.ImageDraw, w: int, y: float, size: float, rng: random.Random) -> None:
    """A row of audience heads and shoulders seen from behind."""
    x = -size * rng.random()
    while x < w + size:
        s = size * rng.uniform(0.85, 1.15)
        d.ellipse((x - s * 0.9, y + s * 0.8, x + s * 0.9, y + s * 3), fill=rng.choice(CLOTHES))
        d.ellipse((x - s / 2, y, x + s / 2, y + s * 1.2), fill=(30, 26, 24))
        x += s * rng.uniform(1.7, 2.3)


def flag(d: ImageDraw.ImageDraw, x: float, top: float, h: float, bands: list[RGB]) -> None:
    """A flag on a pole: a plain rectangle of horizontal bands, no emblem."""
    d.rectangle((x - h * 0.01, top, x + h * 0.01, top + h), fill=(190, 180, 150))
    fw, fh = h * 0.42, h * 0.28
    for i, color in enumerate(bands):
        y0 = top + h * 0.03 + fh * i / len(bands)
        d.rectangle((x + h * 0.012, y0, x + h * 0.012 + fw, y0 + fh / len(bands)), fill=color)


def finish(img: Image.Image, rng: random.Random) -> Image.Image:
    """Soften edges and darken the corners a little, as a lens would."""
    img = img.filter(ImageFilter.GaussianBlur(0.8))
    w, h = img.size
    mask = Image.radial_gradient("L").resize((w, h))
    dark = ImageOps.colorize(mask, (255, 255, 255), (150, 150, 150)).convert("RGB")
    return Image.blend(img, Image.composite(img, dark, ImageOps.invert(mask)), 0.35)


# --------------------------------------------------------------------------- scenes


def skyline(rng: random.Random, w: int, h: int) -> Image.Image:
    top, bottom = rng.choice(SKIES)
    img = gradient(w, h, top, bottom)
    horizon = h * rng.uniform(0.6, 0.7)
    sx, sy, sr = w * rng.uniform(0.15, 0.85), h * rng.uniform(0.15, 0.35), h * 0.06
    soft(img, lambda d: d.ellipse((sx - sr, sy - sr, sx + sr, sy + sr), fill=(255, 246, 220)), 12)
    for layer, (shade, blur) in enumerate([((150, 165, 185), 4), ((70, 82, 100), 1)]):

        def towers(d: ImageDraw.ImageDraw, shade: RGB = shade, layer: int = layer) -> None:
            x = 0.0
            while x < w:
                bw = w * rng.uniform(0.03, 0.08)
                bh = h * rng.uniform(0.12, 0.45) * (0.7 if layer == 0 else 1.0)
                d.rectangle((x, horizon - bh, x + bw, h), fill=jitter(rng, shade, 10))
                if layer == 1:
                    for wy in range(int(horizon - bh + 12), int(horizon), 22):
                        for wx in range(int(x + 8), int(x + bw - 8), 18):
                            if rng.random() < 0.45:
                                d.rectangle((wx, wy, wx + 8, wy + 10), fill=(235, 220, 150))
                x += bw + w * rng.uniform(0.0, 0.02)

        soft(img, towers, blur)
    ImageDraw.Draw(img).rectangle((0, horizon + h * 0.12, w, h), fill=(60, 80, 60))
    return img


def podium(rng: random.Random, w: int, h: int) -> Image.Image:
    img = gradient(w, h, (120, 90, 70), (70, 50, 40))
    d = ImageDraw.Draw(img)
    d.rectangle((w * 0.18, h * 0.08, w * 0.82, h * 0.7), fill=jitter(rng, (30, 70, 130)))
    d.rectangle((w * 0.2, h * 0.1, w * 0.8, h * 0.68), fill=jitter(rng, (40, 90, 160)))
    bands = [[(200, 30, 40), (245, 245, 245)], [(218, 37, 29), (218, 37, 29)]]
    flag(d, w * 0.1, h * 0.12, h * 0.62, bands[0])
    flag(d, w * 0.86, h * 0.12, h * 0.62, rng.choice(bands))
    person(d, w * 0.5, h * 0.74, h * 0.5, rng)
    d.polygon(
        [(w * 0.42, h * 0.5), (w * 0.58, h * 0.5), (w * 0.56, h * 0.85), (w * 0.44, h * 0.85)],
        fill=(110, 70, 40),
    )
    d.rectangle((w * 0.47, h * 0.55, w * 0.53, h * 0.6), fill=(210, 180, 90))
    soft(img, lambda d: heads(d, w, h * 0.82, h * 0.05, rng), 6)
    return img


def meeting(rng: random.Random, w: int, h: int) -> Image.Image:
    img = gradient(w, h, (200, 196, 186), (150, 140, 126))
    d = ImageDraw.Draw(img)
    for i in range(3):
        x0 = w * (0.08 + i * 0.32)
        d.rectangle((x0, h * 0.08, x0 + w * 0.2, h * 0.4), fill=(236, 242, 246))
    for side in (-1, 1):
        for k in range(4):
            t = k / 4
            x = w / 2 + side * w * (0.12 + 0.1 * t)
            person(d, x, h * (0.62 + 0.2 * t), h * (0.3 + 0.25 * t), rng)
    d.polygon(
        [(w * 0.42, h * 0.5), (w * 0.58, h * 0.5), (w * 0.8, h), (w * 0.2, h)],
        fill=(96, 60, 36),
    )
    for k in range(5):
        y = h * (0.55 + 0.09 * k)
        d.rectangle((w * 0.47, y, w * 0.53, y + h * 0.02), fill=(245, 245, 240))
    flag(d, w * 0.5, h * 0.42, h * 0.1, [(200, 30, 40), (245, 245, 245)])
    return img


def hall(rng: random.Random, w: int, h: int) -> Image.Image:
    img = gradient(w, h, (40, 44, 60), (20, 22, 30))
    d = ImageDraw.Draw(img)
    screen = jitter(rng, (90, 140, 200), 30)
    d.rectangle((w * 0.25, h * 0.1, w * 0.75, h * 0.45), fill=screen)
    for i in range(4):
        d.rectangle(
            (w * (0.3 + 0.1 * i), h * (0.35 - 0.05 * i), w * (0.36 + 0.1 * i), h * 0.4),
            fill=(240, 240, 250),
        )
    d.rectangle((w * 0.1, h * 0.5, w * 0.9, h * 0.56), fill=(120, 30, 40))
    for k, y in enumerate((0.6, 0.7, 0.82)):
        soft(img, lambda d, y=y, k=k: heads(d, w, h * y, h * (0.03 + 0.015 * k), rng), 3 - k)
    return img


def facade(rng: random.Random, w: int, h: int) -> Image.Image:
    top, bottom = rng.choice(SKIES)
    img = gradient(w, h, top, bottom)
    d = ImageDraw.Draw(img)
    wall = jitter(rng, (232, 226, 210), 10)
    d.rectangle((w * 0.1, h * 0.3, w * 0.9, h * 0.85), fill=wall)
    d.polygon([(w * 0.08, h * 0.3), (w * 0.5, h * 0.12), (w * 0.92, h * 0.3)], fill=(170, 90, 60))
    for i in range(8):
        x = w * (0.16 + i * 0.095)
        d.rectangle((x, h * 0.34, x + w * 0.03, h * 0.8), fill=(250, 248, 240))
        d.rectangle((x + w * 0.038, h * 0.42, x + w * 0.07, h * 0.62), fill=(60, 80, 100))
    for k in range(4):
        d.rectangle(
            (w * (0.3 - k * 0.03), h * (0.8 + k * 0.03), w * (0.7 + k * 0.03), h),
            fill=(200 - k * 10, 196 - k * 10, 186 - k * 10),
        )
    flag(d, w * 0.5, h * 0.02, h * 0.2, [(200, 30, 40), (245, 245, 245)])
    for x in (0.03, 0.95):
        soft(
            img,
            lambda d, x=x: d.ellipse(
                (w * (x - 0.07), h * 0.45, w * (x + 0.07), h * 0.9), fill=(50, 100, 50)
            ),
            8,
        )
    return img


def monument(rng: random.Random, w: int, h: int) -> Image.Image:
    img = gradient(w, h, (70, 130, 200), (220, 236, 248))
    soft(
        img,
        lambda d: [
            d.ellipse(
                (
                    w * rng.uniform(-0.2, 0.8),
                    h * rng.uniform(0.05, 0.4),
                    w * rng.uniform(0.9, 1.4),
                    h * rng.uniform(0.45, 0.5),
                ),
                fill=(255, 255, 255, 120),
            )
            for _ in range(3)
        ],
        40,
    )
    d = ImageDraw.Draw(img)
    d.polygon(
        [(w * 0.45, h * 0.78), (w * 0.48, h * 0.2), (w * 0.52, h * 0.2), (w * 0.55, h * 0.78)],
        fill=(236, 232, 220),
    )
    d.polygon([(w * 0.46, h * 0.2), (w * 0.5, h * 0.1), (w * 0.54, h * 0.2)], fill=(214, 170, 60))
    d.rectangle((w * 0.2, h * 0.74, w * 0.8, h * 0.82), fill=(226, 220, 206))
    d.rectangle((0, h * 0.82, w, h), fill=(70, 120, 60))
    return img


def signing(rng: random.Random, w: int, h: int) -> Image.Image:
    img = podium(rng, w, h)
    d = ImageDraw.Draw(img)
    d.rectangle((0, h * 0.6, w, h), fill=(60, 40, 30))
    d.rectangle((w * 0.05, h * 0.62, w * 0.95, h * 0.72), fill=(40, 90, 60))
    for x in (0.3, 0.7):
        person(d, w * x, h * 0.66, h * 0.42, rng)
        d.rectangle((w * (x - 0.08), h * 0.68, w * (x + 0.08), h * 0.76), fill=(248, 248, 244))
        d.rectangle((w * (x - 0.08), h * 0.68, w * (x - 0.07), h * 0.76), fill=(120, 20, 30))
    return img


def flood(rng: random.Random, w: int, h: int) -> Image.Image:
    img = gradient(w, h, (150, 160, 172), (200, 204, 206))
    d = ImageDraw.Draw(img)
    water = h * rng.uniform(0.5, 0.6)
    for i in range(9):
        x = w * (i / 9 + rng.uniform(-0.02, 0.02))
        bw = w * rng.uniform(0.06, 0.09)
        d.rectangle((x, water - h * 0.1, x + bw, water + 5), fill=jitter(rng, (200, 190, 170)))
        d.polygon(
            [
                (x - 10, water - h * 0.1),
                (x + bw / 2, water - h * 0.18),
                (x + bw + 10, water - h * 0.1),
            ],
            fill=jitter(rng, (150, 70, 50)),
        )
    img.paste(gradient(w, int(h - water), (120, 104, 80), (90, 76, 56)), (0, int(water)))
    for _ in range(3):
        bx, by = w * rng.uniform(0.1, 0.8), h * rng.uniform(0.68, 0.85)
        d.polygon(
            [
                (bx, by),
                (bx + w * 0.14, by),
                (bx + w * 0.12, by + h * 0.04),
                (bx + w * 0.02, by + h * 0.04),
            ],
            fill=(230, 120, 40),
        )
        for k in range(3):
            person(d, bx + w * (0.03 + 0.04 * k), by + 2, h * 0.12, rng)
    soft(
        img,
        lambda d: [
            d.line((0, water + k * 37, w, water + k * 37 + 4), fill=(160, 146, 120, 90), width=3)
            for k in range(12)
        ],
        2,
    )
    return img


def trucks(rng: random.Random, w: int, h: int) -> Image.Image:
    img = skyline(rng, w, h)
    d = ImageDraw.Draw(img)
    d.rectangle((0, h * 0.7, w, h), fill=(110, 108, 100))
    for i in range(3):
        x = w * (0.05 + 0.32 * i)
        d.rectangle((x, h * 0.5, x + w * 0.2, h * 0.8), fill=jitter(rng, (235, 235, 230), 8))
        d.rectangle((x + w * 0.2, h * 0.6, x + w * 0.27, h * 0.8), fill=(200, 40, 40))
        d.rectangle((x + w * 0.215, h * 0.62, x + w * 0.26, h * 0.68), fill=(150, 190, 220))
        for cx in (x + w * 0.04, x + w * 0.16, x + w * 0.235):
            d.ellipse((cx - h * 0.05, h * 0.76, cx + h * 0.05, h * 0.86), fill=(25, 25, 25))
    for k in range(6):
        bx = w * (0.1 + 0.13 * k)
        d.rectangle((bx, h * 0.86, bx + w * 0.06, h * 0.95), fill=(190, 150, 100))
    return img


def coffee(rng: random.Random, w: int, h: int) -> Image.Image:
    img = gradient(w, h, (120, 90, 60), (90, 64, 40))
    d = ImageDraw.Draw(img)
    for _ in range(900):
        x, y, s = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(30, 46)
        tone = jitter(rng, (78, 46, 28), 14)
        d.ellipse((x - s, y - s * 0.7, x + s, y + s * 0.7), fill=tone)
        d.arc(
            (x - s * 0.5, y - s * 0.6, x + s * 0.5, y + s * 0.6),
            60,
            300,
            fill=(40, 22, 14),
            width=4,
        )
    soft(
        img,
        lambda d: d.ellipse((w * 0.6, -h * 0.2, w * 1.2, h * 0.5), fill=(255, 230, 190, 60)),
        60,
    )
    return img


def stage(rng: random.Random, w: int, h: int) -> Image.Image:
    img = gradient(w, h, (20, 16, 30), (60, 30, 50))
    for x in (0.25, 0.5, 0.75):
        soft(
            img,
            lambda d, x=x: d.polygon(
                [(w * x, 0), (w * (x - 0.15), h * 0.75), (w * (x + 0.15), h * 0.75)],
                fill=(255, 230, 170, 70),
            ),
            30,
        )
    d = ImageDraw.Draw(img)
    d.rectangle((0, h * 0.72, w, h), fill=(90, 60, 40))
    for i in range(5):
        x, tall = w * (0.2 + 0.15 * i), h * rng.uniform(0.38, 0.44)
        person(d, x, h * 0.78, tall, rng)
        d.polygon(
            [(x - tall * 0.18, h * 0.78), (x + tall * 0.18, h * 0.78), (x, h * 0.55)],
            fill=rng.choice([(190, 40, 60), (220, 160, 40), (40, 120, 90)]),
        )
        d.ellipse(
            (x - tall * 0.08, h * 0.78 - tall * 1.06, x + tall * 0.08, h * 0.78 - tall * 0.96),
            fill=(230, 190, 60),
        )
    soft(img, lambda d: heads(d, w, h * 0.86, h * 0.04, rng), 5)
    return img


def batik(rng: random.Random, w: int, h: int) -> Image.Image:
    ground, ink, accent = rng.choice(
        [
            ((236, 214, 170), (60, 40, 30), (140, 70, 40)),
            ((30, 44, 90), (230, 220, 190), (180, 120, 60)),
        ]
    )
    img = Image.new("RGB", (w, h), ground)
    d = ImageDraw.Draw(img)
    step = rng.choice([110, 130, 150])
    for row, y in enumerate(range(-step, h + step, step)):
        for col, x in enumerate(range(-step, w + step, step)):
            cx = x + (step // 2 if row % 2 else 0)
            d.ellipse(
                (cx - step * 0.38, y - step * 0.38, cx + step * 0.38, y + step * 0.38),
                outline=ink,
                width=6,
            )
            for k in range(4):
                r = step * 0.12
                ox, oy = [(0, -1), (1, 0), (0, 1), (-1, 0)][k]
                px, py = cx + ox * step * 0.2, y + oy * step * 0.2
                d.ellipse((px - r, py - r, px + r, py + r), fill=accent if (row + col) % 2 else ink)
    for k in range(0, w + h, 260):
        d.line((k, 0, k - h, h), fill=accent, width=10)
    fold = Image.linear_gradient("L").rotate(90, expand=True).resize((w, h))
    shade = ImageOps.colorize(fold, (120, 120, 120), (255, 255, 255)).convert("RGB")
    return Image.blend(img, Image.composite(img, shade, fold), 0.3)


def counter(rng: random.Random, w: int, h: int) -> Image.Image:
    img = gradient(w, h, (226, 230, 232), (190, 196, 200))
    d = ImageDraw.Draw(img)
    for i in range(4):
        x = w * (0.06 + 0.235 * i)
        d.rectangle((x, h * 0.2, x + w * 0.2, h * 0.55), fill=(180, 210, 226))
        d.rectangle((x + w * 0.07, h * 0.12, x + w * 0.13, h * 0.17), fill=(30, 90, 150))
        person(d, x + w * 0.1, h * 0.58, h * 0.32, rng)
    d.rectangle((0, h * 0.55, w, h * 0.75), fill=(150, 110, 80))
    for k in range(6):
        person(d, w * (0.1 + 0.16 * k), h * 1.02, h * 0.4, rng)
    return img


def harbor(rng: random.Random, w: int, h: int) -> Image.Image:
    top, bottom = rng.choice(SKIES)
    img = gradient(w, h, top, bottom)
    sea = int(h * 0.62)
    img.paste(gradient(w, h - sea, (40, 90, 130), (20, 50, 80)), (0, sea))
    d = ImageDraw.Draw(img)
    for i in range(3):
        x, s = w * (0.1 + 0.3 * i), w * rng.uniform(0.12, 0.2)
        d.polygon(
            [(x, sea - 10), (x + s, sea - 10), (x + s * 0.9, sea + 25), (x + s * 0.1, sea + 25)],
            fill=jitter(rng, (60, 60, 70)),
        )
        d.rectangle((x + s * 0.55, sea - 60, x + s * 0.85, sea - 10), fill=(240, 240, 236))
        for k in range(4):
            d.rectangle(
                (x + s * (0.08 + 0.11 * k), sea - 40, x + s * (0.17 + 0.11 * k), sea - 10),
                fill=rng.choice([(190, 60, 40), (40, 110, 170), (230, 180, 40)]),
            )
    for k in range(4):
        d.line(
            (w * 0.8 + k * 40, sea - 200, w * 0.8 + k * 40 + 90, sea), fill=(60, 60, 60), width=8
        )
    soft(
        img,
        lambda d: [
            d.line((0, sea + 20 + k * 28, w, sea + 24 + k * 28), fill=(200, 220, 240, 50), width=3)
            for k in range(16)
        ],
        2,
    )
    return img


def infographic(rng: random.Random, w: int, h: int) -> Image.Image:
    img = Image.new("RGB", (w, h), (248, 246, 240))
    d = ImageDraw.Draw(img)
    colors = [(140, 80, 40), (200, 130, 60), (60, 120, 100), (40, 80, 140)]
    d.rectangle((0, 0, w, h * 0.1), fill=(40, 60, 90))
    base, left = h * 0.85, w * 0.08
    d.line((left, h * 0.2, left, base), fill=(60, 60, 60), width=4)
    d.line((left, base, w * 0.55, base), fill=(60, 60, 60), width=4)
    for i, value in enumerate([0.35, 0.48, 0.52, 0.61, 0.74, 0.83]):
        x = left + 30 + i * w * 0.075
        d.rectangle((x, base - value * h * 0.62, x + w * 0.05, base), fill=colors[i % 2])
    cx, cy, r = w * 0.77, h * 0.52, h * 0.28
    start = 0.0
    for share, color in zip([0.42, 0.27, 0.19, 0.12], colors, strict=True):
        d.pieslice((cx - r, cy - r, cx + r, cy + r), start, start + share * 360, fill=color)
        start += share * 360
    d.ellipse((cx - r * 0.5, cy - r * 0.5, cx + r * 0.5, cy + r * 0.5), fill=(248, 246, 240))
    return img


SCENES: dict[str, Scene] = {
    f.__name__: f
    for f in (
        skyline,
        podium,
        meeting,
        hall,
        facade,
        monument,
        signing,
        flood,
        trucks,
        coffee,
        stage,
        batik,
        counter,
        harbor,
        infographic,
    )
}


# --------------------------------------------------------------------------- files


def render(name: str, scene: str, size: tuple[int, int]) -> Image.Image:
    rng = random.Random(zlib.crc32(name.encode("utf-8")))
    img = SCENES[scene](rng, *size)
    return img if scene == "infographic" else finish(img, rng)


def write_photo(path: Path, scene: str, size: tuple[int, int]) -> None:
    """Write one photo; a portrait one is stored sideways with EXIF orientation 6."""
    rel = path.relative_to(ROOT).as_posix()
    img = render(rel, scene, size)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".png":
        img.quantize(colors=32).save(path, optimize=True)
        return
    exif = Image.Exif()
    if size[1] > size[0]:
        img = img.rotate(90, expand=True)  # shown upright after a 90 degree clockwise turn
        exif[ORIENTATION] = 6
    img.save(path, "JPEG", quality=QUALITY, optimize=True, progressive=True, exif=exif.tobytes())


def emblem(size: int) -> Image.Image:
    """The publisher's emblem: a red and white disc inside a gold ring, drawn 4x and shrunk."""
    big = size * 4
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.ellipse((0, 0, big - 1, big - 1), fill=(190, 150, 50))
    m = big * 0.07
    d.ellipse((m, m, big - m, big - m), fill=(245, 245, 245))
    d.chord((m, m, big - m, big - m), 180, 360, fill=(196, 30, 45))
    c, r = big / 2, big * 0.16
    d.polygon([(c, c - r * 1.6), (c + r, c), (c, c + r * 1.6), (c - r, c)], fill=(30, 50, 90))
    return img.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    total = 0
    for bundle, photos in PHOTOS.items():
        for name, scene, size in photos:
            path = PRESS / bundle / "photos" / name
            write_photo(path, scene, size)
            total += path.stat().st_size
            print(
                f"{path.relative_to(ROOT)}  {size[0]}x{size[1]}  {path.stat().st_size // 1024} KiB"
            )
    STATIC.mkdir(parents=True, exist_ok=True)
    emblem(256).save(STATIC / "logo.png", optimize=True)  # structured data: 112 px or more
    emblem(96).save(STATIC / "logo-header.png", optimize=True)  # 3rem high at up to 2x
    emblem(64).save(STATIC / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48), (64, 64)])
    print(f"{sum(len(p) for p in PHOTOS.values())} photos, {total / 1e6:.1f} MB; logo, favicon")


if __name__ == "__main__":
    main()
