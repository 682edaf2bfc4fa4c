//! Walking the frames of one TPACKET_V3 ring block: safe code over the block's bytes.
//!
//! A block starts with `struct tpacket_block_desc` (48 bytes: version, offset to private data,
//! status, number of packets, offset to the first packet, block length, sequence number, first
//! and last timestamps). Each frame is a `struct tpacket3_hdr` (48 bytes, see [`FrameHeader`])
//! followed by a `struct sockaddr_ll` (interface index, packet type) and, at `tp_mac`, the
//! captured bytes; `tp_next_offset` leads to the next frame. All fields are in host byte
//! order. The kernel wrote these bytes, but they are still input: every offset and length is
//! checked, and a block that does not add up ends the walk instead of panicking (the
//! `tpacket_block` fuzz target holds it to that).
#![forbid(unsafe_code)]

use std::time::Duration;

/// Bytes of `struct tpacket3_hdr`, already aligned to `TPACKET_ALIGNMENT` (16).
pub const FRAME_HEADER_LEN: usize = 48;

/// `sll_pkttype` of a frame this host sent (`PACKET_OUTGOING`).
pub const PACKET_OUTGOING: u8 = 4;
/// `sll_pkttype` of a frame addressed to this host (`PACKET_HOST`).
pub const PACKET_HOST: u8 = 0;

/// `tp_status`: the checksum is not filled in yet (checksum offload on an outgoing frame).
pub const TP_STATUS_CSUMNOTREADY: u32 = 1 << 3;
/// `tp_status`: `tp_vlan_tci` holds a tag the kernel stripped from the frame.
pub const TP_STATUS_VLAN_VALID: u32 = 1 << 4;
/// `tp_status`: `tp_vlan_tpid` is valid too.
pub const TP_STATUS_VLAN_TPID_VALID: u32 = 1 << 6;

/// One frame as the kernel put it in the block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RingFrame<'a> {
    /// Kernel timestamp (`tp_sec`, `tp_nsec`).
    pub timestamp: Duration,
    /// Length on the wire (`tp_len`).
    pub orig_len: u32,
    /// `tp_status` bits.
    pub status: u32,
    /// The stripped VLAN tag to put back after the MAC addresses (TPID, TCI), when the
    /// kernel says there was one — as libpcap reinserts it.
    pub vlan: Option<(u16, u16)>,
    /// `sll_ifindex`.
    pub ifindex: i32,
    /// `sll_pkttype` (0 host, 1 broadcast, 2 multicast, 3 other host, 4 outgoing).
    pub pkttype: u8,
    /// The captured bytes, `tp_snaplen` of them, from the link-layer header on.
    pub data: &'a [u8],
}

impl RingFrame<'_> {
    /// True when this host sent the frame.
    pub fn outgoing(&self) -> bool {
        self.pkttype == PACKET_OUTGOING
    }

    /// The 4 bytes of the VLAN tag to insert after the two MAC addresses, if any.
    pub fn vlan_tag(&self) -> Option<[u8; 4]> {
        self.vlan.map(|(tpid, tci)| {
            let [a, b] = tpid.to_be_bytes();
            let [c, d] = tci.to_be_bytes();
            [a, b, c, d]
        })
    }

    /// Captured length including a reinserted VLAN tag.
    pub fn caplen(&self) -> usize {
        self.data.len() + self.tag_len()
    }

    /// Length on the wire including a reinserted VLAN tag.
    pub fn wire_len(&self) -> u32 {
        self.orig_len.saturating_add(self.tag_len() as u32)
    }

    fn tag_len(&self) -> usize {
        if self.vlan.is_some() && self.data.len() >= 12 {
            4
        } else {
            0
        }
    }

    /// Appends the frame as it was on the wire (tag reinserted) to `out`.
    pub fn copy_into(&self, out: &mut Vec<u8>) {
        match self.vlan_tag() {
            Some(tag) if self.data.len() >= 12 => {
                out.extend_from_slice(&self.data[..12]);
                out.extend_from_slice(&tag);
                out.extend_from_slice(&self.data[12..]);
            }
            _ => out.extend_from_slice(self.data),
        }
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_ne_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_ne_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// The frames of one block, in order. Stops early (without panicking) where the block's
/// offsets or lengths do not fit in it.
pub fn frames(block: &[u8]) -> Frames<'_> {
    let num = u32_at(block, 12).unwrap_or(0);
    let first = u32_at(block, 16).map_or(usize::MAX, |o| o as usize);
    Frames {
        block,
        left: num,
        at: first,
    }
}

