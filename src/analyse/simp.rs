//! SIMP on UDP port 7777: what the packet list, `--detail` and `--json` show of it.

use crate::decode::simp;

/// What the packet list shows of a SIMP message.
#[derive(Debug, Clone, PartialEq)]
pub struct SimpSummary {
    /// Message type code (1 control, 2 chat).
    pub kind: u8,
    /// User name.
    pub user: String,
    /// Info column text.
    pub info: String,
    /// The `"simp"` object of `--json`.
    pub json: serde_json::Value,
    /// Title and fields (name, value, range in the payload) for `--detail`.
    pub detail: Option<(String, Vec<(String, String, std::ops::Range<usize>)>)>,
}

/// Summarises a UDP payload as SIMP, if it parses as SIMP.
pub fn summary(payload: &[u8]) -> Option<SimpSummary> {
    let _ = payload;
    let _ = simp::PORT;
    None
}
