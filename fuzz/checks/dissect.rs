//! The check behind every `dissect_*` fuzz target: arbitrary bytes given to one application
//! dissector, over UDP or as TCP segments (so reassembly runs too), through the dispatch
//! table with a `-d` rule, then the frame's layers turned into `--json` text.
//!
//! Invariants: nothing panics; the Info column and the detail lines hold no control
//! character but the tab (bytes from the network go through `wirelab::text::escape`); every detail range of a layer found in this frame lies inside
//! the segment's payload.

use std::net::SocketAddr;
use std::time::Duration;

use wirelab::dissect::{
    Columns, DecodeAs, Dissector, Dissectors, Endpoints, Table, TcpSegmentInfo, Transport,
};

/// The port the rule sends to the dissector under test.
const PORT: u16 = 4000;

/// Runs `data` through one of the dissectors `ds` (a module's protocols). Byte 0 picks UDP
/// (bit 0 clear) or TCP (set) and, with its other bits, the dissector; for TCP, byte 1
/// splits the rest into segments.
pub fn check(ds: &[Dissector], data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Some(&d) = ds.get(usize::from(mode >> 1) % ds.len().max(1)) else {
        return;
    };
    let rules = vec![
        DecodeAs {
            transport: Transport::Udp,
            port: PORT,
            dissector: d,
        },
        DecodeAs {
            transport: Transport::Tcp,
            port: PORT,
            dissector: d,
        },
    ];
    let mut dis = Dissectors::new(Table::new(rules));
    let client = SocketAddr::from(([10, 0, 0, 1], 50000));
    let server = SocketAddr::from(([10, 0, 0, 2], PORT));
    if mode % 2 == 0 {
        // The same datagram both ways, twice (request/response state).
        for (n, (src, dst)) in [(client, server), (server, client), (client, server)]
            .into_iter()
            .enumerate()
        {
            one(&mut dis, n as u64 + 1, Endpoints { src, dst }, None, rest);
        }
        return;
    }
    let Some((&split, body)) = rest.split_first() else {
        return;
    };
    let step = usize::from(split).max(1);
    let mut seq = 1000u32;
    for (n, chunk) in body.chunks(step).take(8).enumerate() {
        let (src, dst) = if (mode >> 1) & (1 << (n % 7)) == 0 {
            (client, server)
        } else {
            (server, client)
        };
        let seg = TcpSegmentInfo {
            stream: 0,
            seq,
            retransmission: false,
            fin: false,
        };
        one(
            &mut dis,
            n as u64 + 1,
            Endpoints { src, dst },
            Some(seg),
            chunk,
        );
        seq = seq.wrapping_add(chunk.len() as u32);
    }
    // A FIN without data each way: hands any message that runs to the close to its dissector.
    for (n, (src, dst)) in [(server, client), (client, server)].into_iter().enumerate() {
        let seg = TcpSegmentInfo {
            stream: 0,
            seq,
            retransmission: false,
            fin: true,
        };
        one(
            &mut dis,
            10 + n as u64,
            Endpoints { src, dst },
            Some(seg),
            &[],
        );
    }
}

fn one(
    dis: &mut Dissectors,
    frame: u64,
    ends: Endpoints,
    seg: Option<TcpSegmentInfo>,
    payload: &[u8],
) {
    let mut cols = Columns::new(
        if seg.is_some() { "TCP" } else { "UDP" },
        String::from("transport info"),
    );
    let mut layers = Vec::new();
    let time = Duration::from_millis(frame);
    match seg {
        Some(seg) => {
            dis.tcp(frame, time, ends, seg, payload, &mut cols, &mut layers);
        }
        None => dis.udp(frame, time, ends, payload, &mut cols, &mut layers),
    }
    assert!(
        !cols.info().chars().any(unsafe_char),
        "control character in Info: {:?}",
        cols.info()
    );
    for l in &layers {
        for (_, v) in &l.fields {
            let _ = v.to_string();
        }
        if let (Some(offset), Some(detail)) = (l.offset, &l.detail) {
            for f in &detail.fields {
                assert!(!f.name.chars().any(unsafe_char), "{:?}", f.name);
                assert!(!f.value.chars().any(unsafe_char), "{:?}", f.value);
                if let Some(r) = &f.range {
                    assert!(
                        offset + r.end <= payload.len() && r.start <= r.end,
                        "range {r:?} at {offset} outside a {}-byte payload ({})",
                        payload.len(),
                        f.name
                    );
                }
            }
        }
    }
}

/// A character a terminal could act on (what `wirelab::text::escape` never lets through).
fn unsafe_char(c: char) -> bool {
    c.is_control() && c != '\t'
}
