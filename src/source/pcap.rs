//! Classic pcap: the 24-byte file header, then 16-byte record headers each followed by data.
//!
//! Framing is done here (record header, bounds, truncation); pcap-file's slice parser reads
//! the header and each complete record. Unlike `PcapParser::next_packet`, a record longer
//! than the header's snap length is accepted (tools write such files; pcap-file 2.0.0 even
//! looped forever on them), and so is an original length smaller than the captured length.
#![forbid(unsafe_code)]

use std::collections::VecDeque;
use std::io::{self, Read};
use std::time::Duration;

use pcap_file::Endianness;
use pcap_file::pcap::{PcapParser, PcapTsResolution};

use super::step::{Flow, frame_event, warning};
use super::window::Window;
use super::{CaptureFormat, MAX_PCAP_RECORD, SourceEvent};
use crate::frame::LinkType;

/// Length of the pcap file header.
pub(crate) const FILE_HEADER_LEN: usize = 24;
/// Length of a pcap record header.
const RECORD_HEADER_LEN: usize = 16;

/// Reads the records of a pcap file after its header.
#[derive(Debug)]
pub(crate) struct PcapRecords {
    parser: PcapParser,
    link_type: LinkType,
    /// The file header, to make a copy of the parser (pcap-file's is not `Clone`).
    header: [u8; FILE_HEADER_LEN],
}

impl Clone for PcapRecords {
    fn clone(&self) -> Self {
        // The header parsed once already, so it parses again.
        match PcapRecords::from_header(&self.header) {
            Some((records, _)) => records,
            None => unreachable!("a pcap header that parsed once parses again"),
        }
    }
}

impl PcapRecords {
    /// Parses the file header (at least [`FILE_HEADER_LEN`] bytes, starting with a pcap magic).
    pub(crate) fn from_header(bytes: &[u8]) -> Option<(PcapRecords, CaptureFormat)> {
        let raw_header: [u8; FILE_HEADER_LEN] = *bytes.first_chunk()?;
        let (_, parser) = PcapParser::new(bytes).ok()?;
        let header = parser.header();
        // The upper 16 bits may carry FCS information (LT_LINKTYPE_EXT); the type is below.
        let link_type = LinkType(u32::from(header.datalink) & 0xffff);
        let format = CaptureFormat::Pcap {
            big_endian: header.endianness == Endianness::Big,
            nanos: header.ts_resolution == PcapTsResolution::NanoSecond,
            link_type,
            snaplen: header.snaplen,
        };
        Some((
            PcapRecords {
                parser,
                link_type,
                header: raw_header,
            },
            format,
        ))
    }

    /// Reads the next record: pushes a frame, or a warning and ends.
    pub(crate) fn step<R: Read>(
        &mut self,
        win: &mut Window<R>,
        out: &mut VecDeque<SourceEvent>,
    ) -> io::Result<Flow> {
        let offset = win.offset();
        let avail = win.fill(RECORD_HEADER_LEN)?;
        if avail == 0 {
            return Ok(if win.waits_at_end() {
                Flow::Wait
            } else {
                Flow::End
            });
        }
        if avail < RECORD_HEADER_LEN {
            if win.waits_at_end() {
                return Ok(Flow::Wait);
            }
            out.push_back(warning(
                offset,
                format!(
                    "the file ends inside a record header: {avail} of its {RECORD_HEADER_LEN} \
                     bytes are present (at least {} bytes missing); the capture was cut off",
                    RECORD_HEADER_LEN - avail
                ),
            ));
            win.consume(avail);
            return Ok(Flow::End);
        }
        let incl_len = self.u32_at(win.bytes(), 8);
        if incl_len > MAX_PCAP_RECORD {
            out.push_back(warning(
                offset,
                format!(
                    "the record here claims {incl_len} captured bytes, more than the \
                     {MAX_PCAP_RECORD} any capture tool writes: the file is damaged. pcap has \
                     no markers to find the next record, so reading stops here"
                ),
            ));
            return Ok(Flow::End);
        }
        // incl_len <= 262144: no overflow on any platform.
        let need = RECORD_HEADER_LEN + incl_len as usize;
        let avail = win.fill(need)?;
        if avail < need {
            if win.waits_at_end() {
                return Ok(Flow::Wait);
            }
            out.push_back(warning(
                offset,
                format!(
                    "the file ends inside this record: it needs {need} bytes (16 of header, \
                     {incl_len} of data), only {avail} are present, {} bytes missing; the \
                     capture was cut off",
                    need - avail
                ),
            ));
            win.consume(avail);
            return Ok(Flow::End);
        }
        let record = win.bytes().get(..need).unwrap_or(&[]);
        match self.parser.next_raw_packet(record) {
            Ok((_, raw)) => {
                let frac_nanos = match self.parser.header().ts_resolution {
                    PcapTsResolution::MicroSecond => u64::from(raw.ts_frac) * 1000,
                    PcapTsResolution::NanoSecond => u64::from(raw.ts_frac),
                };
                // An out-of-range fraction (>= 1 s) carries into the seconds, like libpcap.
                let timestamp =
                    Duration::from_secs(u64::from(raw.ts_sec)) + Duration::from_nanos(frac_nanos);
                let orig_len = raw.orig_len.max(incl_len);
                out.push_back(frame_event(
                    timestamp,
                    self.link_type,
                    orig_len,
                    0,
                    &raw.data,
                ));
            }
            Err(e) => {
                // Not reachable (the record is complete), but never trust that.
                out.push_back(warning(
                    offset,
                    format!("cannot read this record: {e}; reading stops"),
                ));
                return Ok(Flow::End);
            }
        }
        win.consume(need);
        Ok(Flow::Continue)
    }

    /// The u32 at `at` in the file's byte order (0 if out of range).
    fn u32_at(&self, bytes: &[u8], at: usize) -> u32 {
        let Some(field) = bytes.get(at..).and_then(|b| b.first_chunk::<4>()) else {
            return 0;
        };
        match self.parser.header().endianness {
            Endianness::Big => u32::from_be_bytes(*field),
            Endianness::Little => u32::from_le_bytes(*field),
        }
    }
}

#[cfg(test)]
mod tests {
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
}
