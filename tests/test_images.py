"""Photos: planning, pixel correctness, metadata stripping, and the content-hashed cache.

Every test makes its photos with Pillow in ``tmp_path`` and a small ``Site`` of them with
``factories``.
"""

from __future__ import annotations

import dataclasses
import io
import os
import pickle
import struct
import zlib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from factories import assemble_site, make_settings, make_translation
from PIL import Image, ImageCms, ImageOps

from presssite.errors import ErrorList, ImageError, PresssiteError
from presssite.images import index as imageindex
from presssite.images import reading as imagereading
from presssite.images import stage as images
from presssite.images import worker as imagework
from presssite.images.geometry import (
    closest,
    crop_rect,
    oriented_size,
    scaled_size,
    target_widths,
    unique_stems,
    variant_stem,
)
from presssite.model import Photo, Site
from presssite.settings import Settings

ARTIST, COPYRIGHT, GPS_IFD, ORIENTATION = 0x013B, 0x8298, 0x8825, 0x0112


# --------------------------------------------------------------------------- helpers


def image_settings(root: Path, **images_opts: object) -> Settings:
    """Settings with two image widths (small, quick photos) and ``images_opts``."""
    return make_settings(root, images={"widths": [200, 400], **images_opts})


def photo_path(root: Path, bundle: str, name: str) -> Path:
    path = root / "content" / bundle / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def photo_site(
    settings: Settings,
    bundles: dict[str, Sequence[Photo]],
    *,
    locales: Sequence[str] = ("id", "en"),
) -> Site:
    """A site of releases (bundle id -> its photos), each in every one of ``locales``."""
    docs = [
        make_translation(
            settings,
            bundle_id,
            loc,
            date=datetime(2025, 11, 6, tzinfo=UTC),
            title=f"{bundle_id.rsplit('/', 1)[-1]} {loc}",
            photos=tuple(photos),
        )
        for bundle_id, photos in bundles.items()
        for loc in locales
    ]
    return assemble_site(settings, docs, now=datetime(2025, 12, 1, tzinfo=UTC))


def photo(path: Path, src: str, **kw: object) -> Photo:
    return Photo(src=src, path=path, line=7, **kw)  # type: ignore[arg-type]


def save_jpeg(path: Path, size: tuple[int, int] = (600, 400), color=(200, 30, 30), **kw) -> Path:
    Image.new("RGB", size, color).save(path, "JPEG", quality=90, **kw)
    return path


def one_photo_site(tmp_path: Path, path: Path, src: str, **settings_opts: object):
    settings = image_settings(tmp_path, **settings_opts)
    site = photo_site(settings, {"press/x": [photo(path, src, credit="Bao Chi", caption="c")]})
    return settings, site


def build(settings: Settings, site: Site, **kw: object) -> images.ImageResult:
    plan = images.plan(site, settings)
    return images.process(plan, settings, jobs=1, **kw)  # type: ignore[arg-type]


def outputs(result: images.ImageResult, suffix: str) -> list[Path]:
    found = [f.source for f in result.files if f.path.endswith(suffix) and f.source]
    assert found, f"no {suffix} output"
    return found


def largest(result: images.ImageResult, suffix: str) -> Image.Image:
    return max((Image.open(p) for p in outputs(result, suffix)), key=lambda im: im.width)


# --------------------------------------------------------------------------- geometry


@pytest.mark.parametrize(
    ("original", "widths", "expected"),
    [
        (2400, (480, 960, 1600), (480, 960, 1600)),
        (1600, (480, 960, 1600), (480, 960, 1600)),
        (1000, (480, 960, 1600), (480, 960, 1000)),
        (300, (480, 960, 1600), (300,)),
        (480, (480, 960), (480,)),
    ],
    ids=["larger", "equal-to-largest", "between", "smaller-than-all", "equal-to-smallest"],
)
def test_target_widths_never_upscale(original, widths, expected):
    assert target_widths(original, widths) == expected


@pytest.mark.parametrize(
    ("size", "orientation", "expected"),
    [((600, 400), 1, (600, 400)), ((600, 400), 3, (600, 400)), ((600, 400), 6, (400, 600)),
     ((600, 400), 8, (400, 600)), ((600, 400), None, (600, 400))],
    ids=["upright", "upside-down", "rotated-cw", "rotated-ccw", "none"],
)  # fmt: skip
def test_oriented_size(size, orientation, expected):
    assert oriented_size(*size, orientation) == expected


