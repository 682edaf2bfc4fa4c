//! Decoding frame bytes into layers (etherparse lax slicing).

pub mod simp;
