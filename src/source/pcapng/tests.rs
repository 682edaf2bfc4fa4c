use std::time::Duration;

use super::super::testdata::{block, epb, idb, options, pb, read_all, shb, spb, split};
use super::super::{CaptureReader, MAX_PCAPNG_BLOCK, RESYNC_LIMIT};
use crate::frame::LinkType;

/// if_tsresol option code.
const TSRESOL: u16 = 9;
/// if_tsoffset option code.
const TSOFFSET: u16 = 14;

/// SHB + IDB + EPB, little-endian, written out byte by byte.
#[test]
fn little_endian_by_hand() {
    #[rustfmt::skip]
    let file = [
        // --- Section Header Block ---
        0x0a, 0x0d, 0x0d, 0x0a, // block type SHB
        0x1c, 0x00, 0x00, 0x00, // block total length 28
        0x4d, 0x3c, 0x2b, 0x1a, // byte-order magic 0x1a2b3c4d, little-endian
        0x01, 0x00, 0x00, 0x00, // version 1.0
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // section length -1
        0x1c, 0x00, 0x00, 0x00, // block total length 28
        // --- Interface Description Block ---
        0x01, 0x00, 0x00, 0x00, // block type IDB
        0x14, 0x00, 0x00, 0x00, // block total length 20
        0x01, 0x00,             // link type 1 (Ethernet)
        0x00, 0x00,             // reserved
        0x00, 0x00, 0x04, 0x00, // snaplen 262144
        0x14, 0x00, 0x00, 0x00, // block total length 20
        // --- Enhanced Packet Block ---
        0x06, 0x00, 0x00, 0x00, // block type EPB
        0x24, 0x00, 0x00, 0x00, // block total length 36
        0x00, 0x00, 0x00, 0x00, // interface 0
        0x6d, 0x5c, 0x05, 0x00, // timestamp high 0x00055c6d
        0x00, 0x50, 0xf7, 0x70, // timestamp low 0x70f75000: 0x00055c6d70f75000 us
        0x03, 0x00, 0x00, 0x00, // captured length 3
        0x40, 0x00, 0x00, 0x00, // original length 64
        0xaa, 0xbb, 0xcc, 0x00, // data + 1 byte of padding
        0x24, 0x00, 0x00, 0x00, // block total length 36
    ];
    let (frames, warnings) = read_all(&file);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(frames.len(), 1);
    let f = &frames[0];
    assert_eq!(f.number, 1);
    // 0x00055c6d70f75000 = 1_509_000_000_000_000 us (default resolution: microseconds).
    assert_eq!(f.timestamp, Duration::from_secs(1_509_000_000));
    assert_eq!(
        (f.link_type, f.interface, f.orig_len),
        (LinkType::ETHERNET, 0, 64)
    );
    assert_eq!(f.data, [0xaa, 0xbb, 0xcc]);
}

/// One interface with the given IDB options, one EPB with raw timestamp `ts`.
fn one_packet(le: bool, opts: &[(u16, &[u8])], ts: u64) -> Duration {
    let mut file = shb(le);
    file.extend(idb(le, 1, 0, opts));
    file.extend(epb(le, 0, ts, &[1, 2, 3, 4], 4));
    let (frames, warnings) = read_all(&file);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(frames.len(), 1);
    frames[0].timestamp
}

