use std::time::Duration;

use super::super::testdata::{self, pcap_header, pcap_record, read_all};
use super::super::{CaptureFormat, CaptureReader, MAX_PCAP_RECORD};
use crate::frame::LinkType;

/// A little-endian microsecond pcap written out byte by byte.
#[test]
fn little_endian_micro_by_hand() {
    #[rustfmt::skip]
    let file = [
        // --- file header ---
        0xd4, 0xc3, 0xb2, 0xa1, // magic 0xa1b2c3d4 written little-endian: LE, microseconds
        0x02, 0x00, 0x04, 0x00, // version 2.4
        0x00, 0x00, 0x00, 0x00, // thiszone
        0x00, 0x00, 0x00, 0x00, // sigfigs
        0xff, 0xff, 0x00, 0x00, // snaplen 65535
        0x01, 0x00, 0x00, 0x00, // link type 1 (Ethernet)
        // --- record 1 ---
        0x00, 0x5e, 0x10, 0x5f, // ts_sec  0x5f105e00 = 1594908160
        0x40, 0xe2, 0x01, 0x00, // ts_usec 0x0001e240 = 123456
        0x04, 0x00, 0x00, 0x00, // incl_len 4
        0x3c, 0x00, 0x00, 0x00, // orig_len 60
        0xde, 0xad, 0xbe, 0xef, // data
        // --- record 2 ---
        0x01, 0x5e, 0x10, 0x5f, // ts_sec 1594908161
        0x3f, 0x42, 0x0f, 0x00, // ts_usec 999999
        0x02, 0x00, 0x00, 0x00, // incl_len 2
        0x02, 0x00, 0x00, 0x00, // orig_len 2
        0x01, 0x02,             // data
    ];
    let reader = CaptureReader::new(&file[..]).unwrap();
    assert_eq!(
        *reader.format(),
        CaptureFormat::Pcap {
            big_endian: false,
            nanos: false,
            link_type: LinkType::ETHERNET,
            snaplen: 65535
        }
    );
    let (frames, warnings) = read_all(&file);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[0].number, 1);
    assert_eq!(
        frames[0].timestamp,
        Duration::new(1_594_908_160, 123_456_000)
    );
    assert_eq!(frames[0].orig_len, 60);
    assert_eq!(frames[0].data, [0xde, 0xad, 0xbe, 0xef]);
    assert_eq!(frames[0].link_type, LinkType::ETHERNET);
    assert_eq!(frames[0].interface, 0);
    assert_eq!(frames[1].number, 2);
    assert_eq!(
        frames[1].timestamp,
        Duration::new(1_594_908_161, 999_999_000)
    );
    assert_eq!(frames[1].data, [1, 2]);
}

/// A big-endian nanosecond pcap written out byte by byte.
#[test]
fn big_endian_nano_by_hand() {
    #[rustfmt::skip]
    let file = [
        0xa1, 0xb2, 0x3c, 0x4d, // magic: BE, nanoseconds
        0x00, 0x02, 0x00, 0x04, // version 2.4
        0x00, 0x00, 0x00, 0x00, // thiszone
        0x00, 0x00, 0x00, 0x00, // sigfigs
        0x00, 0x04, 0x00, 0x00, // snaplen 262144
        0x00, 0x00, 0x00, 0x65, // link type 101 (raw IP)
        0x5f, 0x10, 0x5e, 0x00, // ts_sec 1594908160
        0x3b, 0x9a, 0xc9, 0xff, // ts_nsec 999999999
        0x00, 0x00, 0x00, 0x01, // incl_len 1
        0x00, 0x00, 0x00, 0x01, // orig_len 1
        0x45, 0x00, 0x00, 0x00, // data 0x45, then 3 bytes of trailing junk (not a record)
    ];
    let reader = CaptureReader::new(&file[..]).unwrap();
    assert_eq!(
        *reader.format(),
        CaptureFormat::Pcap {
            big_endian: true,
            nanos: true,
            link_type: LinkType::RAW,
            snaplen: 262_144
        }
    );
    let (frames, warnings) = read_all(&file);
    assert_eq!(frames.len(), 1);
    assert_eq!(
        frames[0].timestamp,
        Duration::new(1_594_908_160, 999_999_999)
    );
    assert_eq!(frames[0].data, [0x45]);
    // The 3 junk bytes are a cut record header at offset 24 + 16 + 1 = 41.
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].offset, 41);
    assert!(
        warnings[0].message.contains("13 bytes missing"),
        "{}",
        warnings[0]
    );
}

#[test]
fn all_four_magics_agree() {
    for le in [false, true] {
        for nanos in [false, true] {
            let frac = if nanos { 123_456_789 } else { 123_456 };
            let mut file = pcap_header(le, nanos, 65535, 1);
            file.extend(pcap_record(le, 1_700_000_000, frac, &[1, 2, 3], 3));
            file.extend(pcap_record(le, 1_700_000_001, 0, &[4; 70], 1514));
            let reader = CaptureReader::new(&file[..]).unwrap();
            assert_eq!(
                *reader.format(),
                CaptureFormat::Pcap {
                    big_endian: !le,
                    nanos,
                    link_type: LinkType::ETHERNET,
                    snaplen: 65535
                }
            );
            let (frames, warnings) = read_all(&file);
            assert!(warnings.is_empty());
            let want_ns = if nanos { 123_456_789 } else { 123_456_000 };
            assert_eq!(
                frames[0].timestamp,
                Duration::new(1_700_000_000, want_ns),
                "le={le} nanos={nanos}"
            );
            assert_eq!(frames[0].data, [1, 2, 3]);
            assert_eq!(frames[1].timestamp, Duration::from_secs(1_700_000_001));
            assert_eq!((frames[1].caplen(), frames[1].orig_len), (70, 1514));
        }
    }
}

