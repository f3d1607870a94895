"""Generates the shelf test set: a catalogue of invented products and photos of shelves holding
four packs each, with the ground truth (which product stands where).

Deterministic (seeded random, fixed fonts, fixed JPEG settings). Run through
scripts/render-image-fixtures.sh, which pins Pillow; writes Tests/ShelfTests/Fixtures.
"""
import csv
import json
import math
import random
import sys
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

OUT = Path(__file__).resolve().parent.parent / "Tests" / "ShelfTests" / "Fixtures"
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONTS = ["DejaVuSans-Bold.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSansCondensed-Bold.ttf", "DejaVuSans.ttf", "DejaVuSerif.ttf"]
SEED = 20261127
PHOTOS = 10
PACKS_PER_PHOTO = 4
PHOTO_SIZE = (1280, 560)
PACK_SIZE = (270, 400)

# (product type, category, nutrition per 100 g or ml, ingredients)
TYPES = {
    "Classic Cola": ("beverage", dict(energy_kcal=42, sugars_g=10.6, fat_g=0, saturated_fat_g=0, salt_g=0, fibre_g=0, protein_g=0, fruits_vegetables_legumes_percent=0),
                     "carbonated water, sugar, colour (caramel E150d), natural flavourings, caffeine"),
    "Diet Lemonade": ("beverage", dict(energy_kcal=2, sugars_g=0, fat_g=0, saturated_fat_g=0, salt_g=0.02, fibre_g=0, protein_g=0, fruits_vegetables_legumes_percent=3),
                      "carbonated water, lemon juice, citric acid, sweetener (sucralose), flavourings"),
    "Orange Juice": ("beverage", dict(energy_kcal=45, sugars_g=8.8, fat_g=0.1, saturated_fat_g=0, salt_g=0, fibre_g=0.4, protein_g=0.7, fruits_vegetables_legumes_percent=100),
                     "orange juice"),
    "Still Spring Water": ("water", dict(energy_kcal=0, sugars_g=0, fat_g=0, saturated_fat_g=0, salt_g=0, fibre_g=0, protein_g=0, fruits_vegetables_legumes_percent=0),
                           "natural spring water"),
    "Crunchy Oat Granola": ("general", dict(energy_kcal=450, sugars_g=22, fat_g=15, saturated_fat_g=3.5, salt_g=0.3, fibre_g=7, protein_g=9, fruits_vegetables_legumes_percent=5),
                            "oat flakes, sugar, sunflower oil, honey, dried apple, salt"),
    "Porridge Oats": ("general", dict(energy_kcal=375, sugars_g=1.1, fat_g=8, saturated_fat_g=1.5, salt_g=0.01, fibre_g=9, protein_g=11, fruits_vegetables_legumes_percent=0),
                      "wholegrain oats"),
    "Salted Crisps": ("general", dict(energy_kcal=536, sugars_g=0.5, fat_g=34, saturated_fat_g=3, salt_g=1.3, fibre_g=4.5, protein_g=6.5, fruits_vegetables_legumes_percent=0),
                      "potatoes, sunflower oil, salt"),
    "Butter Biscuits": ("general", dict(energy_kcal=490, sugars_g=24, fat_g=22, saturated_fat_g=13, salt_g=0.8, fibre_g=2, protein_g=6, fruits_vegetables_legumes_percent=0),
                        "wheat flour, butter, sugar, glucose syrup, raising agent, salt, flavouring"),
    "Greek Yoghurt": ("general", dict(energy_kcal=97, sugars_g=3.6, fat_g=5, saturated_fat_g=3.2, salt_g=0.1, fibre_g=0, protein_g=9, fruits_vegetables_legumes_percent=0),
                      "milk, cream, live cultures"),
    "Wholegrain Crackers": ("general", dict(energy_kcal=420, sugars_g=2.5, fat_g=10, saturated_fat_g=1.2, salt_g=1.1, fibre_g=10, protein_g=11, fruits_vegetables_legumes_percent=0),
                            "wholegrain wheat flour, rapeseed oil, salt, yeast"),
    "Strawberry Jam": ("general", dict(energy_kcal=250, sugars_g=60, fat_g=0.1, saturated_fat_g=0, salt_g=0.05, fibre_g=1, protein_g=0.4, fruits_vegetables_legumes_percent=35),
                       "sugar, strawberries, gelling agent (pectin), citric acid"),
    "Lentil Soup": ("general", dict(energy_kcal=60, sugars_g=1.5, fat_g=1, saturated_fat_g=0.1, salt_g=0.6, fibre_g=2.5, protein_g=3.5, fruits_vegetables_legumes_percent=60),
                    "water, lentils, carrots, onions, tomato, rapeseed oil, salt, spices"),
    "Olive Oil": ("fat", dict(energy_kcal=824, sugars_g=0, fat_g=91.6, saturated_fat_g=14, salt_g=0, fibre_g=0, protein_g=0, fruits_vegetables_legumes_percent=100),
                  "extra virgin olive oil"),
    "Roasted Peanuts": ("fat", dict(energy_kcal=610, sugars_g=4.5, fat_g=50, saturated_fat_g=7, salt_g=1.2, fibre_g=8, protein_g=26, fruits_vegetables_legumes_percent=0),
                        "peanuts, sunflower oil, salt"),
    "Mature Cheddar": ("cheese", dict(energy_kcal=416, sugars_g=0.1, fat_g=34.9, saturated_fat_g=21.7, salt_g=1.8, fibre_g=0, protein_g=25.4, fruits_vegetables_legumes_percent=0),
                       "cow's milk, salt, starter cultures, rennet"),
    "Dark Chocolate": ("general", dict(energy_kcal=580, sugars_g=29, fat_g=42, saturated_fat_g=25, salt_g=0.02, fibre_g=11, protein_g=9, fruits_vegetables_legumes_percent=0),
                       "cocoa mass, sugar, cocoa butter, emulsifier (soya lecithin), vanilla"),
}
BRANDS = ["Alpenhof", "Brightfield", "Corvana", "Dunmore", "Elmstead", "Fenwick", "Glenholm", "Harwood"]
PALETTE = [(250, 236, 200), (214, 234, 248), (226, 244, 214), (250, 222, 222), (236, 226, 248), (255, 245, 214), (220, 240, 238)]