#[test]
fn timestamp_resolutions_and_offset() {
    for le in [true, false] {
        // No if_tsresol: microseconds.
        assert_eq!(
            one_packet(le, &[], 1_600_000_000_123_456),
            Duration::new(1_600_000_000, 123_456_000)
        );
        // if_tsresol 6 (10^-6), explicit.
        assert_eq!(
            one_packet(le, &[(TSRESOL, &[6])], 1_600_000_000_123_456),
            Duration::new(1_600_000_000, 123_456_000)
        );
        // if_tsresol 9 (10^-9): exact to the nanosecond.
        assert_eq!(
            one_packet(le, &[(TSRESOL, &[9])], 1_600_000_000_123_456_789),
            Duration::new(1_600_000_000, 123_456_789)
        );
        // if_tsresol 0x8a (2^-10): 512 ticks = 0.5 s; one tick = 976562.5 ns, truncated.
        let bin = [(TSRESOL, &[0x8a][..])];
        assert_eq!(
            one_packet(le, &bin, 1_600_000_000 * 1024 + 512),
            Duration::new(1_600_000_000, 500_000_000)
        );
        assert_eq!(
            one_packet(le, &bin, 1_600_000_000 * 1024 + 1),
            Duration::new(1_600_000_000, 976_562)
        );
        // if_tsoffset: 1e9 seconds added to every timestamp.
        let offset = if le {
            1_000_000_000i64.to_le_bytes()
        } else {
            1_000_000_000i64.to_be_bytes()
        };
        assert_eq!(
            one_packet(le, &[(TSOFFSET, &offset)], 600_000_000_000_250),
            Duration::new(1_600_000_000, 250_000)
        );
        // Both options together, in either order.
        let ns = [9u8];
        assert_eq!(
            one_packet(
                le,
                &[(TSOFFSET, &offset), (TSRESOL, &ns)],
                600_000_000_000_000_007
            ),
            Duration::new(1_600_000_000, 7)
        );
    }
}

#[test]
fn two_interfaces_with_their_own_link_types_and_resolutions() {
    let le = true;
    let mut file = shb(le);
    file.extend(idb(le, 1, 0, &[])); // #0 Ethernet, microseconds
    file.extend(idb(le, 101, 0, &[(TSRESOL, &[9])])); // #1 raw IP, nanoseconds
    file.extend(epb(le, 1, 5_000_000_001, &[0x45], 1));
    file.extend(epb(le, 0, 5_000_001, &[0xff; 14], 14));
    let (frames, warnings) = read_all(&file);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(frames.len(), 2);
    assert_eq!(
        (frames[0].interface, frames[0].link_type),
        (1, LinkType::RAW)
    );
    assert_eq!(frames[0].timestamp, Duration::new(5, 1));
    assert_eq!(
        (frames[1].interface, frames[1].link_type),
        (0, LinkType::ETHERNET)
    );
    assert_eq!(frames[1].timestamp, Duration::new(5, 1000));
    assert_eq!((frames[0].number, frames[1].number), (1, 2));
}

#[test]
fn two_sections_reset_interfaces_and_may_change_byte_order() {
    let mut file = shb(true);
    file.extend(idb(true, 1, 0, &[])); // section 1: #0 Ethernet
    file.extend(idb(true, 113, 0, &[])); // section 1: #1 Linux SLL
    file.extend(epb(true, 1, 1, &[1], 1));
    let second = file.len() as u64;
    file.extend(shb(false)); // section 2, big-endian
    file.extend(idb(false, 101, 0, &[(TSRESOL, &[9])])); // section 2: #0 raw IP, ns
    let stale = file.len() as u64;
    file.extend(epb(false, 1, 2, &[2], 1)); // interface #1 no longer exists
    file.extend(epb(false, 0, 3, &[3], 1));
    let (frames, warnings) = read_all(&file);
    assert_eq!(frames.len(), 2);
    assert_eq!(
        (frames[0].link_type, frames[0].data[0]),
        (LinkType::LINUX_SLL, 1)
    );
    assert_eq!(frames[0].timestamp, Duration::from_micros(1));
    assert_eq!((frames[1].link_type, frames[1].data[0]), (LinkType::RAW, 3));
    assert_eq!(frames[1].timestamp, Duration::from_nanos(3));
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].offset, stale);
    assert!(
        warnings[0].message.contains("interface #1"),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[0].message.contains("only 1 interface"),
        "{}",
        warnings[0]
    );
    assert!(stale > second);
}

