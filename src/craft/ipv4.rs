//! IPv4 headers (RFC 791) without options: the one repr is [`crate::wire::ipv4`]'s,
//! re-exported here for the builder.

pub use crate::wire::ipv4::{
    DEFAULT_TTL, HEADER_LEN, Ipv4Repr, MAX_PAYLOAD, PROTO_ICMP, PROTO_TCP,
};
