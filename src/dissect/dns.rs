//! DNS over UDP and TCP, and its relatives mDNS, LLMNR and NBNS.
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
