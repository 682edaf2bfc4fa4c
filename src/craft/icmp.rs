//! ICMP echo request and reply messages (RFC 792): the one ICMP repr is
//! [`crate::wire::icmp`]'s ([`IcmpRepr::echo`] builds an echo header), re-exported here for
//! the builder.

pub use crate::wire::icmp::{ECHO_REPLY, ECHO_REQUEST, HEADER_LEN, IcmpRepr};