@pytest.mark.parametrize(
    ("size", "target", "expected"),
    [((2400, 1600), 480, (480, 320)), ((1000, 333), 500, (500, 166)), ((5000, 1), 100, (100, 1))],
    ids=["3:2", "rounding", "at-least-one-pixel"],
)
def test_scaled_size(size, target, expected):
    assert scaled_size(*size, target) == expected


@pytest.mark.parametrize(
    ("src", "expected"),
    [("photos/01.jpg", "photos/01"), ("./a b.png", "a b"), ("../../etc/x.jpg", "etc/x")],
    ids=["plain", "dot-slash", "no-escape"],
)
def test_variant_stem(src, expected):
    assert variant_stem(src) == expected


def test_stems_stay_distinct_on_a_page():
    stems = unique_stems(("p/01.jpg", "p/01.png", "p/02.jpg"))
    assert stems == {"p/01.jpg": "p/01-jpg", "p/01.png": "p/01-png", "p/02.jpg": "p/02"}


def test_closest_prefers_larger_on_tie():
    assert closest((480, 960, 1600), 1200) == 960
    assert closest((1000, 1400), 1200) == 1400


# --------------------------------------------------------------------------- plan


def test_plan_publishes_variants_next_to_each_page(tmp_path):
    src = save_jpeg(photo_path(tmp_path, "press/x", "photos/01.jpg"), size=(600, 400))
    settings, site = one_photo_site(tmp_path, src, "photos/01.jpg")
    plan = images.plan(site, settings)
    id_doc, en_doc = site.translations()
    pi = plan.for_page(id_doc)["photos/01.jpg"]
    urls = {v.url for v in pi.variants}
    assert "/portal/id/press/x/photos/01-200.webp" in urls
    assert "/portal/id/press/x/photos/01-400.jpg" in urls
    by_url = {v.url: v for v in pi.variants}
    assert by_url["/portal/id/press/x/photos/01-200.webp"].output == "id/press/x/photos/01-200.webp"
    assert (pi.width, pi.height) == (400, 267)
    assert pi.fallback.format == "jpeg" and pi.large.width == 400
    assert pi.social is not None and pi.social.format == "jpeg"
    assert pi.srcset("webp") == (
        "/portal/id/press/x/photos/01-200.webp 200w, /portal/id/press/x/photos/01-400.webp 400w"
    )
    en = plan.for_page(en_doc)["photos/01.jpg"]
    assert en.large.url == "/portal/en/press/x/photos/01-400.jpg"


def test_small_photo_is_not_upscaled(tmp_path):
    src = save_jpeg(photo_path(tmp_path, "press/x", "s.jpg"), size=(300, 200))
    settings, site = one_photo_site(tmp_path, src, "s.jpg")
    pi = images.plan(site, settings).for_page(site.translations()[0])["s.jpg"]
    assert sorted({v.width for v in pi.variants}) == [200, 300]
    assert pi.width == 300


def test_fallback_is_last_format_without_jpeg(tmp_path):
    src = save_jpeg(photo_path(tmp_path, "press/x", "a.jpg"))
    settings, site = one_photo_site(tmp_path, src, "a.jpg", formats=["webp", "png"])
    pi = images.plan(site, settings).for_page(site.translations()[0])["a.jpg"]
    assert pi.fallback.format == "png"


def test_plan_reports_orientation_6_as_portrait(tmp_path):
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    src = save_jpeg(photo_path(tmp_path, "press/x", "o.jpg"), size=(600, 400), exif=exif)
    settings, site = one_photo_site(tmp_path, src, "o.jpg")
    pi = images.plan(site, settings).for_page(site.translations()[0])["o.jpg"]
    assert pi.height > pi.width
    assert (pi.width, pi.height) == (400, 600)


def test_plan_reads_each_header_once_across_locales(tmp_path, monkeypatch):
    paths = [save_jpeg(photo_path(tmp_path, "press/x", f"{i}.jpg")) for i in range(3)]
    settings = image_settings(tmp_path)
    site = photo_site(settings, {"press/x": [photo(p, p.name) for p in paths]})
    calls: list[Path] = []
    real = imageindex.probe

    def counting(path: Path, *, max_pixels: int) -> imagereading.Probe:
        calls.append(path)
        return real(path, max_pixels=max_pixels)

    monkeypatch.setattr(imageindex, "probe", counting)
    images.plan(site, settings)
    assert sorted(calls) == sorted(paths)