/// pcap-file 2.0.0's reader returned an error without consuming the record when
/// incl_len > snaplen, so iterating it looped forever. Such records must be read.
#[test]
fn regression_pcap_file_2_incl_len_above_snaplen_looped_forever() {
    let mut file = pcap_header(true, false, 64, 1); // snaplen 64
    file.extend(pcap_record(true, 10, 0, &[7; 100], 100)); // 100 > 64
    file.extend(pcap_record(true, 11, 0, &[8; 64], 64));
    let (frames, warnings) = read_all(&file);
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[0].data, vec![7; 100]);
    assert_eq!(frames[1].data, vec![8; 64]);
}

#[test]
fn record_longer_than_wireshark_max_stops_with_warning() {
    let mut file = pcap_header(true, false, 65535, 1);
    file.extend(pcap_record(true, 1, 0, &[1, 2], 2));
    let bad_at = file.len() as u64;
    // Record header only, claiming 262145 bytes.
    file.extend(testdata::le32s(&[
        2,
        0,
        MAX_PCAP_RECORD + 1,
        MAX_PCAP_RECORD + 1,
    ]));
    file.extend([0u8; 64]);
    let (frames, warnings) = read_all(&file);
    assert_eq!(frames.len(), 1);
    assert_eq!(warnings.len(), 1);
    assert_eq!(warnings[0].offset, bad_at);
    assert!(warnings[0].message.contains("262145"), "{}", warnings[0]);
    assert!(
        warnings[0].message.contains("reading stops"),
        "{}",
        warnings[0]
    );
}

#[test]
fn record_of_exactly_wireshark_max_is_read() {
    let mut file = pcap_header(false, false, 65535, 1);
    let big = vec![0x55; MAX_PCAP_RECORD as usize];
    file.extend(pcap_record(false, 1, 0, &big, MAX_PCAP_RECORD));
    let (frames, warnings) = read_all(&file);
    assert!(warnings.is_empty());
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].caplen(), MAX_PCAP_RECORD as usize);
}

#[test]
fn orig_len_smaller_than_incl_len_is_raised() {
    let mut file = pcap_header(true, false, 65535, 1);
    file.extend(pcap_record(true, 1, 0, &[1, 2, 3, 4, 5], 2)); // orig_len 2 < incl_len 5
    let (frames, warnings) = read_all(&file);
    assert!(warnings.is_empty());
    assert_eq!(frames[0].orig_len, 5);
    assert_eq!(frames[0].caplen(), 5);
}

#[test]
fn microsecond_fraction_over_one_second_carries() {
    let mut file = pcap_header(true, false, 65535, 1);
    file.extend(pcap_record(true, 5, 1_500_000, &[1], 1)); // 1.5 s in the usec field
    file.extend(pcap_record(true, u32::MAX, u32::MAX, &[1], 1)); // extremes: no overflow
    let (frames, _) = read_all(&file);
    assert_eq!(frames[0].timestamp, Duration::new(6, 500_000_000));
    assert_eq!(
        frames[1].timestamp,
        Duration::from_secs(u64::from(u32::MAX)) + Duration::from_micros(u64::from(u32::MAX))
    );
}

#[test]
fn fcs_bits_of_link_type_are_masked() {
    // 0x14000001: FCS length 1 (x16 bits) present, link type 1.
    let file = pcap_header(true, false, 65535, 0x1400_0001);
    let reader = CaptureReader::new(&file[..]).unwrap();
    assert!(matches!(
        reader.format(),
        CaptureFormat::Pcap {
            link_type: LinkType::ETHERNET,
            ..
        }
    ));
}

#[test]
fn every_truncation_point() {
    let mut file = pcap_header(true, false, 65535, 1);
    let mut ends = vec![];
    for (i, len) in [10usize, 0, 3, 60].into_iter().enumerate() {
        file.extend(pcap_record(
            true,
            i as u32,
            0,
            &vec![i as u8; len],
            len as u32,
        ));
        ends.push(file.len());
    }
    for cut in 0..=file.len() {
        let prefix = &file[..cut];
        let reader = match CaptureReader::new(prefix) {
            Ok(reader) => reader,
            Err(e) => {
                assert!(cut < 24, "cut {cut}: {e}");
                continue;
            }
        };
        let events: Vec<_> = reader.collect();
        let (frames, warnings) = testdata::split(events);
        let complete = ends.iter().filter(|&&end| end <= cut).count();
        assert_eq!(frames.len(), complete, "cut {cut}");
        for (i, frame) in frames.iter().enumerate() {
            assert_eq!(frame.number, i as u64 + 1);
            assert_eq!(frame.data, vec![i as u8; frame.caplen()]);
        }
        let record_start = if complete == 0 {
            24
        } else {
            ends[complete - 1]
        };
        if cut == record_start {
            assert!(warnings.is_empty(), "cut {cut}: {warnings:?}");
        } else {
            assert_eq!(warnings.len(), 1, "cut {cut}");
            assert_eq!(warnings[0].offset, record_start as u64, "cut {cut}");
            let end = ends[complete];
            let present = cut - record_start;
            let missing = if present < 16 {
                16 - present
            } else {
                end - cut
            };
            assert!(
                warnings[0]
                    .message
                    .contains(&format!("{missing} bytes missing")),
                "cut {cut}: {}",
                warnings[0]
            );
        }
    }
}
