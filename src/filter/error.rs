//! The one error type of the filter: a message tied to a column of the filter text.

/// A filter that could not be parsed: where (1-based char column) and why.
///
/// The column may be one past the last char, for errors at the end ("expected a value").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct FilterError {
    /// 1-based column, counted in chars (not bytes) of the filter text.
    pub column: usize,
    /// What is wrong, and when possible what was expected.
    pub message: String,
}

impl FilterError {
    /// Makes an error at `column` (1-based chars).
    pub(crate) fn new(column: usize, message: impl Into<String>) -> FilterError {
        FilterError {
            column,
            message: message.into(),
        }
    }

    /// Shows the error under the filter text it came from, on two lines (no final newline):
    ///
    /// ```text
    /// ip.addr == 10.0.3
    ///            ^ "10.0.3" is not an IPv4 address (expected e.g. 10.0.3.1 or 10.0.3.0/24)
    /// ```
    ///
    /// Tabs, newlines and other control chars in `source` are shown as spaces, so the caret
    /// stays under its column.
    pub fn render(&self, source: &str) -> String {
        let shown: String = source
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        let pad = self.column.saturating_sub(1);
        format!(
            "{}\n{}^ {}",
            shown.trim_end(),
            " ".repeat(pad),
            self.message
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_puts_caret_under_column() {
        let e = FilterError::new(12, "bad");
        assert_eq!(
            e.render("ip.addr == 10.0.3"),
            "ip.addr == 10.0.3\n           ^ bad"
        );
        assert_eq!(FilterError::new(1, "x").render("tcp"), "tcp\n^ x");
        assert_eq!(FilterError::new(4, "end").render("tcp"), "tcp\n   ^ end");
    }

    #[test]
    fn render_counts_chars_and_blanks_control_chars() {
        assert_eq!(FilterError::new(3, "m").render("é\tx"), "é x\n  ^ m");
        assert_eq!(FilterError::new(2, "m").render("a\nb"), "a b\n ^ m");
    }

    #[test]
    fn display_names_the_column() {
        assert_eq!(FilterError::new(7, "oops").to_string(), "column 7: oops");
    }
}