/// Iterator over the frames of a block (see [`frames`]).
#[derive(Debug, Clone)]
pub struct Frames<'a> {
    block: &'a [u8],
    left: u32,
    at: usize,
}

impl<'a> Frames<'a> {
    fn parse(&self, at: usize) -> Option<(RingFrame<'a>, u32)> {
        let h = self.block.get(at..at.checked_add(FRAME_HEADER_LEN)?)?;
        let next = u32_at(h, 0)?;
        let sec = u32_at(h, 4)?;
        let nsec = u32_at(h, 8)?;
        let snaplen = u32_at(h, 12)? as usize;
        let len = u32_at(h, 16)?;
        let status = u32_at(h, 20)?;
        let mac = usize::from(u16_at(h, 24)?);
        let vlan_tci = u32_at(h, 32)?;
        let vlan_tpid = u16_at(h, 36)?;
        let sll = self
            .block
            .get(at + FRAME_HEADER_LEN..at + FRAME_HEADER_LEN + 12)?;
        let ifindex = i32::from_ne_bytes(sll.get(4..8)?.try_into().ok()?);
        let pkttype = *sll.get(10)?;
        let start = at.checked_add(mac)?;
        let data = self.block.get(start..start.checked_add(snaplen)?)?;
        // libpcap's VLAN_VALID and VLAN_TPID (pcap-linux.c): a non-zero TCI or the flag.
        let vlan = (vlan_tci != 0 || status & TP_STATUS_VLAN_VALID != 0).then(|| {
            let tpid = if vlan_tpid != 0 || status & TP_STATUS_VLAN_TPID_VALID != 0 {
                vlan_tpid
            } else {
                0x8100
            };
            (tpid, vlan_tci as u16)
        });
        let frame = RingFrame {
            timestamp: Duration::new(u64::from(sec), nsec.min(999_999_999)),
            orig_len: len.max(snaplen as u32),
            status,
            vlan,
            ifindex,
            pkttype,
            data,
        };
        Some((frame, next))
    }
}

impl<'a> Iterator for Frames<'a> {
    type Item = RingFrame<'a>;

    fn next(&mut self) -> Option<RingFrame<'a>> {
        if self.left == 0 {
            return None;
        }
        let Some((frame, next)) = self.parse(self.at) else {
            self.left = 0;
            return None;
        };
        self.left -= 1;
        if self.left > 0 {
            if next == 0 {
                self.left = 0;
            } else {
                self.at = self.at.saturating_add(next as usize);
            }
        }
        Some(frame)
    }
}

