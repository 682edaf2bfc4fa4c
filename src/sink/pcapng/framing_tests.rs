use std::time::Duration;

use super::*;

/// The hand-encoded framing must give exactly the bytes pcap-file writes.
#[test]
fn epb_framing_matches_the_sink_byte_for_byte() {
    for caplen in [0usize, 1, 2, 3, 4, 5, 60, 1514] {
        for direction in [None, Some(Direction::Inbound), Some(Direction::Outbound)] {
            let frame = Frame {
                number: 1,
                timestamp: Duration::new(1_700_000_123, 456_789_012),
                link_type: LinkType::ETHERNET,
                orig_len: caplen as u32 + 7,
                interface: 0,
                data: (0..caplen).map(|i| i as u8).collect(),
            };
            let mut sink = PcapNgSink::new(Vec::new(), LinkType::ETHERNET, 0).unwrap();
            let header_len = sink.get_ref().len();
            let meta = PacketMeta {
                direction,
                comment: None,
            };
            sink.write_packet(0, &frame, &meta).unwrap();
            let want = &sink.get_ref()[header_len..];
            let f = EpbFraming::new(0, frame.timestamp, caplen, frame.orig_len, direction);
            let mut got = f.head.to_vec();
            got.extend_from_slice(&frame.data);
            got.extend_from_slice(f.tail());
            assert_eq!(got, want, "caplen {caplen} {direction:?}");
            assert_eq!(f.block_len(), want.len());
        }
    }
}
