"""Writes the image fixtures for Tests/ImagingTests (see scripts/render-image-fixtures.sh).

Every fixture is deterministic: fixed pixel patterns, fixed fonts, fixed encoder settings.
"""
import io
import struct
import sys
import zlib
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent.parent / "Tests" / "ImagingTests" / "Fixtures"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def pattern(width, height):
    """R = 40*x, G = 30*y, B = 200 - 10*(x+y): every pixel distinct, easy to recompute in Swift."""
    img = Image.new("RGB", (width, height))
    img.putdata([(40 * x, 30 * y, 200 - 10 * (x + y)) for y in range(height) for x in range(width)])
    return img


def quadrants(width, height):
    """Four flat quadrants (red, green / blue, white): survives JPEG, shows any rotation or flip."""
    img = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(img)
    hw, hh = width // 2, height // 2
    draw.rectangle([0, 0, hw - 1, hh - 1], fill=(255, 0, 0))
    draw.rectangle([hw, 0, width - 1, hh - 1], fill=(0, 255, 0))
    draw.rectangle([0, hh, hw - 1, height - 1], fill=(0, 0, 255))
    draw.rectangle([hw, hh, width - 1, height - 1], fill=(255, 255, 255))
    return img


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def huge_png():
    """A valid-looking 100,000 x 100,000 PNG header with one tiny IDAT: a decompression bomb's shape."""
    ihdr = struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 16)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def huge_jpeg(small):
    """A real small JPEG whose SOF0 frame header claims 60,000 x 60,000 pixels."""
    data = bytearray(small)
    i = 2
    while i < len(data):
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2:i + 4])[0]
        if marker == 0xC0:
            data[i + 5:i + 9] = struct.pack(">HH", 60_000, 60_000)
            return bytes(data)
        i += 2 + length
    raise SystemExit("no SOF0 in the JPEG")


def jpeg_bytes(img, **options):
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", quality=95, subsampling=0, **options)
    return buffer.getvalue()


def label(lines, path, size=28):
    """A nutrition label: black text on white, one line per entry, DejaVu Sans."""
    font = ImageFont.truetype(str(FONT_DIR / "DejaVuSans.ttf"), size)
    line_height = int(size * 1.6)
    width = max(int(font.getlength(text)) for text in lines) + 2 * size
    img = Image.new("RGB", (width, line_height * len(lines) + size), "white")
    draw = ImageDraw.Draw(img)
    for i, text in enumerate(lines):
        draw.text((size, size // 2 + i * line_height), text, fill="black", font=font)
    img.save(path, optimize=False)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    p = pattern(6, 4)
    p.save(OUT / "pattern.png")
    p.save(OUT / "pattern.webp", lossless=True)
    (OUT / "pattern.jpg").write_bytes(jpeg_bytes(quadrants(32, 16)))
    p.convert("L").save(OUT / "pattern-gray.png")
    quadrants(32, 16).convert("L").save(OUT / "gray.jpg", quality=95)

    rgba = Image.new("RGBA", (2, 1))
    rgba.putdata([(255, 0, 0, 255), (0, 0, 255, 128)])
    rgba.save(OUT / "alpha.png")
    rgba.save(OUT / "alpha.webp", lossless=True)
    quadrants(32, 16).convert("CMYK").save(OUT / "cmyk.jpg", quality=95)
    quadrants(32, 16).save(OUT / "progressive.jpg", quality=95, subsampling=0, progressive=True)

    # Stored sideways: the viewer must rotate 90 degrees clockwise (orientation 6) to see the
    # upright 32x16 quadrants; orientation 3 is stored upside down.
    upright = quadrants(32, 16)
    for value, stored in ((6, upright.transpose(Image.Transpose.ROTATE_90)),
                          (3, upright.transpose(Image.Transpose.ROTATE_180))):
        exif = Image.Exif()
        exif[0x0112] = value
        (OUT / f"orientation-{value}.jpg").write_bytes(jpeg_bytes(stored, exif=exif.tobytes()))

    (OUT / "huge-dimensions.png").write_bytes(huge_png())
    (OUT / "huge-dimensions.jpg").write_bytes(huge_jpeg(jpeg_bytes(quadrants(32, 16))))

    label(["Nutrition Facts", "Energy 520 kcal", "Fat 31g", "Sugars 12.5g", "Salt 0.8g"],
          OUT / "nutrition-label.png")


if __name__ == "__main__":
    sys.exit(main())
