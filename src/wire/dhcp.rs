//! BOOTP/DHCP messages (RFC 2131, options RFC 2132), for emitting only: the fixed 236-byte
//! BOOTP header, the magic cookie and the options in order, then End. Received messages are
//! read by the DHCP dissector (`dissect::dhcp`), as every other frame is.

use std::net::Ipv4Addr;

use super::BuildError;

/// UDP port of DHCP servers.
pub const SERVER_PORT: u16 = 67;
/// UDP port of DHCP clients.
pub const CLIENT_PORT: u16 = 68;
/// Length of the fixed BOOTP header (up to the cookie).
pub const HEADER_LEN: usize = 236;
/// The magic cookie that starts the options (99.130.83.99).
pub const COOKIE: [u8; 4] = [99, 130, 83, 99];
/// BOOTP's minimum message length (RFC 1542): shorter messages are padded.
pub const MIN_LEN: usize = 300;
/// `op` of a message from a client.
pub const BOOTREQUEST: u8 = 1;
/// `op` of a message from a server.
pub const BOOTREPLY: u8 = 2;
/// The broadcast bit of `flags`.
pub const FLAG_BROADCAST: u16 = 0x8000;

/// Option codes used by the client.
pub mod opt {
    /// Subnet Mask.
    pub const SUBNET_MASK: u8 = 1;
    /// Router.
    pub const ROUTER: u8 = 3;
    /// Domain Name Server.
    pub const DNS: u8 = 6;
    /// Host Name.
    pub const HOST_NAME: u8 = 12;
    /// Domain Name.
    pub const DOMAIN_NAME: u8 = 15;
    /// Broadcast Address.
    pub const BROADCAST: u8 = 28;
    /// Requested IP Address.
    pub const REQUESTED_IP: u8 = 50;
    /// IP Address Lease Time.
    pub const LEASE_TIME: u8 = 51;
    /// DHCP Message Type.
    pub const MESSAGE_TYPE: u8 = 53;
    /// DHCP Server Identifier.
    pub const SERVER_ID: u8 = 54;
    /// Parameter Request List.
    pub const PARAMETER_REQUEST_LIST: u8 = 55;
    /// Renewal Time Value.
    pub const RENEWAL_TIME: u8 = 58;
    /// Rebinding Time Value.
    pub const REBINDING_TIME: u8 = 59;
    /// Client identifier.
    pub const CLIENT_ID: u8 = 61;
    /// End.
    pub const END: u8 = 255;
}

/// DHCP message types (option 53).
pub mod kind {
    /// DHCPDISCOVER.
    pub const DISCOVER: u8 = 1;
    /// DHCPOFFER.
    pub const OFFER: u8 = 2;
    /// DHCPREQUEST.
    pub const REQUEST: u8 = 3;
    /// DHCPACK.
    pub const ACK: u8 = 5;
    /// DHCPNAK.
    pub const NAK: u8 = 6;
    /// DHCPRELEASE.
    pub const RELEASE: u8 = 7;
}

/// A BOOTP/DHCP message from an Ethernet client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DhcpRepr {
    /// [`BOOTREQUEST`] or [`BOOTREPLY`].
    pub op: u8,
    /// Transaction ID.
    pub xid: u32,
    /// Seconds since the client began.
    pub secs: u16,
    /// Flags ([`FLAG_BROADCAST`]).
    pub flags: u16,
    /// Client IP address (ciaddr).
    pub ciaddr: Ipv4Addr,
    /// "Your" IP address (yiaddr).
    pub yiaddr: Ipv4Addr,
    /// Next server IP address (siaddr).
    pub siaddr: Ipv4Addr,
    /// Relay agent IP address (giaddr).
    pub giaddr: Ipv4Addr,
    /// Client hardware (Ethernet) address.
    pub chaddr: [u8; 6],
    /// Options in the order they are written (code, value), End excluded.
    pub options: Vec<(u8, Vec<u8>)>,
}

