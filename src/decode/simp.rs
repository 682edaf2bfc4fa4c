//! SIMP wire format (interim).
/// Daemon port.
pub const PORT: u16 = 7777;