def ean13(seed_digits):
    """A valid EAN-13 from 12 digits (GS1 check digit: weights 1, 3 alternating)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(seed_digits))
    return seed_digits + str((10 - total % 10) % 10)


def catalogue(rng):
    products = []
    names = list(TYPES)
    for index in range(32):
        kind = names[index % len(names)]
        brand = BRANDS[(index * 3 + index // len(names)) % len(BRANDS)]
        category, nutrition, ingredients = TYPES[kind]
        # Same product type, other brand: other recipe (values moved by up to a third).
        varied = {k: (round(v * rng.uniform(0.7, 1.3), 1) if k != "fruits_vegetables_legumes_percent" else v)
                  for k, v in nutrition.items()}
        # Keep the label possible: at most 100 g of macronutrients in 100 g, 900 kcal.
        mass = sum(varied[k] for k in ("fat_g", "sugars_g", "protein_g", "fibre_g"))
        if mass > 99:
            for k in ("fat_g", "saturated_fat_g", "sugars_g", "protein_g", "fibre_g"):
                varied[k] = round(varied[k] * 99 / mass, 1)
        varied["energy_kcal"] = min(varied["energy_kcal"], 900)
        varied["saturated_fat_g"] = min(varied["saturated_fat_g"], varied["fat_g"])
        barcode = ean13("40" + f"{rng.randrange(10**10):010d}")
        products.append(dict(barcode=barcode, name=kind, brand=brand, category=category, nutrition=varied,
                             ingredients=ingredients, price=round(rng.uniform(0.6, 6.5), 2),
                             image=f"https://images.example/{barcode}.jpg"))
    return products


def fit_font(text, font_file, size, width):
    font = ImageFont.truetype(str(FONT_DIR / font_file), size)
    while font.getlength(text) > width and size > 14:
        size -= 2
        font = ImageFont.truetype(str(FONT_DIR / font_file), size)
    return font


def pack(product, rng, show_barcode):
    w, h = PACK_SIZE
    img = Image.new("RGB", (w, h), PALETTE[rng.randrange(len(PALETTE))])
    draw = ImageDraw.Draw(img)
    draw.rectangle([0, 0, w - 1, h - 1], outline=(90, 90, 90), width=3)
    y = 30
    brand_font = fit_font(product["brand"].upper(), rng.choice(FONTS[:3]), rng.randrange(30, 40), w - 30)
    draw.text((w // 2, y), product["brand"].upper(), fill=(20, 20, 20), font=brand_font, anchor="mt")
    y += 70
    name_font_file = rng.choice(FONTS)
    for word_line in wrap(product["name"]):
        font = fit_font(word_line, name_font_file, rng.randrange(24, 32), w - 30)
        draw.text((w // 2, y), word_line, fill=(30, 30, 60), font=font, anchor="mt")
        y += 42
    if show_barcode:
        small = ImageFont.truetype(str(FONT_DIR / "DejaVuSansMono.ttf"), 18)
        draw.text((w // 2, h - 40), product["barcode"], fill=(0, 0, 0), font=small, anchor="mt")
    return img


def wrap(name):
    words = name.split()
    if len(words) <= 2:
        return [name]
    return [" ".join(words[:2]), " ".join(words[2:])]


def shelf_photo(products, rng):
    width, height = PHOTO_SIZE
    photo = Image.new("RGB", PHOTO_SIZE, (120, 110, 100))
    draw = ImageDraw.Draw(photo)
    draw.rectangle([0, height - 70, width, height], fill=(80, 70, 60))  # the shelf board
    placements = []
    slot = width // PACKS_PER_PHOTO
    for index, product in enumerate(products):
        img = pack(product, rng, show_barcode=rng.random() < 0.5)
        angle = rng.uniform(-3, 3)
        rotated = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(120, 110, 100))
        x = index * slot + (slot - rotated.width) // 2 + rng.randrange(-10, 11)
        y = height - 70 - rotated.height + rng.randrange(0, 10)
        photo.paste(rotated, (x, y))
        placements.append(dict(barcode=product["barcode"], box=[x, y, rotated.width, rotated.height]))
    # Lighting: brighter on one side, darker on the other (a window, a lamp).
    left, right = rng.uniform(0.85, 1.05), rng.uniform(0.85, 1.05)
    light = Image.linear_gradient("L").rotate(90).resize(PHOTO_SIZE)
    shade = light.point(lambda v: int(255 * (left + (right - left) * v / 255) / 1.05))
    photo = Image.composite(photo, Image.new("RGB", PHOTO_SIZE, 0), shade.convert("L"))
    # Sensor noise: seeded, +-8 levels.
    noise = Image.frombytes("L", PHOTO_SIZE, bytes(rng.randrange(112, 145) for _ in range(width * height)))
    photo = Image.blend(photo, Image.merge("RGB", (noise, noise, noise)), 0.12)
    photo = photo.filter(ImageFilter.GaussianBlur(0.6))
    return photo, placements


def main():
    rng = random.Random(SEED)
    OUT.mkdir(parents=True, exist_ok=True)
    products = catalogue(rng)
    with open(OUT / "catalogue.jsonl", "w") as f:
        for product in products:
            f.write(json.dumps(product) + "\n")
    nutrient_keys = list(products[0]["nutrition"])
    with open(OUT / "catalogue.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["barcode", "name", "brand", "category", *nutrient_keys, "ingredients", "price", "image"])
        for p in products:
            writer.writerow([p["barcode"], p["name"], p["brand"], p["category"],
                             *[p["nutrition"][k] for k in nutrient_keys], p["ingredients"], p["price"], p["image"]])
    truth = []
    for number in range(1, PHOTOS + 1):
        chosen = rng.sample(products, PACKS_PER_PHOTO)
        photo, placements = shelf_photo(chosen, rng)
        name = f"shelf-{number:02d}.jpg"
        photo.save(OUT / name, quality=82)
        truth.append(dict(photo=name, products=placements))
    (OUT / "shelf-truth.json").write_text(json.dumps(truth, indent=1) + "\n")


if __name__ == "__main__":
    sys.exit(main())
