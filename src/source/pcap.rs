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
mod tests;
