//! Graphs in the terminal: a grid of Braille cells (2 × 4 dots each), so a 60 × 16 cell
//! plot has 120 × 64 dots, readable over SSH on a Pi. [`Canvas`] is the reusable piece (a
//! terminal UI can draw any series on one); [`render`] draws a whole [`GraphData`] with
//! axis labels and a legend as lines of text.

use super::{GraphData, Hue, Shape};
use crate::render::style::{Color, Style};

/// A `width × height` grid of Braille cells with a colour per cell.
#[derive(Debug, Clone)]
pub struct Canvas {
    width: usize,
    height: usize,
    dots: Vec<u8>,
    hues: Vec<Option<Hue>>,
}

/// The Braille dot bit for column `dx` (0-1) and row `dy` (0-3) of a cell.
fn dot_bit(dx: usize, dy: usize) -> u8 {
    const BITS: [[u8; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];
    BITS[dx & 1][dy & 3]
}

impl Canvas {
    /// An empty canvas of `width × height` cells (at least 1 × 1).
    pub fn new(width: usize, height: usize) -> Self {
        let (width, height) = (width.max(1), height.max(1));
        Canvas {
            width,
            height,
            dots: vec![0; width * height],
            hues: vec![None; width * height],
        }
    }

    /// Dots across.
    pub fn dots_x(&self) -> usize {
        self.width * 2
    }

    /// Dots down.
    pub fn dots_y(&self) -> usize {
        self.height * 4
    }

    /// Sets dot `(x, y)` (y = 0 at the top); outside the canvas is ignored.
    pub fn set(&mut self, x: usize, y: usize, hue: Hue) {
        if x >= self.dots_x() || y >= self.dots_y() {
            return;
        }
        let cell = (y / 4) * self.width + x / 2;
        self.dots[cell] |= dot_bit(x % 2, y % 4);
        self.hues[cell] = Some(hue);
    }

    /// A straight line of dots from `(x0, y0)` to `(x1, y1)` (Bresenham).
    pub fn line(&mut self, x0: i64, y0: i64, x1: i64, y1: i64, hue: Hue) {
        let (dx, dy) = ((x1 - x0).abs(), -(y1 - y0).abs());
        let (sx, sy) = (if x0 < x1 { 1 } else { -1 }, if y0 < y1 { 1 } else { -1 });
        let (mut x, mut y, mut err) = (x0, y0, dx + dy);
        // Bounded: at most dx + |dy| + 1 steps.
        for _ in 0..=(dx - dy) {
            if x >= 0 && y >= 0 {
                self.set(x as usize, y as usize, hue);
            }
            if x == x1 && y == y1 {
                break;
            }
            let e2 = 2 * err;
            if e2 >= dy {
                err += dy;
                x += sx;
            }
            if e2 <= dx {
                err += dx;
                y += sy;
            }
        }
    }

    /// The rows of text, coloured per cell when `style` has colour.
    pub fn lines(&self, style: Style) -> Vec<String> {
        (0..self.height)
            .map(|row| {
                let mut s = String::new();
                let mut current: Option<Hue> = None;
                for col in 0..self.width {
                    let i = row * self.width + col;
                    let hue = if self.dots[i] == 0 {
                        None
                    } else {
                        self.hues[i]
                    };
                    if style.color && hue != current {
                        if current.is_some() {
                            s.push_str(style.end());
                        }
                        if let Some(h) = hue {
                            s.push_str(style.start(color(h)));
                        }
                        current = hue;
                    }
                    s.push(char::from_u32(0x2800 + u32::from(self.dots[i])).unwrap_or(' '));
                }
                if style.color && current.is_some() {
                    s.push_str(style.end());
                }
                s
            })
            .collect()
    }
}

/// The terminal colour of a hue.
pub fn color(h: Hue) -> Color {
    match h {
        Hue::Blue => Color::Blue,
        Hue::Green => Color::Green,
        Hue::Orange => Color::Yellow,
        Hue::Purple => Color::Magenta,
        Hue::Red => Color::Red,
        Hue::Grey => Color::Grey,
    }
}

/// A number for an axis label, short.
pub fn short(v: f64) -> String {
    let a = v.abs();
    if a >= 1e9 {
        format!("{:.1}G", v / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 100.0 || v == v.trunc() {
        format!("{v:.0}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.4}")
    }
}

/// Draws `g` on a `width × height` cell plot area with labels and a legend around it.
pub fn render(g: &GraphData, width: usize, height: usize, style: Style) -> Vec<String> {
    let mut c = Canvas::new(width, height);
    let ((x0, x1), (y0, y1)) = g.bounds();
    let (w, h) = (c.dots_x() as f64 - 1.0, c.dots_y() as f64 - 1.0);
    let px = |x: f64| ((x - x0) / (x1 - x0) * w).round() as i64;
    let py = |y: f64| (h - (y - y0) / (y1 - y0) * h).round() as i64;
    for s in &g.series {
        match s.shape {
            Shape::Line => {
                for pair in s.points.windows(2) {
                    let (a, b) = (pair[0], pair[1]);
                    c.line(px(a.0), py(a.1), px(b.0), py(b.1), s.hue);
                }
                if let [p] = s.points.as_slice() {
                    c.line(px(p.0), py(p.1), px(p.0), py(p.1), s.hue);
                }
            }
            Shape::Points | Shape::Marks => {
                for &(x, y) in &s.points {
                    let (x, y) = (px(x), py(y));
                    c.line(x, y, x, y, s.hue);
                    if s.shape == Shape::Marks {
                        c.line(x - 1, y - 1, x + 1, y + 1, s.hue);
                        c.line(x - 1, y + 1, x + 1, y - 1, s.hue);
                    }
                }
            }
            Shape::Bars => {
                for &(x, lo, hi) in &s.bars {
                    c.line(px(x), py(lo), px(x), py(hi), s.hue);
                }
            }
        }
    }
    let labels = [short(y1), short((y0 + y1) / 2.0), short(y0)];
    let lw = labels.iter().map(String::len).max().unwrap_or(1);
    let mut out = Vec::new();
    out.push(format!(
        "{}{}{}",
        style.start(Color::Bold),
        g.title,
        style.end()
    ));
    out.push(format!("{} (vertical) over {}", g.y_label, g.x_label));
    let rows = c.lines(style);
    let mid = rows.len() / 2;
    for (i, row) in rows.into_iter().enumerate() {
        let label = if i == 0 {
            &labels[0]
        } else if i == mid {
            &labels[1]
        } else if i + 1 == height.max(1) {
            &labels[2]
        } else {
            ""
        };
        out.push(format!("{label:>lw$} ┤{row}"));
    }
    let (left, right) = (short(x0), short(x1));
    let pad = width.saturating_sub(left.len() + right.len());
    out.push(format!("{:lw$} └{}", "", "─".repeat(width)));
    out.push(format!("{:lw$}  {left}{}{right} s", "", " ".repeat(pad)));
    let legend: Vec<String> = g
        .series
        .iter()
        .filter(|s| !s.is_empty() && !s.name.is_empty())
        .map(|s| {
            let mark = match s.shape {
                Shape::Line => "─",
                Shape::Points => "•",
                Shape::Marks => "×",
                Shape::Bars => "│",
            };
            format!(
                "{}{mark} {}{}",
                style.start(color(s.hue)),
                s.name,
                style.end()
            )
        })
        .collect();
    out.push(format!("Legend: {}", legend.join("   ")));
    out.push(g.caption.clone());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dots_map_to_braille_bits() {
        let mut c = Canvas::new(1, 1);
        c.set(0, 0, Hue::Blue);
        c.set(1, 3, Hue::Blue);
        assert_eq!(c.lines(Style::default()), vec!["\u{2881}".to_string()]);
    }

    #[test]
    fn a_diagonal_line_touches_every_cell_on_its_way() {
        let mut c = Canvas::new(4, 2);
        c.line(0, 7, 7, 0, Hue::Green);
        let text = c.lines(Style::default()).join("\n");
        assert_eq!(
            text.chars()
                .filter(|&ch| ch != '\n' && ch != '\u{2800}')
                .count(),
            4
        );
    }

    #[test]
    fn outside_dots_are_ignored() {
        let mut c = Canvas::new(2, 2);
        c.set(100, 100, Hue::Red);
        c.line(-5, -5, -1, -1, Hue::Red);
        assert!(
            c.lines(Style::default())
                .iter()
                .all(|l| l == "\u{2800}\u{2800}")
        );
    }
}
