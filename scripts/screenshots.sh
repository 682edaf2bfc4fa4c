#!/usr/bin/env bash
# Makes the pictures of README.md and the guide, reproducibly, from the bundled captures:
#   docs/src/images/view.png     `wirelab view captures/tcp-handshake.pcapng` in a 100×34 tmux
#                                terminal (frame 3, TCP open, Sequence Number selected), taken with
#                                `tmux capture-pane -e` and drawn as PNG by Python Pillow in
#                                DejaVu Sans Mono (Debian: python3-pil, fonts-dejavu-core)
#   docs/src/images/stevens.png  `wirelab graph captures/tcp-analysis.pcapng --stream 0 --kind stevens`
# Usage: scripts/screenshots.sh   (uses target/release/wirelab, or $WIRELAB). Not run in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
wirelab=${WIRELAB:-target/release/wirelab}
[ -x "$wirelab" ] || cargo build --release
out=docs/src/images
mkdir -p "$out"
font=/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf
[ -r "$font" ] || { echo "screenshots: needs $font (apt install fonts-dejavu-core)" >&2; exit 1; }
python3 -c 'import PIL' 2>/dev/null || { echo "screenshots: needs Pillow (apt install python3-pil)" >&2; exit 1; }

# The graph: wirelab draws the PNG itself.
"$wirelab" graph captures/tcp-analysis.pcapng --stream 0 --kind stevens -o "$out/stevens.png" --force

# The view, in a tmux server of its own (removed on exit).
sock="wirelab-shots-$$"
ansi=$(mktemp)
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -f "$ansi"' EXIT
tmux -L "$sock" -f /dev/null new-session -d -s shot -x 100 -y 34 \
    "env TERM=xterm-256color COLORTERM=truecolor $wirelab view captures/tcp-handshake.pcapng; sleep 5"
sleep 1.5
# Frame 3 (the SYN), the details pane, the TCP layer opened, its Sequence Number selected.
for k in j j Tab Down Down Down Enter Down Down Down Down Down; do
    tmux -L "$sock" send-keys -t shot "$k"
    sleep 0.15
done
sleep 0.5
tmux -L "$sock" capture-pane -e -p -t shot >"$ansi"
tmux -L "$sock" send-keys -t shot q

python3 - "$ansi" "$out/view.png" "$font" <<'PY'
"""Draws tmux's `capture-pane -e` output (text with SGR escapes) as a PNG terminal."""
import re, sys
from PIL import Image, ImageDraw, ImageFont

src, dst, font_path = sys.argv[1:4]
font = ImageFont.truetype(font_path, 15)
bold = ImageFont.truetype(font_path.replace("Mono.ttf", "Mono-Bold.ttf"), 15)
cw = round(font.getlength("M"))
ch = 19
FG, BG = (0xd0, 0xd0, 0xd0), (0x1c, 0x1c, 0x1c)
BASIC = [(0, 0, 0), (205, 49, 49), (13, 188, 121), (229, 229, 16), (36, 114, 200),
         (188, 63, 188), (17, 168, 205), (229, 229, 229), (102, 102, 102), (241, 76, 76),
         (35, 209, 139), (245, 245, 67), (59, 142, 234), (214, 112, 214), (41, 184, 219),
         (255, 255, 255)]

def xterm256(n):
    if n < 16:
        return BASIC[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return (steps[n // 36], steps[n // 6 % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return (v, v, v)

lines = open(src, encoding="utf-8", errors="replace").read().rstrip("\n").split("\n")
cols = max(100, max(len(re.sub(r"\x1b\[[0-9;]*m", "", l)) for l in lines))
pad = 12
img = Image.new("RGB", (cols * cw + 2 * pad, len(lines) * ch + 2 * pad), BG)
draw = ImageDraw.Draw(img)
for row, line in enumerate(lines):
    fg, bg, is_bold, rev = None, None, False, False
    x = 0
    for token in re.split(r"(\x1b\[[0-9;]*m)", line):
        if token.startswith("\x1b["):
            codes = [int(c) if c else 0 for c in token[2:-1].split(";")]
            i = 0
            while i < len(codes):
                c = codes[i]
                if c == 0:
                    fg, bg, is_bold, rev = None, None, False, False
                elif c == 1:
                    is_bold = True
                elif c == 22:
                    is_bold = False
                elif c == 7:
                    rev = True
                elif c == 27:
                    rev = False
                elif 30 <= c <= 37:
                    fg = BASIC[c - 30]
                elif 90 <= c <= 97:
                    fg = BASIC[c - 90 + 8]
                elif c == 39:
                    fg = None
                elif 40 <= c <= 47:
                    bg = BASIC[c - 40]
                elif 100 <= c <= 107:
                    bg = BASIC[c - 100 + 8]
                elif c == 49:
                    bg = None
                elif c in (38, 48) and i + 1 < len(codes):
                    if codes[i + 1] == 5 and i + 2 < len(codes):
                        colour = xterm256(codes[i + 2])
                        i += 2
                    elif codes[i + 1] == 2 and i + 4 < len(codes):
                        colour = tuple(codes[i + 2:i + 5])
                        i += 4
                    else:
                        colour = None
                    if c == 38:
                        fg = colour
                    else:
                        bg = colour
                i += 1
            continue
        for char in token:
            f, b = fg or FG, bg or BG
            if rev:
                f, b = b, f
            x0, y0 = pad + x * cw, pad + row * ch
            if b != BG:
                draw.rectangle([x0, y0, x0 + cw - 1, y0 + ch - 1], fill=b)
            if char != " ":
                draw.text((x0, y0 + 1), char, font=bold if is_bold else font, fill=f)
            x += 1
img.save(dst, optimize=True)
PY
echo "screenshots: wrote $out/view.png and $out/stevens.png"
