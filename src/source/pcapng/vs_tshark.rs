use std::io::Write;

use super::super::testdata::{epb, idb, pb, read_all, shb, spb, tshark_available, tshark_fields};

fn compare(name: &str, file: &[u8]) {
    let mut temp = tempfile::NamedTempFile::new().unwrap();
    temp.write_all(file).unwrap();
    let (frames, warnings) = read_all(file);
    assert!(warnings.is_empty(), "{name}: {warnings:?}");
    let fields = [
        "frame.time_epoch",
        "frame.len",
        "frame.cap_len",
        "frame.interface_id",
    ];
    let rows = tshark_fields(temp.path(), &fields);
    assert_eq!(rows.len(), frames.len(), "{name}: {rows:?}");
    for (row, f) in rows.iter().zip(&frames) {
        // tshark prints nanoseconds; compare to the microsecond (binary resolutions are
        // converted with different rounding). No time at all (Simple Packet Blocks): we
        // give the epoch.
        let (secs, micros) = match row[0].split_once('.') {
            Some((secs, frac)) => (secs.parse().unwrap(), frac[..6].parse().unwrap()),
            None => (0, 0),
        };
        let got = (
            f.timestamp.as_secs(),
            f.timestamp.subsec_micros(),
            f.orig_len,
            f.caplen(),
            f.interface,
        );
        let want = (
            secs,
            micros,
            row[1].parse().unwrap(),
            row[2].parse().unwrap(),
            row[3].parse().unwrap(),
        );
        assert_eq!(got, want, "{name}: frame {}", f.number);
    }
}

#[test]
fn crafted_files_match_tshark() {
    if !tshark_available("crafted_files_match_tshark") {
        return;
    }
    let eth = [
        0xffu8, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06, 0, 1,
    ];
    let ip = [
        0x45u8, 0, 0, 20, 0, 0, 0, 0, 64, 17, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1,
    ];
    for le in [true, false] {
        let offset = if le {
            100_000i64.to_le_bytes()
        } else {
            100_000i64.to_be_bytes()
        };
        let mut file = shb(le);
        file.extend(idb(le, 1, 0, &[(14, &offset)])); // #0 Ethernet, us, +100000 s
        file.extend(idb(le, 101, 0, &[(9, &[9])])); // #1 raw IP, ns
        file.extend(idb(le, 1, 0, &[(9, &[0x8a])])); // #2 Ethernet, 2^-10 s
        file.extend(idb(le, 101, 0, &[(9, &[3])])); // #3 raw IP, ms
        file.extend(epb(le, 0, 1_600_000_000_654_321, &eth, 60));
        file.extend(epb(le, 1, 1_600_000_000_987_654_321, &ip, 20));
        file.extend(epb(le, 2, 1_600_000_000 * 1024 + 700, &eth, 64));
        file.extend(epb(le, 3, 1_600_000_000_123, &ip, 1500));
        file.extend(pb(le, 1, 1_600_000_001_000_000_001, &ip, 20));
        // A second section in the other byte order; interfaces start again.
        file.extend(shb(!le));
        file.extend(idb(!le, 101, 0, &[(9, &[9])]));
        file.extend(epb(!le, 0, 1_700_000_000_000_000_999, &ip, 20));
        compare(
            if le {
                "little-endian first"
            } else {
                "big-endian first"
            },
            &file,
        );
    }
}

#[test]
fn simple_packets_match_tshark_lengths() {
    if !tshark_available("simple_packets_match_tshark_lengths") {
        return;
    }
    let mut file = shb(true);
    file.extend(idb(true, 1, 8, &[])); // snaplen 8
    file.extend(spb(true, &[1, 2, 3, 4, 5, 6, 7, 8], 60));
    file.extend(spb(true, &[1, 2, 3], 3));
    compare("simple packet blocks", &file);
}
