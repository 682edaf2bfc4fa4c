//! The one escaping function for peer and file bytes, [`crate::text`], under the path the
//! renderers and the commands above them have always used.

pub use crate::text::{EscapeWriter, escape, escape_lines, escape_quoted};
