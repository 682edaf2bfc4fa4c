use std::time::Duration;

use super::*;

fn eth_frame(n: u64, ns: u32) -> Frame {
    Frame {
        number: n,
        timestamp: Duration::new(1_700_000_000, ns),
        link_type: LinkType::ETHERNET,
        orig_len: 60,
        interface: 0,
        data: vec![0xff; 60],
    }
}

fn two_interface_file() -> Vec<u8> {
    let mut sink = PcapNgSink::with_section(Vec::new(), &SectionInfo::this_host()).unwrap();
    let a = sink
        .add_interface(&InterfaceInfo {
            name: Some("veth-a".into()),
            description: Some("side A".into()),
            mac: Some([2, 0, 0, 0, 0, 1]),
            snaplen: 262_144,
            ..InterfaceInfo::new(LinkType::ETHERNET)
        })
        .unwrap();
    let b = sink
        .add_interface(&InterfaceInfo {
            name: Some("veth-b".into()),
            ..InterfaceInfo::new(LinkType::ETHERNET)
        })
        .unwrap();
    assert_eq!((a, b), (0, 1));
    let out = PacketMeta {
        direction: Some(Direction::Outbound),
        comment: Some("handshake SYN"),
    };
    sink.write_packet(a, &eth_frame(1, 1), &out).unwrap();
    let inb = PacketMeta {
        direction: Some(Direction::Inbound),
        comment: None,
    };
    sink.write_packet(b, &eth_frame(2, 2), &inb).unwrap();
    sink.write_packet(a, &eth_frame(3, 3), &PacketMeta::default())
        .unwrap();
    sink.write_stats(
        a,
        &InterfaceStats {
            start: Some(Duration::new(1_700_000_000, 0)),
            end: Duration::new(1_700_000_001, 0),
            received: Some(3),
            dropped: Some(0),
            os_dropped: None,
            delivered: Some(3),
        },
    )
    .unwrap();
    sink.into_inner().unwrap()
}

#[test]
fn undescribed_interface_or_wrong_link_type_is_refused() {
    let mut sink = PcapNgSink::new(Vec::new(), LinkType::ETHERNET, 0).unwrap();
    let meta = PacketMeta::default();
    let err = sink.write_packet(1, &eth_frame(1, 0), &meta).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    let raw = Frame {
        link_type: LinkType::RAW,
        ..eth_frame(1, 0)
    };
    let err = sink.write_packet(0, &raw, &meta).unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    assert!(sink.write_stats(3, &InterfaceStats::default()).is_err());
}

#[test]
fn our_reader_sees_both_interfaces() {
    let bytes = two_interface_file();
    let frames: Vec<Frame> = crate::source::CaptureReader::new(&bytes[..])
        .unwrap()
        .map(|e| match e {
            crate::source::SourceEvent::Frame(f) => f,
            crate::source::SourceEvent::Warning(w) => panic!("{w}"),
        })
        .collect();
    let ifaces: Vec<u32> = frames.iter().map(|f| f.interface).collect();
    assert_eq!(ifaces, [0, 1, 0]);
}

/// tshark shows the interface names, directions and comments we wrote.
#[test]
fn tshark_sees_names_directions_and_comments() {
    if !crate::source::testdata::tshark_available("tshark_sees_names_directions_and_comments") {
        return;
    }
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), two_interface_file()).unwrap();
    let fields = [
        "frame.interface_name",
        "frame.packet_flags_direction",
        "frame.comment",
    ];
    let rows = crate::source::testdata::tshark_fields(file.path(), &fields);
    let want = [
        ["veth-a", "0x00000002", "handshake SYN"],
        ["veth-b", "0x00000001", ""],
        ["veth-a", "", ""],
    ];
    assert_eq!(rows.len(), 3, "{rows:?}");
    for (row, w) in rows.iter().zip(want) {
        assert_eq!(row, &w.map(String::from).to_vec());
    }
}
