//! Messages that span TCP segments, collected as Wireshark's TCP desegmentation does.
//!
//! When a dissector answers [`Outcome::More`], the bytes from the incomplete message on are
//! kept for that direction of the stream, with the dissector that asked. The next in-order
//! segment is appended and the dissector called again on the whole. A segment that does not
//! continue the kept bytes (a gap: a segment was not captured) drops them. Every buffer is
//! capped at [`MAX_PDU`] bytes and at most [`MAX_PENDING`] directions are kept at once, so
//! memory stays flat.
//!
//! A message that runs to the close of its direction ([`Outcome::UntilFin`], Wireshark's
//! `DESEGMENT_UNTIL_FIN`) is kept the same way; the segment with the FIN completes it, and a
//! FIN without data is handed the kept bytes alone (tshark lists it as `#N(0)` among the
//! reassembled segments). A RST, or the end of the capture, never shows it (as tshark).

use foldhash::HashMap;

use super::{Dissector, Endpoints, Outcome, TcpSegmentInfo};

/// Largest message collected (1 MiB); a longer one is shown as far as its first segments
/// go and marked not reassembled by its dissector.
pub const MAX_PDU: usize = 1 << 20;
/// Most stream directions with bytes kept at once.
pub const MAX_PENDING: usize = 4096;

#[derive(Debug, Clone)]
struct Pending {
    /// Raw sequence number just after the kept bytes.
    next_seq: u32,
    bytes: Vec<u8>,
    /// Frames the kept bytes came from, with how many bytes each gave.
    segments: Vec<(u64, u32)>,
    dissector: Dissector,
    /// The message runs to the FIN ([`Outcome::UntilFin`]).
    until_fin: bool,
}

/// The kept bytes of every stream direction.
#[derive(Debug, Clone, Default)]
pub struct Pdus {
    pending: HashMap<(u32, bool), Pending>,
}

impl Pdus {
    pub(super) fn approx_bytes(&self) -> usize {
        self.pending
            .values()
            .map(|p| p.bytes.capacity() + p.segments.capacity() * 16 + 64)
            .sum()
    }

    /// Are bytes kept, up to `seg`, for a message that runs to the FIN of this direction?
    pub(super) fn until_fin(&self, ends: Endpoints, seg: TcpSegmentInfo) -> bool {
        !self.pending.is_empty()
            && self
                .pending
                .get(&(seg.stream, ends.src < ends.dst))
                .is_some_and(|p| p.until_fin && p.next_seq == seg.seq)
    }