def test_corrupt_and_missing_files_name_the_page_and_the_photo(tmp_path):
    bad = photo_path(tmp_path, "press/x", "photos/bad.jpg")
    bad.write_bytes(b"this is not a jpeg at all")
    missing = photo_path(tmp_path, "press/x", "photos/gone.jpg")
    settings = image_settings(tmp_path)
    site = photo_site(
        settings, {"press/x": [photo(bad, "photos/bad.jpg"), photo(missing, "photos/gone.jpg")]}
    )
    with pytest.raises(ErrorList) as caught:
        images.plan(site, settings)
    texts = [e.format() for e in caught.value]
    assert len(texts) == 2
    assert any("photos/bad.jpg" in t and "index.id.md:7" in t for t in texts)
    assert any("photos/gone.jpg" in t and "not found" in t for t in texts)


def test_plan_can_collect_errors_instead_of_raising(tmp_path):
    bad = photo_path(tmp_path, "press/x", "bad.png")
    bad.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    settings, site = one_photo_site(tmp_path, bad, "bad.png")
    plan = images.plan(site, settings, raise_errors=False)
    assert len(plan.errors) == 1 and isinstance(plan.errors[0], ImageError)
    assert plan.for_page(site.translations()[0]) == {}


def test_bomb_is_refused_before_decoding(tmp_path):
    src = save_jpeg(photo_path(tmp_path, "press/x", "big.jpg"), size=(600, 400))
    settings, site = one_photo_site(tmp_path, src, "big.jpg", max_pixels=1000)
    with pytest.raises(ImageError) as caught:
        images.plan(site, settings)
    text = caught.value.format()
    assert "big.jpg" in text and "max_pixels" in text and "240,000" in text


# --------------------------------------------------------------------------- pixels