#[test]
fn simple_and_obsolete_packet_blocks_yield_frames_other_blocks_are_skipped() {
    let le = false;
    let mut file = shb(le);
    file.extend(idb(le, 1, 4, &[])); // snaplen 4
    file.extend(block(le, 4, &[0, 0, 0, 0])); // Name Resolution Block: just nrb_record_end
    file.extend(spb(le, &[9, 8, 7, 6], 60)); // orig 60, captured min(60, 4) = 4 bytes
    file.extend(block(le, 5, &[0; 12])); // Interface Statistics Block: if 0, timestamp 0
    file.extend(pb(le, 0, 7_000_001, &[5, 5], 2));
    file.extend(block(le, 0x0bad, &[0, 0, 0x7e, 0x4f, 1, 2, 3, 4])); // custom block, PEN 32335
    file.extend(block(le, 0x4000_0bad, &[0, 0, 0x7e, 0x4f])); // non-copiable custom block
    file.extend(block(le, 0x1234_5678, &[1, 2, 3])); // unknown type
    file.extend(block(le, 0x0a, &[0x54, 0x4c, 0x53, 0x4b, 0, 0, 0, 0])); // decryption secrets
    file.extend(epb(le, 0, 1, &[1, 1, 1], 3));
    let (frames, warnings) = read_all(&file);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(frames.len(), 3);
    assert_eq!(
        (frames[0].timestamp, frames[0].orig_len),
        (Duration::ZERO, 60)
    );
    assert_eq!(frames[0].data, [9, 8, 7, 6]);
    assert_eq!(frames[1].timestamp, Duration::new(7, 1000));
    assert_eq!(frames[1].data, [5, 5]);
    assert_eq!(frames[2].data, [1, 1, 1]);
    assert_eq!(
        frames.iter().map(|f| f.number).collect::<Vec<_>>(),
        [1, 2, 3]
    );
}

#[test]
fn orig_len_smaller_than_captured_is_raised() {
    let mut file = shb(true);
    file.extend(idb(true, 1, 0, &[]));
    file.extend(epb(true, 0, 0, &[1, 2, 3, 4, 5], 2));
    file.extend(pb(true, 0, 0, &[1, 2, 3], 0));
    let (frames, warnings) = read_all(&file);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!((frames[0].orig_len, frames[0].caplen()), (5, 5));
    assert_eq!((frames[1].orig_len, frames[1].caplen()), (3, 3));
}

/// A small file: SHB, IDB, EPB, ISB (skipped), EPB, EPB.
fn small_file() -> (Vec<u8>, Vec<(usize, usize, bool)>) {
    let le = true;
    let parts = [
        shb(le),
        idb(le, 1, 0, &[(TSRESOL, &[9])]),
        epb(le, 0, 1, &[0; 5], 5),
        block(le, 5, &[0; 12]),
        epb(le, 0, 2, &[1; 8], 8),
        epb(le, 0, 3, &[2; 1], 1),
    ];
    let mut file = vec![];
    let mut spans = vec![]; // (start, end, is a packet)
    for (i, part) in parts.iter().enumerate() {
        spans.push((file.len(), file.len() + part.len(), matches!(i, 2 | 4 | 5)));
        file.extend(part);
    }
    (file, spans)
}

#[test]
fn every_truncation_point() {
    let (file, spans) = small_file();
    for cut in 0..=file.len() {
        let prefix = &file[..cut];
        let reader = match CaptureReader::new(prefix) {
            Ok(reader) => reader,
            Err(e) => {
                assert!(cut < 28, "cut {cut}: {e}");
                continue;
            }
        };
        let (frames, warnings) = split(reader.collect());
        let complete_packets = spans
            .iter()
            .filter(|&&(_, end, pkt)| pkt && end <= cut)
            .count();
        assert_eq!(frames.len(), complete_packets, "cut {cut}");
        for (i, frame) in frames.iter().enumerate() {
            assert_eq!(frame.data[0], i as u8, "cut {cut}");
            assert_eq!(
                frame.timestamp,
                Duration::from_nanos(i as u64 + 1),
                "cut {cut}"
            );
        }
        match spans
            .iter()
            .find(|&&(start, end, _)| start < cut && cut < end)
        {
            None => assert!(warnings.is_empty(), "cut {cut}: {warnings:?}"),
            Some(&(start, end, _)) => {
                assert_eq!(warnings.len(), 1, "cut {cut}: {warnings:?}");
                assert_eq!(warnings[0].offset, start as u64, "cut {cut}");
                let present = cut - start;
                let missing = if present < 8 {
                    12 - present.min(12)
                } else {
                    end - cut
                };
                let text = &warnings[0].message;
                assert!(
                    text.contains(&format!("{missing} bytes missing")),
                    "cut {cut}: {text}"
                );
            }
        }
    }
}