    /// Runs `dissect(data, carried, segments, pinned)` on this segment's payload with any kept
    /// bytes before it (`carried` of them, from the frames in `segments`); `pinned` is the
    /// dissector that asked for more. It returns the dissector that took the bytes and what
    /// it did with them.
    pub(super) fn segment(
        &mut self,
        frame: u64,
        ends: Endpoints,
        seg: TcpSegmentInfo,
        payload: &[u8],
        dissect: impl FnOnce(
            &[u8],
            usize,
            &[(u64, u32)],
            Option<Dissector>,
        ) -> (Option<Dissector>, Outcome),
    ) -> Outcome {
        let key = (seg.stream, ends.src < ends.dst);
        let len = u32::try_from(payload.len()).unwrap_or(u32::MAX);
        // (An empty map is not asked: removing hashes the key first.)
        let kept = if self.pending.is_empty() {
            None
        } else {
            self.pending.remove(&key).filter(|p| p.next_seq == seg.seq)
        };
        let (d, outcome, mut bytes, mut segments) = match kept {
            Some(mut p) => {
                let carried = p.bytes.len();
                p.bytes.extend_from_slice(payload);
                let (d, o) = dissect(&p.bytes, carried, &p.segments, Some(p.dissector));
                (d, o, p.bytes, p.segments)
            }
            None => {
                let (d, o) = dissect(payload, 0, &[], None);
                (d, o, Vec::new(), Vec::new())
            }
        };
        let (offset, until_fin) = match outcome {
            Outcome::More { offset } => (offset, false),
            Outcome::UntilFin { offset } => (offset, true),
            Outcome::Rejected | Outcome::Done => return outcome,
        };
        // Nothing follows a FIN in this direction: nothing is kept.
        if let Some(d) = d.filter(|_| !seg.fin) {
            let whole_len = if bytes.is_empty() {
                payload.len()
            } else {
                bytes.len()
            };
            if offset < whole_len {
                let carried = whole_len - payload.len();
                if bytes.is_empty() {
                    bytes = payload.get(offset..).unwrap_or(&[]).to_vec();
                } else {
                    bytes.drain(..offset);
                }
                if offset >= carried {
                    // The kept message starts in this frame.
                    segments.clear();
                    segments.push((frame, u32::try_from(bytes.len()).unwrap_or(u32::MAX)));
                } else {
                    segments.push((frame, len));
                }
                if bytes.len() <= MAX_PDU {
                    if self.pending.len() >= MAX_PENDING {
                        self.pending.clear();
                    }
                    self.pending.insert(
                        key,
                        Pending {
                            next_seq: seg.seq.wrapping_add(len),
                            bytes,
                            segments,
                            dissector: d,
                            until_fin,
                        },
                    );
                }
            }
        }
        outcome
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;

    fn ends() -> Endpoints {
        Endpoints {
            src: SocketAddr::from(([10, 0, 0, 1], 80)),
            dst: SocketAddr::from(([10, 0, 0, 2], 40000)),
        }
    }

    fn seg(seq: u32) -> TcpSegmentInfo {
        TcpSegmentInfo {
            stream: 0,
            seq,
            retransmission: false,
            fin: false,
        }
    }

    /// A toy protocol: one length byte, then that many bytes.
    fn toy(data: &[u8]) -> Outcome {
        let mut at = 0;
        while at < data.len() {
            let n = usize::from(data[at]) + 1;
            if at + n > data.len() {
                return Outcome::More { offset: at };
            }
            at += n;
        }
        Outcome::Done
    }

    #[test]
    fn a_message_over_three_segments_is_given_whole_to_the_last() {
        type Seen = Vec<(Vec<u8>, usize, Vec<(u64, u32)>)>;
        let mut p = Pdus::default();
        let mut seen: Seen = Vec::new();
        let run = |p: &mut Pdus, seen: &mut Seen, frame, seq, bytes: &[u8]| {
            p.segment(frame, ends(), seg(seq), bytes, |data, carried, segs, _| {
                seen.push((data.to_vec(), carried, segs.to_vec()));
                (Some(Dissector::Http), toy(data))
            })
        };
        let more = |offset| Outcome::More { offset };
        assert_eq!(run(&mut p, &mut seen, 1, 100, &[5, 1, 2]), more(0));
        assert_eq!(run(&mut p, &mut seen, 2, 103, &[3]), more(0));
        assert_eq!(run(&mut p, &mut seen, 3, 104, &[4, 5, 1]), more(6));
        assert_eq!(
            seen[2],
            (vec![5, 1, 2, 3, 4, 5, 1], 4, vec![(1, 3), (2, 1)])
        );
        // The next message started in frame 3; frame 4 completes it.
        assert_eq!(run(&mut p, &mut seen, 4, 107, &[9]), Outcome::Done);
        assert_eq!(seen[3], (vec![1, 9], 1, vec![(3, 1)]));
        assert!(p.pending.is_empty());
    }

    #[test]
    fn a_fin_hands_over_what_runs_to_it_and_keeps_nothing() {
        let mut p = Pdus::default();
        let until = |_: &[u8], _: usize, _: &[(u64, u32)], _| {
            (Some(Dissector::Http), Outcome::UntilFin { offset: 0 })
        };
        p.segment(1, ends(), seg(10), &[1, 2], until);
        assert!(p.until_fin(ends(), seg(12)));
        assert!(!p.until_fin(ends(), seg(13)));
        let fin = TcpSegmentInfo {
            fin: true,
            ..seg(12)
        };
        let mut seen = Vec::new();
        p.segment(2, ends(), fin, &[], |data, carried, segs, pinned| {
            seen.push((data.to_vec(), carried, segs.to_vec(), pinned));
            (pinned, Outcome::UntilFin { offset: 0 })
        });
        assert_eq!(seen, [(vec![1, 2], 2, vec![(1, 2)], Some(Dissector::Http))]);
        assert!(p.pending.is_empty());
        // A message that asked for more (a length) is not one that runs to the FIN.
        p.segment(3, ends(), seg(20), &[9], |_, _, _, _| {
            (Some(Dissector::Tls), Outcome::More { offset: 0 })
        });
        assert!(!p.until_fin(ends(), seg(21)));
    }

    #[test]
    fn a_gap_drops_the_kept_bytes_and_the_cap_holds() {
        let mut p = Pdus::default();
        let f = |data: &[u8], _: usize, _: &[(u64, u32)], _| (Some(Dissector::Tls), toy(data));
        p.segment(1, ends(), seg(0), &[200, 1], f);
        assert_eq!(p.pending.len(), 1);
        p.segment(2, ends(), seg(50), &[0], f);
        assert!(p.pending.is_empty());
        let big = vec![0u8; MAX_PDU + 10];
        p.segment(3, ends(), seg(0), &big, |_, _, _, _| {
            (Some(Dissector::Tls), Outcome::More { offset: 0 })
        });
        assert!(p.pending.is_empty());
    }
}
