//! Describing a SIMP datagram (seed 001) for the dissector: its Info text and detail fields.
//! The wire format itself (parse and emit) is [`crate::wire::simp`]'s, re-exported here.

use std::fmt::Write as _;
use std::ops::Range;

use crate::text::escape_quoted;
pub use crate::wire::simp::*;

/// Longest payload shown in [`SimpView::info`] before it is cut with `…`.
const INFO_PAYLOAD_CHARS: usize = 48;

impl<'a> SimpView<'a> {
    /// Wireshark-like Info text: `CHAT seq=0 user=test len=11 "Hello World"`,
    /// `CONTROL SYN+ACK seq=0 user=alice`, `CONTROL ERR seq=0 user=bob "user busy"`.
    /// Chat messages always show `len=` and the quoted payload; control messages show the quoted
    /// payload only when there is one. Non-printable bytes are escaped, long payloads cut with `…`.
    pub fn info(&self) -> String {
        let mut out = String::from(self.kind().name());
        if self.op() != Operation::Message {
            out.push(' ');
            out.push_str(self.op().name());
        }
        let _ = write!(
            out,
            " seq={} user={}",
            self.seq(),
            escape_quoted(self.user().as_bytes(), USER_LEN)
        );
        if self.kind() == MessageType::Chat {
            let _ = write!(out, " len={}", self.payload().len());
        }
        if self.kind() == MessageType::Chat || !self.payload().is_empty() {
            let _ = write!(
                out,
                " \"{}\"",
                escape_quoted(self.payload(), INFO_PAYLOAD_CHARS)
            );
        }
        out
    }

    /// The fields for a detail view: name, display text and byte range in the datagram.
    pub fn fields(&self) -> Vec<(&'static str, String, Range<usize>)> {
        let declared = self.payload().len();
        vec![
            (
                "Type",
                format!(
                    "{} (0x{:02x})",
                    title(self.kind().name()),
                    self.kind().code()
                ),
                field::TYPE,
            ),
            (
                "Operation",
                format!("{} (0x{:02x})", self.op().name(), self.op().code()),
                field::OPERATION,
            ),
            ("Sequence", self.seq().to_string(), field::SEQUENCE),
            (
                "User",
                format!("\"{}\"", escape_quoted(self.user().as_bytes(), USER_LEN)),
                field::USER,
            ),
            ("Payload length", declared.to_string(), field::LENGTH),
            (
                "Payload",
                format!("\"{}\"", escape_quoted(self.payload(), usize::MAX)),
                self.payload_range(),
            ),
        ]
    }
}

/// `CONTROL` → `Control`.
fn title(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests;