/// SHB, IDB, one good EPB; returns the file and the offset where the next block goes.
fn good_start() -> Vec<u8> {
    let mut file = shb(true);
    file.extend(idb(true, 1, 0, &[]));
    file.extend(epb(true, 0, 1, &[0xa0], 1));
    file
}

/// Sets the leading length of the block at `at` (little-endian file).
fn set_len(file: &mut [u8], at: usize, len: u32) {
    file[at + 4..at + 8].copy_from_slice(&len.to_le_bytes());
}

#[test]
fn impossible_lengths_resync_to_the_next_block() {
    // (leading length, what the warning says)
    let cases: [(u32, &str); 4] = [
        (37, "not a multiple of 4"),
        (8, "less than the minimum 12"),
        (0, "less than the minimum 12"),
        (0x7fff_fff0, "more than the"),
    ];
    for (len, why) in cases {
        let mut file = good_start();
        let bad = file.len();
        file.extend(epb(true, 0, 2, &[0xbb; 9], 9)); // 48 bytes, length to be broken
        set_len(&mut file, bad, len);
        let next = file.len();
        file.extend(epb(true, 0, 3, &[0xc0], 1));
        let (frames, warnings) = read_all(&file);
        assert_eq!(frames.len(), 2, "len {len}: {warnings:?}");
        assert_eq!((frames[0].data[0], frames[1].data[0]), (0xa0, 0xc0));
        assert_eq!(frames[1].number, 2);
        assert_eq!(warnings.len(), 1, "len {len}");
        assert_eq!(warnings[0].offset, bad as u64);
        let text = &warnings[0].message;
        assert!(text.contains(why), "len {len}: {text}");
        assert!(
            text.contains(&format!("skipped {} bytes", next - bad)),
            "len {len}: {text}"
        );
        assert!(
            text.contains(&format!("at byte {next}")),
            "len {len}: {text}"
        );
    }
}

#[test]
fn length_beyond_the_end_of_the_file() {
    // Wrong length, a valid block inside the claimed span: resync.
    let mut file = good_start();
    let bad = file.len();
    file.extend(epb(true, 0, 2, &[0xbb; 4], 4)); // 36 bytes
    set_len(&mut file, bad, 4000);
    let next = file.len();
    file.extend(epb(true, 0, 3, &[0xc0], 1));
    let (frames, warnings) = read_all(&file);
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[1].data, [0xc0]);
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].offset, bad as u64);
    let text = &warnings[0].message;
    assert!(text.contains("claims 4000 bytes"), "{text}");
    assert!(
        text.contains(&format!("skipped {} bytes", next - bad)),
        "{text}"
    );

    // Nothing valid after: it is reported as a cut-off file.
    let mut file = good_start();
    let bad = file.len();
    file.extend([0x06, 0, 0, 0, 0xa0, 0x0f, 0, 0, 1, 2, 3, 4]); // EPB claiming 4000 bytes
    let (frames, warnings) = read_all(&file);
    assert_eq!(frames.len(), 1);
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].offset, bad as u64);
    assert!(
        warnings[0].message.contains("3988 bytes missing"),
        "{}",
        warnings[0]
    );
}

#[test]
fn trailing_length_mismatch_with_a_valid_block_after_keeps_the_packet() {
    let mut file = good_start();
    let bad = file.len();
    file.extend(epb(true, 0, 2, &[0xbb; 4], 4)); // 36 bytes
    let end = file.len();
    file[end - 4..end].copy_from_slice(&40u32.to_le_bytes()); // trailer says 40
    file.extend(epb(true, 0, 3, &[0xc0], 1));
    let (frames, warnings) = read_all(&file);
    assert_eq!(frames.len(), 3, "{warnings:?}");
    assert_eq!(frames[1].data, [0xbb; 4]);
    assert_eq!(frames[2].data, [0xc0]);
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].offset, bad as u64);
    assert!(
        warnings[0]
            .message
            .contains("ends with length 40 instead of 36"),
        "{}",
        warnings[0]
    );

    // The same block last in the file: the end of the file counts as a valid follower.
    let mut file = good_start();
    file.extend(epb(true, 0, 2, &[0xbb; 4], 4));
    let end = file.len();
    file[end - 4..end].copy_from_slice(&0u32.to_le_bytes());
    let (frames, warnings) = read_all(&file);
    assert_eq!(frames.len(), 2);
    assert_eq!(warnings.len(), 1);
}