impl DhcpRepr {
    /// A client's message with no addresses and no options.
    pub fn request(xid: u32, chaddr: [u8; 6]) -> Self {
        DhcpRepr {
            op: BOOTREQUEST,
            xid,
            secs: 0,
            flags: 0,
            ciaddr: Ipv4Addr::UNSPECIFIED,
            yiaddr: Ipv4Addr::UNSPECIFIED,
            siaddr: Ipv4Addr::UNSPECIFIED,
            giaddr: Ipv4Addr::UNSPECIFIED,
            chaddr,
            options: Vec::new(),
        }
    }

    /// Bytes [`DhcpRepr::emit`] writes: header, cookie, options, End, padded to [`MIN_LEN`].
    pub fn emit_len(&self) -> usize {
        let opts: usize = self.options.iter().map(|(_, v)| 2 + v.len()).sum();
        (HEADER_LEN + COOKIE.len() + opts + 1).max(MIN_LEN)
    }

    /// Writes the message into the first [`DhcpRepr::emit_len`] bytes of `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, BuildError> {
        let n = self.emit_len();
        super::need("DHCP", buf, n)?;
        let buf = &mut buf[..n];
        buf.fill(0);
        buf[0] = self.op;
        buf[1] = 1; // Ethernet
        buf[2] = 6;
        buf[3] = 0; // hops
        buf[4..8].copy_from_slice(&self.xid.to_be_bytes());
        buf[8..10].copy_from_slice(&self.secs.to_be_bytes());
        buf[10..12].copy_from_slice(&self.flags.to_be_bytes());
        buf[12..16].copy_from_slice(&self.ciaddr.octets());
        buf[16..20].copy_from_slice(&self.yiaddr.octets());
        buf[20..24].copy_from_slice(&self.siaddr.octets());
        buf[24..28].copy_from_slice(&self.giaddr.octets());
        buf[28..34].copy_from_slice(&self.chaddr);
        buf[HEADER_LEN..HEADER_LEN + 4].copy_from_slice(&COOKIE);
        let mut off = HEADER_LEN + 4;
        for (code, value) in &self.options {
            let len = u8::try_from(value.len()).map_err(|_| BuildError::TooLong {
                layer: "DHCP option",
                len: value.len(),
                max: 255,
            })?;
            buf[off] = *code;
            buf[off + 1] = len;
            buf[off + 2..off + 2 + value.len()].copy_from_slice(value);
            off += 2 + value.len();
        }
        buf[off] = opt::END;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_discover_is_laid_out_as_rfc_2131_says() {
        let mut m = DhcpRepr::request(0x1234_5678, [2, 0, 0, 0, 0, 1]);
        m.options.push((opt::MESSAGE_TYPE, vec![kind::DISCOVER]));
        m.options.push((opt::HOST_NAME, b"pc".to_vec()));
        let mut buf = vec![0xaa; 400];
        let n = m.emit(&mut buf).unwrap();
        assert_eq!(n, MIN_LEN);
        assert_eq!(&buf[..4], &[1, 1, 6, 0]);
        assert_eq!(&buf[4..8], &[0x12, 0x34, 0x56, 0x78]);
        assert_eq!(&buf[28..34], &[2, 0, 0, 0, 0, 1]);
        assert_eq!(&buf[236..240], &COOKIE);
        assert_eq!(&buf[240..249], &[53, 1, 1, 12, 2, b'p', b'c', 255, 0]);
        assert!(buf[249..300].iter().all(|&b| b == 0));
    }

    #[test]
    fn too_long_options_and_short_buffers_are_errors() {
        let mut m = DhcpRepr::request(1, [0; 6]);
        m.options.push((opt::HOST_NAME, vec![b'a'; 256]));
        assert!(m.emit(&mut [0u8; 600]).is_err());
        let m = DhcpRepr::request(1, [0; 6]);
        assert!(m.emit(&mut [0u8; 100]).is_err());
    }
}
