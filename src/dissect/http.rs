//! HTTP/1.x over TCP, and SSDP (HTTP over UDP).
//!
//! Not written yet: every payload is rejected, so it stays plain TCP/UDP.

use super::{Cx, Dissector, FieldDef, Outcome, Transport};

/// Fields this module sets.
pub const FIELDS: &[FieldDef] = &[];

/// State kept across frames.
#[derive(Debug, Clone, Default)]
pub struct State {}

impl State {
    /// Rough heap size in bytes.
    pub fn approx_bytes(&self) -> usize {
        0
    }
}

/// Dissects `data` as `d`.
pub fn dissect(
    d: Dissector,
    state: &mut State,
    cx: &mut Cx<'_>,
    data: &[u8],
    t: Transport,
) -> Outcome {
    let _ = (d, state, cx, data, t);
    Outcome::Rejected
}

/// Does `data` start like HTTP (Wireshark's heuristic HTTP dissector)?
pub fn heuristic(d: Dissector, data: &[u8], t: Transport) -> bool {
    let _ = (d, data, t);
    false
}
