//! Graph files: SVG (plotters' SVG backend) and PNG (its bitmap backend, pure Rust), with
//! DejaVu Sans shipped in `assets/fonts/` and registered through plotters' `ab_glyph`
//! feature, so nothing needs fontconfig or FreeType. 1200 × 700 pixels, a title, a caption
//! on how to read the graph, axis labels with units and a legend.

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;

use super::{GraphData, Hue, Shape};

/// DejaVu Sans (Bitstream Vera licence, see `assets/fonts/DejaVuSans-LICENSE.txt`).
static FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The font family name the plots use.
const FAMILY: &str = "sans-serif";

/// Pixels of a graph file.
pub const SIZE: (u32, u32) = (1200, 700);

/// File formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Scalable vector graphics.
    Svg,
    /// Portable network graphics.
    Png,
}

impl Format {
    /// The format of `path` by its extension, if it is `.svg` or `.png`.
    pub fn of(path: &Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "svg" => Some(Format::Svg),
            "png" => Some(Format::Png),
            _ => None,
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Svg => "svg",
            Format::Png => "png",
        }
    }
}

/// Why a graph could not be written.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PlotError(String);

fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // The font is compiled in and known good; a failure would only mean no text.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

fn rgb(h: Hue) -> RGBColor {
    match h {
        Hue::Blue => RGBColor(31, 119, 180),
        Hue::Green => RGBColor(44, 160, 44),
        Hue::Orange => RGBColor(255, 127, 14),
        Hue::Purple => RGBColor(148, 103, 189),
        Hue::Red => RGBColor(214, 39, 40),
        Hue::Grey => RGBColor(110, 110, 110),
    }
}

/// Writes `g` to `path` as `format`.
pub fn write_file(g: &GraphData, path: &Path, format: Format) -> Result<(), PlotError> {
    register_font();
    match format {
        Format::Svg => {
            let root = SVGBackend::new(path, SIZE).into_drawing_area();
            draw(&root, g).map_err(|e| PlotError(e.to_string()))?;
            root.present().map_err(|e| PlotError(e.to_string()))
        }
        Format::Png => {
            let root = BitMapBackend::new(path, SIZE).into_drawing_area();
            draw(&root, g).map_err(|e| PlotError(e.to_string()))?;
            root.present().map_err(|e| PlotError(e.to_string()))
        }
    }
}

/// An axis tick label: short, with k/M/G for large numbers ("1.5 M", "200 k", "0.25").
pub fn axis_number(v: f64) -> String {
    let a = v.abs();
    let trim = |s: String| {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    if a >= 1e9 {
        format!("{} G", trim(format!("{:.2}", v / 1e9)))
    } else if a >= 1e6 {
        format!("{} M", trim(format!("{:.2}", v / 1e6)))
    } else if a >= 1e4 {
        format!("{} k", trim(format!("{:.1}", v / 1e3)))
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else {
        trim(format!("{v:.4}"))
    }
}

/// Splits `text` into lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let last = lines.last_mut().expect("one line at least");
        if !last.is_empty() && last.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_string());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    g: &GraphData,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    root.fill(&WHITE)?;
    let caption = wrap(&g.caption, 150);
    let head = 44 + 20 * caption.len() as u32;
    let (top, body) = root.split_vertically(head);
    top.draw(&Text::new(
        g.title.clone(),
        (24, 12),
        (FAMILY, 22).into_font().color(&BLACK),
    ))?;
    for (i, line) in caption.iter().enumerate() {
        top.draw(&Text::new(
            line.clone(),
            (24, 42 + 20 * i as i32),
            (FAMILY, 15).into_font().color(&RGBColor(60, 60, 60)),
        ))?;
    }
    let ((x0, x1), (y0, y1)) = g.bounds();
    // Padding on both axes, so the dots at the edges are drawn whole.
    let pad = (y1 - y0) * 0.04;
    let xpad = (x1 - x0) * 0.02;
    let mut chart = ChartBuilder::on(&body)
        .margin(16)
        .margin_right(36)
        .x_label_area_size(56)
        .y_label_area_size(100)
        .build_cartesian_2d((x0 - xpad)..(x1 + xpad), (y0 - pad)..(y1 + pad))?;
    chart
        .configure_mesh()
        .y_label_formatter(&|v| axis_number(*v))
        .x_label_formatter(&|v| axis_number(*v))
        .x_desc(g.x_label.as_str())
        .y_desc(g.y_label.as_str())
        .label_style((FAMILY, 15))
        .axis_desc_style((FAMILY, 17))
        .light_line_style(RGBColor(235, 235, 235))
        .draw()?;
    let top = y1 + pad;
    for s in g.series.iter().filter(|s| !s.is_empty()) {
        let c = rgb(s.hue);
        match s.shape {
            Shape::Line => {
                // Lines stop where they leave the top (plotters would flatten them there).
                let runs: Vec<Vec<(f64, f64)>> = s
                    .points
                    .split(|p| p.1 > top)
                    .filter(|r| !r.is_empty())
                    .map(<[(f64, f64)]>::to_vec)
                    .collect();
                for (i, run) in runs.into_iter().enumerate() {
                    let drawn = chart.draw_series(LineSeries::new(run, c.stroke_width(2)))?;
                    if i == 0 && !s.name.is_empty() {
                        drawn.label(s.name.clone()).legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 22, y)], c.stroke_width(3))
                        });
                    }
                }
            }
            Shape::Points => {
                chart
                    .draw_series(s.points.iter().map(|&p| Circle::new(p, 2, c.filled())))?
                    .label(s.name.clone())
                    .legend(move |(x, y)| Circle::new((x + 11, y), 4, c.filled()));
            }
            Shape::Marks => {
                chart
                    .draw_series(
                        s.points
                            .iter()
                            .map(|&p| Cross::new(p, 5, c.stroke_width(2))),
                    )?
                    .label(s.name.clone())
                    .legend(move |(x, y)| Cross::new((x + 11, y), 5, c.stroke_width(2)));
            }
            Shape::Bars => {
                let drawn = chart.draw_series(s.bars.iter().map(|&(x, lo, hi)| {
                    PathElement::new(vec![(x, lo), (x, hi.min(top))], c.stroke_width(2))
                }))?;
                if !s.name.is_empty() {
                    drawn.label(s.name.clone()).legend(move |(x, y)| {
                        PathElement::new(vec![(x + 11, y - 7), (x + 11, y + 7)], c.stroke_width(3))
                    });
                }
            }
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(RGBColor(160, 160, 160))
        .label_font((FAMILY, 15))
        .draw()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_numbers_are_short() {
        assert_eq!(axis_number(2_000_000.0), "2 M");
        assert_eq!(axis_number(1_500_000.0), "1.5 M");
        assert_eq!(axis_number(200_000.0), "200 k");
        assert_eq!(axis_number(0.25), "0.25");
        assert_eq!(axis_number(0.0), "0");
        assert_eq!(axis_number(2.45), "2.45");
    }

    #[test]
    fn captions_wrap_at_spaces() {
        assert_eq!(wrap("aa bb cc", 5), vec!["aa bb", "cc"]);
        assert_eq!(wrap("", 5), vec![""]);
    }

    #[test]
    fn format_comes_from_the_extension() {
        assert_eq!(Format::of(Path::new("a/b.SVG")), Some(Format::Svg));
        assert_eq!(Format::of(Path::new("b.png")), Some(Format::Png));
        assert_eq!(Format::of(Path::new("b.jpg")), None);
    }
}