/// Builds a block in the kernel's layout (tests and fuzz seeds): each frame's bytes, status,
/// VLAN TCI, packet type and timestamp.
pub fn build_block(block_size: usize, frames: &[(&[u8], u32, u16, u8, Duration)]) -> Vec<u8> {
    let mut b = vec![0u8; block_size];
    let put32 = |b: &mut Vec<u8>, at: usize, v: u32| {
        if let Some(s) = b.get_mut(at..at + 4) {
            s.copy_from_slice(&v.to_ne_bytes());
        }
    };
    let put16 = |b: &mut Vec<u8>, at: usize, v: u16| {
        if let Some(s) = b.get_mut(at..at + 2) {
            s.copy_from_slice(&v.to_ne_bytes());
        }
    };
    put32(&mut b, 0, 3); // TPACKET_V3 block version
    put32(&mut b, 8, 1); // TP_STATUS_USER
    put32(&mut b, 12, frames.len() as u32);
    put32(&mut b, 16, 48);
    let mut at = 48usize;
    let mac_off = FRAME_HEADER_LEN + 32; // header, sockaddr_ll (20) rounded, as the kernel does
    for (i, (data, status, tci, pkttype, ts)) in frames.iter().enumerate() {
        let size = (mac_off + data.len() + 15) & !15;
        let last = i + 1 == frames.len();
        put32(&mut b, at, if last { 0 } else { size as u32 });
        put32(&mut b, at + 4, ts.as_secs() as u32);
        put32(&mut b, at + 8, ts.subsec_nanos());
        put32(&mut b, at + 12, data.len() as u32);
        put32(&mut b, at + 16, data.len() as u32);
        put32(&mut b, at + 20, *status);
        put16(&mut b, at + 24, mac_off as u16);
        put32(&mut b, at + 32, u32::from(*tci));
        put16(&mut b, at + FRAME_HEADER_LEN, 17); // AF_PACKET
        put32(&mut b, at + FRAME_HEADER_LEN + 4, 1); // ifindex 1
        if let Some(p) = b.get_mut(at + FRAME_HEADER_LEN + 10) {
            *p = *pkttype;
        }
        if let Some(dst) = b.get_mut(at + mac_off..at + mac_off + data.len()) {
            dst.copy_from_slice(data);
        }
        at += size;
    }
    put32(&mut b, 20, at as u32);
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_every_frame_with_its_metadata() {
        let a = [0x11u8; 60];
        let b = [0x22u8; 1514];
        let ts = Duration::new(1_700_000_000, 123_456_789);
        let block = build_block(
            8192,
            &[
                (&a, 1, 0, PACKET_OUTGOING, ts),
                (
                    &b,
                    1 | TP_STATUS_CSUMNOTREADY,
                    0,
                    PACKET_HOST,
                    ts + Duration::from_nanos(1),
                ),
            ],
        );
        let got: Vec<RingFrame> = frames(&block).collect();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].data, &a[..]);
        assert!(got[0].outgoing());
        assert_eq!(got[0].timestamp, ts);
        assert_eq!(got[1].data, &b[..]);
        assert_eq!(got[1].orig_len, 1514);
        assert_eq!(got[1].ifindex, 1);
        assert!(got[1].status & TP_STATUS_CSUMNOTREADY != 0);
        assert!(!got[1].outgoing());
    }

    #[test]
    fn a_stripped_vlan_tag_is_put_back_after_the_macs() {
        // dst, src, then IPv4 ethertype: the kernel removed the 802.1Q tag (VLAN 30, PCP 0).
        let mut frame = vec![0xaa; 6];
        frame.extend([0xbb; 6]);
        frame.extend([0x08, 0x00, 0x45]);
        let block = build_block(
            4096,
            &[(
                &frame,
                1 | TP_STATUS_VLAN_VALID,
                30,
                PACKET_HOST,
                Duration::ZERO,
            )],
        );
        let f = frames(&block).next().unwrap();
        assert_eq!(f.vlan, Some((0x8100, 30)));
        let mut out = Vec::new();
        f.copy_into(&mut out);
        assert_eq!(&out[12..18], &[0x81, 0x00, 0x00, 30, 0x08, 0x00]);
        assert_eq!(out.len(), frame.len() + 4);
        assert_eq!(f.caplen(), out.len());
        assert_eq!(f.wire_len(), frame.len() as u32 + 4);
    }

    #[test]
    fn offsets_outside_the_block_end_the_walk() {
        let a = [1u8; 100];
        let mut block = build_block(
            4096,
            &[(&a, 1, 0, 0, Duration::ZERO), (&a, 1, 0, 0, Duration::ZERO)],
        );
        // Claim a third frame, and make the second one's snaplen run off the end.
        block[12..16].copy_from_slice(&3u32.to_ne_bytes());
        let second = 48 + u32::from_ne_bytes(block[48..52].try_into().unwrap()) as usize;
        block[second + 12..second + 16].copy_from_slice(&u32::MAX.to_ne_bytes());
        assert_eq!(frames(&block).count(), 1);
        // Every truncation of a valid block gives at most its frames, never a panic.
        let good = build_block(
            4096,
            &[(&a, 1, 0, 0, Duration::ZERO), (&a, 1, 0, 0, Duration::ZERO)],
        );
        for n in 0..good.len() {
            assert!(frames(&good[..n]).count() <= 2);
        }
    }
}