#[test]
fn trailing_length_mismatch_without_a_valid_block_after_resyncs() {
    let mut file = good_start();
    let bad = file.len();
    // A block whose leading length (20) is too short: its trailer copy reads packet bytes.
    file.extend(epb(true, 0, 2, &[0xbb; 12], 12)); // 44 bytes
    set_len(&mut file, bad, 20);
    let next = file.len();
    file.extend(epb(true, 0, 3, &[0xc0], 1));
    let (frames, warnings) = read_all(&file);
    assert_eq!(frames.len(), 2, "{warnings:?}");
    assert_eq!(frames[1].data, [0xc0]);
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].offset, bad as u64);
    let text = &warnings[0].message;
    assert!(
        text.contains("mismatched lengths (20 at its start"),
        "{text}"
    );
    assert!(
        text.contains(&format!("skipped {} bytes", next - bad)),
        "{text}"
    );
}

#[test]
fn garbage_to_the_end_of_the_file() {
    let mut file = good_start();
    let bad = file.len();
    file.extend([0u8; 203]); // type 0, length 0, and not a multiple of 4 long
    let (frames, warnings) = read_all(&file);
    assert_eq!(frames.len(), 1);
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].offset, bad as u64);
    assert!(
        warnings[0]
            .message
            .contains("no valid block follows (203 bytes skipped"),
        "{}",
        warnings[0]
    );
}

#[test]
fn resync_gives_up_after_its_limit() {
    let mut file = good_start();
    let bad = file.len();
    file.extend(vec![0xffu8; RESYNC_LIMIT as usize + 64]);
    file.extend(epb(true, 0, 3, &[0xc0], 1)); // too far to be found
    let (frames, warnings) = read_all(&file);
    assert_eq!(frames.len(), 1);
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].offset, bad as u64);
    assert!(
        warnings[0].message.contains("reading stops"),
        "{}",
        warnings[0]
    );
}

#[test]
fn largest_block_is_accepted() {
    let mut file = good_start();
    let data = vec![0x11; MAX_PCAPNG_BLOCK as usize - 32];
    file.extend(epb(true, 0, 2, &data, data.len() as u32));
    let (frames, warnings) = read_all(&file);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(frames[1].caplen(), data.len());
}

#[test]
fn section_header_with_bad_byte_order_magic_mid_file() {
    let mut file = good_start();
    let bad = file.len();
    let mut broken = shb(false);
    broken[8..12].copy_from_slice(b"oops");
    file.extend(broken);
    file.extend(epb(true, 0, 3, &[0xc0], 1));
    let (frames, warnings) = read_all(&file);
    assert_eq!(frames.len(), 2);
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].offset, bad as u64);
    assert!(
        warnings[0].message.contains("byte-order magic 0x6f6f7073"),
        "{}",
        warnings[0]
    );
}

#[test]
fn unparsable_blocks_are_reported_and_skipped() {
    let le = true;
    let mut file = shb(le);
    file.extend(idb(le, 1, 0, &[]));
    let bad_iface = file.len();
    file.extend(epb(le, 7, 0, &[1], 1)); // interface 7 does not exist
    let bad_opts = file.len();
    let mut with_opts = epb(le, 0, 0, &[2], 1);
    // Replace the trailer with an epb_comment option holding invalid UTF-8, then re-frame.
    with_opts.truncate(with_opts.len() - 4);
    let body = [&with_opts[8..], &options(le, &[(1, &[0xff, 0xfe])])[..]].concat();
    file.extend(block(le, 6, &body));
    file.extend(epb(le, 0, 0, &[3], 1));
    let (frames, warnings) = read_all(&file);
    assert_eq!(frames.iter().map(|f| f.data[0]).collect::<Vec<_>>(), [2, 3]);
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert_eq!(warnings[0].offset, bad_iface as u64);
    assert!(
        warnings[0].message.contains("interface #7"),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[0].message.contains("packet skipped"),
        "{}",
        warnings[0]
    );
    assert_eq!(warnings[1].offset, bad_opts as u64);
    assert!(
        warnings[1].message.contains("packet is kept"),
        "{}",
        warnings[1]
    );
}

