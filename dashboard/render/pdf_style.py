"""The PDF's look: its font, page layout, colours and heading styles (NHS colours; millimetres
unless named _PT, points)."""

FONT = "dejavu"  # fpdf2's name for the bundled family
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
CREATOR = "Digital strategy engagement dashboard"
LANGUAGE = "en-GB"
SYNTHETIC_KEY = "Synthetic data"
BUILT_KEY = "Data built"

# Layout, in millimetres unless named _PT (points) or _PX (CSS pixels, drawn as points).
MARGIN = 15
TOP_MARGIN = 16
BOTTOM_MARGIN = 16
GAP = 4  # after a block
TEXT_PT = 10
TILES_PER_ROW = 4

NHS_BLUE = (0, 94, 184)
TEXT_COLOUR = (33, 43, 50)
GREY = (66, 85, 99)
PALE = (240, 244, 245)
STRIPE = (248, 250, 250)
RULE = (174, 183, 189)
WARNING = (174, 37, 28)

# Headings, levels 1, 2 and 3: size (pt), colour, space above and below (mm).
HEADING_STYLES = ((14, NHS_BLUE, 3, 2), (12, TEXT_COLOUR, 2, 1.5), (10.5, TEXT_COLOUR, 1.5, 1))