def test_orientation_6_comes_out_upright(tmp_path):
    upright = Image.new("RGB", (300, 400), (220, 0, 0))
    upright.paste((0, 0, 220), (0, 200, 300, 400))  # red top, blue bottom
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # what a sideways camera stores
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    src = photo_path(tmp_path, "press/x", "o.jpg")
    stored.save(src, "JPEG", quality=95, exif=exif)
    settings, site = one_photo_site(tmp_path, src, "o.jpg")
    result = build(settings, site)
    for suffix in (".jpg", ".webp"):
        out = largest(result, suffix).convert("RGB")
        assert out.height > out.width
        r, g, b = out.getpixel((out.width // 2, out.height // 8))
        assert r > 150 and b < 80, "top should be red"
        r, g, b = out.getpixel((out.width // 2, out.height * 7 // 8))
        assert b > 150 and r < 80, "bottom should be blue"
    for f in result.files:
        assert ORIENTATION not in Image.open(f.source).getexif()  # viewers must not turn it again
    # Pillow's own reading of the source agrees with what was published
    shown = ImageOps.exif_transpose(Image.open(src))
    assert shown.size == (300, 400) and shown.getpixel((150, 50))[0] > 150


def test_cmyk_jpeg(tmp_path):
    src = photo_path(tmp_path, "press/x", "cmyk.jpg")
    Image.new("CMYK", (500, 300), (0, 255, 255, 0)).save(src, "JPEG", quality=95)  # red ink
    settings, site = one_photo_site(tmp_path, src, "cmyk.jpg")
    out = largest(build(settings, site), ".jpg")
    assert out.mode == "RGB"
    r, g, b = out.getpixel((10, 10))
    assert r > 200 and g < 60 and b < 60


def test_alpha_kept_in_webp_and_png_flattened_white_in_jpeg(tmp_path):
    im = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    im.paste((0, 128, 0, 255), (200, 0, 400, 300))
    src = photo_path(tmp_path, "press/x", "logo.png")
    im.save(src)
    settings, site = one_photo_site(tmp_path, src, "logo.png", formats=["webp", "png", "jpeg"])
    result = build(settings, site)
    for suffix in (".webp", ".png"):
        out = largest(result, suffix)
        assert out.mode == "RGBA"
        assert out.getpixel((10, 10))[3] == 0
        assert out.getpixel((390, 10))[3] == 255
    jpeg = largest(result, ".jpg")
    assert jpeg.mode == "RGB"
    assert min(jpeg.getpixel((10, 10))) > 245  # white, not black
    r, g, b = jpeg.getpixel((390, 10))
    assert g > 100 and r < 40


def test_16_bit_grey_keeps_its_tone(tmp_path):
    src = photo_path(tmp_path, "press/x", "deep.png")
    Image.new("I;16", (400, 300), 40000).save(src)  # 61% grey in 16 bits
    settings, site = one_photo_site(tmp_path, src, "deep.png")
    out = largest(build(settings, site), ".jpg")
    value = out.getpixel((50, 50))[0]
    assert 145 <= value <= 165  # 40000 / 256 = 156, not clipped to white


def test_palette_and_animated_gif_use_first_frame(tmp_path):
    src = photo_path(tmp_path, "press/x", "anim.gif")
    red = Image.new("RGB", (300, 200), (255, 0, 0)).convert("P")
    blue = Image.new("RGB", (300, 200), (0, 0, 255)).convert("P")
    red.save(src, save_all=True, append_images=[blue], duration=100, loop=0)
    assert Image.open(src).n_frames == 2
    settings, site = one_photo_site(tmp_path, src, "anim.gif")
    for suffix in (".jpg", ".webp"):
        out = largest(build(settings, site), suffix).convert("RGB")
        r, g, b = out.getpixel((20, 20))
        assert r > 200 and b < 60


def test_palette_png_with_transparency(tmp_path):
    src = photo_path(tmp_path, "press/x", "p.png")
    im = Image.new("P", (300, 200), 0)
    im.putpalette([255, 255, 255, 200, 0, 0] + [0] * 762)
    im.paste(1, (150, 0, 300, 200))
    im.save(src, transparency=0)
    settings, site = one_photo_site(tmp_path, src, "p.png")
    out = largest(build(settings, site), ".webp")
    assert out.mode == "RGBA"
    assert out.getpixel((10, 10))[3] == 0
    assert out.getpixel((290, 10))[:3][0] > 180


def _swapped_profile() -> bytes:
    """An RGB profile whose red and blue primaries are exchanged, not named sRGB."""
    data = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    count = struct.unpack(">I", data[128:132])[0]
    entries = {}
    for i in range(count):
        at = 132 + 12 * i
        entries[bytes(data[at : at + 4])] = at
    for a, b in ((b"rXYZ", b"bXYZ"), (b"rTRC", b"bTRC")):
        ia, ib = entries[a], entries[b]
        data[ia + 4 : ia + 12], data[ib + 4 : ib + 12] = (
            data[ib + 4 : ib + 12],
            data[ia + 4 : ia + 12],
        )
    utf16 = "sRGB".encode("utf-16-be"), "swap".encode("utf-16-be")
    return bytes(data).replace(b"sRGB", b"swap").replace(*utf16)


def test_colour_profile_is_converted_to_srgb_and_not_embedded(tmp_path):
    src = photo_path(tmp_path, "press/x", "wide.jpg")
    Image.new("RGB", (400, 300), (255, 0, 0)).save(src, quality=95, icc_profile=_swapped_profile())
    settings, site = one_photo_site(tmp_path, src, "wide.jpg", formats=["jpeg", "png"])
    result = build(settings, site)
    for suffix in (".jpg", ".png"):
        out = largest(result, suffix)
        r, g, b = out.convert("RGB").getpixel((20, 20))
        assert b > 150 and r < 100, "red in a red/blue-swapped profile is blue in sRGB"
        assert "icc_profile" not in out.info


def test_metadata_is_stripped_but_credit_travels(tmp_path):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    exif[GPS_IFD] = {1: "S", 2: (6.0, 12.0, 30.0), 3: "E", 4: (106.0, 49.0, 0.0)}
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        b'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="6,12.5S"/>'
        b"</rdf:RDF></x:xmpmeta>"
    )
    src = photo_path(tmp_path, "press/x", "gps.jpg")
    Image.new("RGB", (500, 300), (90, 90, 90)).save(
        src, quality=90, exif=exif, xmp=xmp, extra=_app13({(2, 120): b"secret caption"})
    )
    assert Image.open(src).getexif().get_ifd(GPS_IFD)  # the source really has GPS
    settings = image_settings(tmp_path, formats=["webp", "jpeg", "png"])
    site = photo_site(settings, {"press/x": [photo(src, "gps.jpg", credit="Báo Quốc tế")]})
    result = build(settings, site)
    thumbs = [f for f in result.files if not f.path.endswith("-full.jpg")]
    downloads = [f for f in result.files if f.path.endswith("-full.jpg")]
    assert len(thumbs) == 2 * 3 * 2 + 2 * 3  # locales x formats x widths, and crops
    assert len(downloads) == 2  # one full-size download per locale
    for f in downloads:
        data = f.source.read_bytes()
        assert not Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD), f.path
        leaks = (b"SecretCam", b"GPSLatitude", b"Photoshop 3.0")  # the IPTC block is gone
        assert not [leak for leak in leaks if leak in data], f.path
        assert b"secret caption" in data  # the caption the page shows (embedded), as XMP
    for f in thumbs:
        data = f.source.read_bytes()
        out = Image.open(io.BytesIO(data))
        tags = out.getexif()
        assert not tags.get_ifd(GPS_IFD), f.path
        assert set(tags) == {ARTIST, COPYRIGHT}, f.path
        assert tags[ARTIST].encode("latin-1").decode("utf-8") == "Báo Quốc tế"
        assert tags[COPYRIGHT].encode("latin-1").decode("utf-8") == "© Báo Quốc tế"
        leaks = (b"SecretCam", b"GPSLatitude", b"ns.adobe.com/xap", b"Photoshop 3.0", b"secret")
        assert not [leak for leak in leaks if leak in data], f.path


def test_no_credit_means_no_exif_at_all(tmp_path):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    src = save_jpeg(photo_path(tmp_path, "press/x", "n.jpg"), exif=exif)
    settings = image_settings(tmp_path)
    site = photo_site(settings, {"press/x": [photo(src, "n.jpg", caption="x")]})
    for f in build(settings, site).files:
        if not f.path.endswith("-full.jpg"):  # a download carries its caption
            assert not Image.open(f.source).getexif(), f.path


def test_truncated_photo_is_an_error_not_a_traceback(tmp_path):
    src = photo_path(tmp_path, "press/x", "cut.jpg")
    Image.effect_noise((600, 400), 60).convert("RGB").save(src, quality=90)
    data = src.read_bytes()
    src.write_bytes(data[: len(data) // 2])  # header intact, half the pixels gone
    settings, site = one_photo_site(tmp_path, src, "cut.jpg")
    plan = images.plan(site, settings)  # the header reads fine
    with pytest.raises(ImageError) as caught:
        images.process(plan, settings, jobs=1)
    text = caught.value.format()
    assert "'cut.jpg'" in text and "index.id.md:7" in text


# --------------------------------------------------------------------------- embedded metadata


def _app13(datasets: dict[tuple[int, int], bytes]) -> bytes:
    """A JPEG APP13 segment holding IPTC datasets, as photo desks write it."""
    iptc = b"".join(
        b"\x1c" + bytes([rec, ds]) + struct.pack(">H", len(v)) + v
        for (rec, ds), v in datasets.items()
    )
    if len(iptc) % 2:
        iptc += b"\x00"
    payload = b"Photoshop 3.0\x00" + b"8BIM" + b"\x04\x04" + b"\x00\x00"
    payload += struct.pack(">I", len(iptc)) + iptc
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def test_iptc_caption_and_credit_fill_what_front_matter_left_out(tmp_path):
    src = photo_path(tmp_path, "press/x", "desk.jpg")
    iptc = {
        (1, 90): b"\x1b%G",
        (2, 120): "Wakil Menteri di Bangkok, Thái Lan".encode(),
        (2, 80): b"Bao Chi",
    }
    save_jpeg(src, extra=_app13(iptc))
    assert imagereading.read_embedded_metadata(src) == (
        "Wakil Menteri di Bangkok, Thái Lan",
        "Bao Chi",
    )
    settings = image_settings(tmp_path)
    site = photo_site(settings, {"press/x": [photo(src, "desk.jpg", caption="Own caption")]})
    plan = images.plan(site, settings)
    pi = plan.for_page(site.translations()[0])["desk.jpg"]
    assert pi.photo.caption == "Own caption"  # front matter wins
    assert pi.photo.credit == "Bao Chi"
    assert plan.uncredited == ()
    result = images.process(plan, settings, jobs=1)
    assert Image.open(result.files[0].source).getexif()[ARTIST] == "Bao Chi"


def test_xmp_caption_and_credit(tmp_path):
    xmp = """<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" photoshop:Credit="Kantor Berita">
<dc:description><rdf:Alt><rdf:li xml:lang="x-default">Phó Thủ tướng phát biểu</rdf:li></rdf:Alt>
</dc:description><dc:creator><rdf:Seq><rdf:li>Nguyễn Văn A</rdf:li></rdf:Seq></dc:creator>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>""".encode()
    src = save_jpeg(photo_path(tmp_path, "press/x", "x.jpg"), xmp=xmp)
    assert images.read_embedded_metadata(src) == ("Phó Thủ tướng phát biểu", "Kantor Berita")


def test_photos_with_neither_caption_nor_credit_are_listed(tmp_path):
    bare = save_jpeg(photo_path(tmp_path, "press/x", "bare.jpg"))
    named = save_jpeg(photo_path(tmp_path, "press/x", "named.jpg"))
    settings = image_settings(tmp_path)
    site = photo_site(
        settings, {"press/x": [photo(bare, "bare.jpg"), photo(named, "named.jpg", credit="A")]}
    )
    plan = images.plan(site, settings)
    listed = [(u.doc.locale, u.photo.src) for u in plan.uncredited]
    assert listed == [("id", "bare.jpg"), ("en", "bare.jpg")]
    assert str(plan.uncredited[0]).endswith("press/x/index.id.md:7: bare.jpg")


# --------------------------------------------------------------------------- cache


def save_textured(path: Path, tint: int) -> Path:
    """A photo with detail, so that encoder quality shows in file sizes."""
    noise = Image.effect_noise((600, 400), 50)
    Image.merge("RGB", (noise.point(lambda v: (v + tint) % 256), noise, noise)).save(path)
    return path


def make_three(tmp_path: Path, **opts: object) -> tuple[Settings, Site, list[Path]]:
    paths = [save_textured(photo_path(tmp_path, "press/x", f"{i}.jpg"), 60 * i) for i in range(3)]
    settings = image_settings(tmp_path, **opts)
    site = photo_site(settings, {"press/x": [photo(p, p.name, credit="C") for p in paths]})
    return settings, site, paths


def test_cold_build_decodes_each_photo_once(tmp_path):
    settings, site, paths = make_three(tmp_path)
    result = build(settings, site)
    assert (result.processed, result.cached) == (3, 0)
    variants = 3 * 2 * 2 * 2  # photos x locales x formats x widths
    crops = 3 * 2 * 3  # photos x locales x aspect ratios
    downloads = 3 * 2  # photos x locales
    assert len(result.files) == variants + crops + downloads
    assert all(f.source.is_file() for f in result.files)
    assert all(images.cache_folder(settings) in f.source.parents for f in result.files)


def test_rebuild_with_nothing_changed_decodes_nothing(tmp_path, monkeypatch):
    settings, site, _ = make_three(tmp_path)
    first = build(settings, site)
    monkeypatch.setattr(imageindex, "probe", _fail)  # headers come from the index
    monkeypatch.setattr(imagework, "run_job", _fail)  # no job is even sent
    again = build(settings, site)
    assert (again.processed, again.cached, again.pruned) == (0, 3, 0)
    assert again.files == first.files


def _fail(*args: object, **kwargs: object) -> None:
    raise AssertionError("should not be called")


def test_one_changed_photo_is_the_only_one_decoded(tmp_path):
    settings, site, paths = make_three(tmp_path)
    first = build(settings, site)
    save_textured(paths[1], 99)
    again = build(settings, site)
    assert (again.processed, again.cached) == (1, 2)
    changed = {f.path: f.source for f in again.files if "/1-" in f.path}
    before = {f.path: f.source for f in first.files if "/1-" in f.path}
    assert changed.keys() == before.keys()
    assert all(changed[k] != before[k] for k in changed)
    assert again.pruned == len(set(before.values()))  # the old variants of photo 1


def test_touched_but_identical_photo_is_rehashed_not_decoded(tmp_path):
    settings, site, paths = make_three(tmp_path)
    build(settings, site)
    st = paths[0].stat()
    os.utime(paths[0], ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    again = build(settings, site)
    assert (again.processed, again.cached) == (0, 3)


def test_quality_change_re_renders_and_prunes_old_variants(tmp_path):
    settings, site, _ = make_three(tmp_path)
    first = build(settings, site)
    sizes = {f.path: f.source.stat().st_size for f in first.files}
    settings2 = image_settings(tmp_path, quality=40)
    second = build(settings2, photo_site(settings2, {"press/x": site.translations()[0].photos}))
    assert second.processed == 3
    assert {f.path for f in second.files} == {f.path for f in first.files}
    # a download keeps the photo's own data: the thumbnails' quality does not change it
    thumbs = {f.source for f in first.files if not f.path.endswith("-full.jpg")}
    assert second.pruned == len(thumbs)
    assert not any(path.exists() for path in thumbs)
    assert all(f.source.stat().st_size < sizes[f.path] for f in second.files if "-400." in f.path)


def test_removed_photo_is_pruned_from_the_cache(tmp_path):
    settings, site, paths = make_three(tmp_path)
    first = build(settings, site)
    fewer = photo_site(settings, {"press/x": [photo(p, p.name, credit="C") for p in paths[:2]]})
    again = build(settings, fewer)
    gone = {f.source for f in first.files if "/2-" in f.path}
    assert again.pruned == len(gone) and not any(p.exists() for p in gone)
    assert all(f.source.exists() for f in again.files)


def test_a_killed_write_leaves_nothing_a_later_build_trusts(tmp_path, monkeypatch):
    settings, site, _ = make_three(tmp_path)

    def killed(src: object, dst: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", killed)  # the rename of every atomic write
    with pytest.raises(KeyboardInterrupt):
        build(settings, site)
    monkeypatch.undo()
    root = images.cache_folder(settings)
    assert not [p for p in root.rglob("*") if p.is_file()]  # no variant, no temp left
    result = build(settings, site)
    assert result.processed == 3
    for f in result.files:
        Image.open(f.source).load()


def test_stale_temp_files_are_pruned(tmp_path):
    settings, site, _ = make_three(tmp_path)
    build(settings, site)
    root = images.cache_folder(settings)
    junk = root / "ab" / ".half.jpg.123.tmp"
    junk.parent.mkdir(parents=True, exist_ok=True)
    junk.write_bytes(b"half")
    os.utime(junk, (0, 0))
    assert build(settings, site).pruned == 1 and not junk.exists()


def test_any_executor_gives_identical_bytes(tmp_path):
    settings, site, _ = make_three(tmp_path)
    plan = images.plan(site, settings)
    pooled = images.process(plan, settings, jobs=2)  # the default process pool
    assert pooled.processed == 3
    made = {f.path: f.source.read_bytes() for f in pooled.files}
    for source in {f.source for f in pooled.files}:
        source.unlink()
    with ThreadPoolExecutor(max_workers=2) as pool:
        threaded = images.process(plan, settings, executor=pool)
    assert threaded.processed == 3
    assert {f.path: f.source.read_bytes() for f in threaded.files} == made


def test_errors_raised_from_process_are_presssite_errors(tmp_path):
    settings, site, paths = make_three(tmp_path)
    plan = images.plan(site, settings)
    paths[2].write_bytes(paths[2].read_bytes()[:300])
    with pytest.raises(PresssiteError) as caught:
        images.process(plan, settings, jobs=1)
    assert "2.jpg" in caught.value.format()
    # the good photos were kept: the next build decodes only the broken one
    save_textured(paths[2], 7)
    assert build(settings, site).processed == 1


def test_locales_with_different_credits_share_one_decode(tmp_path):
    src = save_textured(photo_path(tmp_path, "press/x", "p.jpg"), 0)
    settings = image_settings(tmp_path)
    site = photo_site(settings, {"press/x": [photo(src, "p.jpg", credit="Kantor Berita")]})
    en = site.bundles["press/x"].translations["en"]
    en_photos = (photo(src, "p.jpg", credit="News Agency"),)
    site.bundles["press/x"].translations["en"] = dataclasses.replace(en, photos=en_photos)
    result = build(settings, site)
    assert result.processed == 1
    for f in result.files:
        wanted = "News Agency" if f.path.startswith("en/") else "Kantor Berita"
        assert Image.open(f.source).getexif()[ARTIST] == wanted, f.path


def test_avif_output(tmp_path):
    src = save_textured(photo_path(tmp_path, "press/x", "a.jpg"), 0)
    settings, site = one_photo_site(tmp_path, src, "a.jpg", formats=["avif", "jpeg"])
    result = build(settings, site)
    avif = outputs(result, ".avif")
    assert {Image.open(p).format for p in avif} == {"AVIF"}
    assert {Image.open(p).size for p in avif} == {(200, 133), (400, 267)}


def test_progress_stays_quiet_when_stderr_is_not_a_terminal(tmp_path, capsys):
    settings, site, _ = make_three(tmp_path)
    images.process(images.plan(site, settings), settings, jobs=1, progress=True)
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


def test_jobs_are_plain_picklable_data(tmp_path):
    settings, site, _ = make_three(tmp_path)
    plan = images.plan(site, settings)
    info = next(iter(plan.sources.values()))
    job = imagework.Job(
        path=str(info.path),
        width=info.width,
        height=info.height,
        orientation=info.orientation,
        largest=(400, 267),
        specs=(
            imagework.Spec(200, 133, "webp", "C"),
            imagework.Spec(267, 267, "jpeg", "C", (1, 1)),
        ),
        quality=80,
        max_pixels=10**8,
        cache_root=str(tmp_path / "c"),
    )
    outcome = pickle.loads(pickle.dumps(imagework.run_job))(pickle.loads(pickle.dumps(job)))
    assert outcome.decoded and not outcome.error
    assert pickle.loads(pickle.dumps(outcome)) == outcome


# --------------------------------------------------------------------------- crops


@pytest.mark.parametrize(
    ("size", "ratio", "box"),
    [
        ((1600, 1067), (16, 9), (0, 83, 1600, 983)),
        ((1600, 1067), (4, 3), (89, 0, 1511, 1066)),
        ((1600, 1067), (1, 1), (266, 0, 1333, 1067)),
        ((1067, 1600), (16, 9), (0, 500, 1067, 1100)),
        ((480, 270), (16, 9), (0, 0, 480, 270)),
    ],
    ids=["3:2-to-16:9", "3:2-to-4:3", "3:2-to-1:1", "portrait-to-16:9", "already-16:9"],
)
def test_crop_rect(size, ratio, box):
    assert crop_rect(*size, ratio) == box
    left, top, right, bottom = box
    assert (right - left) * ratio[1] == pytest.approx((bottom - top) * ratio[0], abs=ratio[0])


def test_first_three_gallery_photos_get_structured_data_crops(tmp_path):
    paths = [save_textured(photo_path(tmp_path, "press/x", f"{i}.jpg"), 9 * i) for i in range(5)]
    settings = image_settings(tmp_path)
    inline = Photo(src="0.jpg", path=paths[0], in_gallery=False, credit="C")
    gallery = [photo(p, p.name, credit="C") for p in paths[1:]]
    site = photo_site(settings, {"press/x": [*gallery, inline]})
    plan = images.plan(site, settings)
    crops = plan.crops_for_page(site.translations()[0])
    assert [(c.photo.src, c.ratio) for c in crops] == [
        (src, ratio) for src in ("1.jpg", "2.jpg", "3.jpg") for ratio in ((16, 9), (4, 3), (1, 1))
    ]
    assert crops[0].variant.url == "/portal/id/press/x/1-16x9.jpg"
    result = images.process(plan, settings, jobs=1)
    by_path = {f.path: f.source for f in result.files}
    for crop in crops:
        made = Image.open(by_path[crop.variant.output])
        assert made.size == (crop.variant.width, crop.variant.height)
        assert made.width * crop.ratio[1] == pytest.approx(
            made.height * crop.ratio[0], abs=crop.ratio[0]
        )
        assert made.getexif()[ARTIST] == "C"


def test_crops_are_centred(tmp_path):
    im = Image.new("RGB", (900, 400), (0, 0, 255))
    im.paste((255, 0, 0), (250, 0, 650, 400))  # a red square in the middle, blue sides
    src = photo_path(tmp_path, "press/x", "c.png")
    im.save(src)
    settings, site = one_photo_site(tmp_path, src, "c.png")
    plan = images.plan(site, settings)
    square = [c for c in plan.crops_for_page(site.translations()[0]) if c.ratio == (1, 1)][0]
    result = images.process(plan, settings, jobs=1)
    made = Image.open({f.path: f.source for f in result.files}[square.variant.output])
    assert made.size == (178, 178)  # as high as the largest variant, 400x178
    for xy in ((1, 1), (176, 176), (89, 89)):
        r, g, b = made.convert("RGB").getpixel(xy)
        assert r > 200 and b < 60, xy


def test_a_variant_remade_alone_has_the_same_bytes(tmp_path):
    settings, site, _ = make_three(tmp_path)
    first = build(settings, site)
    for suffix in ("/0-200.jpg", "/0-1x1.jpg"):
        lost = [f.source for f in first.files if f.path.endswith(suffix)][0]
        original = lost.read_bytes()
        lost.unlink()
        again = build(settings, site)
        assert (again.processed, again.cached) == (1, 2)
        assert lost.read_bytes() == original, suffix


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a size in its header and has no pixels: a decompression bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"") + chunk(b"IEND", b"")


@pytest.mark.parametrize("side", [12_000, 30_000], ids=["over-max-pixels", "over-pillow-limit"])
def test_huge_header_is_refused_with_the_default_limit(tmp_path, side):
    src = photo_path(tmp_path, "press/x", "bomb.png")
    src.write_bytes(_png_header_only(side, side))
    settings, site = one_photo_site(tmp_path, src, "bomb.png")
    with pytest.raises(ImageError) as caught:
        images.plan(site, settings)
    text = caught.value.format()
    assert "'bomb.png'" in text and ("max_pixels" in text or "decompression bomb" in text)
