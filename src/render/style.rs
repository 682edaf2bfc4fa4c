//! Terminal colours: on only when writing to a terminal (or when asked), never in pipes.

/// Which ANSI styles to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Style {
    /// True to emit ANSI escapes.
    pub color: bool,
}

/// ANSI foreground colours used by the renderers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    /// Red (problems).
    Red,
    /// Green.
    Green,
    /// Yellow.
    Yellow,
    /// Blue.
    Blue,
    /// Magenta.
    Magenta,
    /// Cyan.
    Cyan,
    /// Grey (dim).
    Grey,
    /// Bold, default colour.
    Bold,
}

impl Color {
    fn code(self) -> &'static str {
        match self {
            Color::Red => "\x1b[31m",
            Color::Green => "\x1b[32m",
            Color::Yellow => "\x1b[33m",
            Color::Blue => "\x1b[34m",
            Color::Magenta => "\x1b[35m",
            Color::Cyan => "\x1b[36m",
            Color::Grey => "\x1b[90m",
            Color::Bold => "\x1b[1m",
        }
    }
}

impl Style {
    /// The escape that starts `c`, or "" without colour.
    pub fn start(self, c: Color) -> &'static str {
        if self.color { c.code() } else { "" }
    }

    /// The escape that resets, or "" without colour.
    pub fn end(self) -> &'static str {
        if self.color { "\x1b[0m" } else { "" }
    }
}