#[test]
fn simple_packet_before_any_interface() {
    let mut file = shb(true);
    let bad = file.len();
    file.extend(spb(true, &[1, 2, 3, 4], 4));
    let (frames, warnings) = read_all(&file);
    assert!(frames.is_empty());
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].offset, bad as u64);
    assert!(
        warnings[0].message.contains("before any interface"),
        "{}",
        warnings[0]
    );
}

#[test]
fn damaged_interface_keeps_its_number() {
    let le = true;
    let mut file = shb(le);
    let bad = file.len();
    // if_tsresol with a wrong size (2 bytes instead of 1): options unreadable.
    file.extend(idb(le, 113, 0, &[(TSRESOL, &[9, 9])]));
    file.extend(idb(le, 101, 0, &[(TSRESOL, &[9])]));
    file.extend(epb(le, 0, 1_000_000, &[1], 1));
    file.extend(epb(le, 1, 1_000_000, &[2], 1));
    let (frames, warnings) = read_all(&file);
    assert_eq!(frames.len(), 2);
    // Interface #0 kept its link type; microseconds assumed.
    assert_eq!(
        (frames[0].link_type, frames[0].timestamp),
        (LinkType::LINUX_SLL, Duration::from_secs(1))
    );
    // Interface #1 is still #1.
    assert_eq!(
        (frames[1].link_type, frames[1].timestamp),
        (LinkType::RAW, Duration::from_millis(1))
    );
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].offset, bad as u64);
    assert!(
        warnings[0].message.contains("interface #0"),
        "{}",
        warnings[0]
    );
}

#[test]
fn nonzero_reserved_field_in_interface_is_ignored() {
    let mut file = shb(true);
    let mut desc = idb(true, 1, 0, &[(TSRESOL, &[9])]);
    desc[10] = 0x12; // reserved field
    file.extend(desc);
    file.extend(epb(true, 0, 5, &[1], 1));
    let (frames, warnings) = read_all(&file);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(frames[0].timestamp, Duration::from_nanos(5));
}

#[test]
fn damaged_section_header_options_still_start_a_section() {
    let mut file = good_start();
    let bad = file.len();
    // A big-endian SHB whose shb_comment is invalid UTF-8.
    let mut body = vec![0x1a, 0x2b, 0x3c, 0x4d, 0, 1, 0, 0]; // magic, version 1.0
    body.extend([0xff; 8]); // section length -1
    body.extend(options(false, &[(1, &[0xc3, 0x28])]));
    file.extend(block(false, 0x0a0d_0d0a, &body));
    file.extend(idb(false, 101, 0, &[]));
    file.extend(epb(false, 0, 1, &[0x45], 1));
    let (frames, warnings) = read_all(&file);
    assert_eq!(frames.len(), 2, "{warnings:?}");
    assert_eq!(frames[1].link_type, LinkType::RAW);
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].offset, bad as u64);
    assert!(
        warnings[0].message.contains("new section starts here"),
        "{}",
        warnings[0]
    );
}

#[test]
fn many_packets_stream_in_order() {
    let mut file = shb(true);
    file.extend(idb(true, 1, 0, &[(TSRESOL, &[9])]));
    for i in 0..5000u32 {
        file.extend(epb(true, 0, u64::from(i), &i.to_le_bytes(), 60));
    }
    let mut n = 0u32;
    for event in CaptureReader::new(&file[..]).unwrap() {
        let crate::source::SourceEvent::Frame(f) = event else {
            panic!("{event:?}")
        };
        assert_eq!(f.data, n.to_le_bytes());
        assert_eq!(f.number, u64::from(n) + 1);
        n += 1;
    }
    assert_eq!(n, 5000);
}
