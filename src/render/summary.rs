//! The end of a `craft` run: bytes and segments each way, retransmissions, RTT, goodput and how
//! the connection ended, in a few aligned lines.

use std::io::{self, Write};
use std::time::Duration;

use std::net::SocketAddrV4;

/// What the summary of a `craft` run shows: the numbers of one connection, filled by the
/// driver from the TCP engine's counters (render never sees the engine itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CraftSummary {
    /// Our socket address.
    pub local: SocketAddrV4,
    /// The server's.
    pub remote: SocketAddrV4,
    /// From the SYN sent to the SYN-ACK accepted, if the handshake completed.
    pub handshake: Option<Duration>,
    /// Data bytes sent (retransmissions included).
    pub data_bytes_sent: u64,
    /// Data segments sent (retransmissions included).
    pub data_segments_sent: u64,
    /// Data bytes the peer acknowledged (each counted once).
    pub bytes_acked: u64,
    /// Segments sent again.
    pub retransmissions: u64,
    /// Retransmission timeouts.
    pub timeouts: u64,
    /// Fast retransmits.
    pub fast_retransmits: u64,
    /// Data bytes delivered in order.
    pub bytes_received: u64,
    /// Data segments received.
    pub data_segments_received: u64,
    /// Segments received out of order.
    pub early_segments: u64,
    /// Duplicate ACKs received.
    pub dup_acks: u64,
    /// RTT samples: how many, and min, mean, max when there are any.
    pub rtt_samples: u64,
    /// Smallest, mean and largest RTT sample.
    pub rtt: Option<(Duration, Duration, Duration)>,
    /// When the first data was sent and the last ACK arrived.
    pub data_span: Option<(Duration, Duration)>,
    /// Zero-window probes sent.
    pub window_probes: u64,
    /// Frames sent and received.
    pub frames_sent: u64,
    /// Frames received for this conversation.
    pub frames_received: u64,
    /// How the connection ended.
    pub ending: Ending,
    /// With `craft --loss`: what it dropped.
    pub loss: Option<LossSummary>,
}

/// What `craft --loss` dropped, for the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LossSummary {
    /// Frames built and recorded but never put on the wire (marked "dropped by --loss" in
    /// the list and the pcapng).
    pub sent_dropped: u64,
    /// Frames that arrived on the interface and were thrown away before wirelab saw them
    /// (in neither the list nor the pcapng).
    pub received_dropped: u64,
}

/// How a crafted connection ended, as the summary says it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Ending {
    /// Both FINs were sent and acknowledged.
    #[default]
    Closed,
    /// The SYN was answered with a RST.
    Refused,
    /// The SYN was never answered.
    SynTimedOut,
    /// The server stopped acknowledging.
    AckTimedOut,
    /// Our FIN was acknowledged, the server never sent its own.
    PeerFinTimedOut,
    /// Reset by the server, in the named state.
    Reset(String),
    /// wirelab gave up and sent a RST.
    Aborted,
}

/// Milliseconds with three decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1000.0)
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Bytes per second as MB/s and Mbit/s (kB/s and kbit/s below one MB/s).
pub fn rate(bytes: u64, secs: f64) -> String {
    if secs <= 0.0 {
        return "-".into();
    }
    let bps = bytes as f64 / secs;
    if bps < 1e6 {
        return format!("{:.1} kB/s ({:.0} kbit/s)", bps / 1e3, bps * 8.0 / 1e3);
    }
    format!("{:.1} MB/s ({:.0} Mbit/s)", bps / 1e6, bps * 8.0 / 1e6)
}

/// How the connection ended, in one line.
pub fn outcome_text(r: &CraftSummary) -> String {
    match &r.ending {
        Ending::Closed => "cleanly: both FINs sent and acknowledged".into(),
        Ending::Refused => format!("refused: nothing listens on {}", r.remote),
        Ending::SynTimedOut => "timed out: the SYN was never answered".into(),
        Ending::AckTimedOut => "timed out: the server stopped acknowledging".into(),
        Ending::PeerFinTimedOut => {
            "half: our FIN was acknowledged, the server never sent its own".into()
        }
        Ending::Reset(state) => format!("reset by the server (in {state})"),
        Ending::Aborted => "aborted: wirelab sent a RST".into(),
    }
}

/// Writes the summary of a `craft` run.
pub fn write_craft_summary(w: &mut impl Write, r: &CraftSummary) -> io::Result<()> {
    writeln!(w, "Summary of {} → {}", r.local, r.remote)?;
    match r.handshake {
        Some(h) => writeln!(w, "  handshake  {} (SYN sent to SYN-ACK accepted)", ms(h))?,
        None => writeln!(w, "  handshake  not completed")?,
    }
    writeln!(
        w,
        "  sent       {} of data in {} ({} in all), {} acknowledged",
        plural(r.data_bytes_sent, "byte"),
        plural(r.data_segments_sent, "segment"),
        plural(r.frames_sent, "frame"),
        plural(r.bytes_acked, "byte"),
    )?;
    if r.retransmissions > 0 {
        writeln!(
            w,
            "             {}: {} after a timeout, {} fast retransmits, {} more while recovering",
            plural(r.retransmissions, "retransmission"),
            r.timeouts,
            r.fast_retransmits,
            r.retransmissions
                .saturating_sub(r.timeouts)
                .saturating_sub(r.fast_retransmits)
        )?;
    } else {
        writeln!(w, "             no retransmissions")?;
    }
    writeln!(
        w,
        "  received   {} of data in {} ({} in all)",
        plural(r.bytes_received, "byte"),
        plural(r.data_segments_received, "segment"),
        plural(r.frames_received, "frame"),
    )?;
    if r.early_segments > 0 || r.dup_acks > 0 {
        writeln!(
            w,
            "             {} out of order; {} received",
            plural(r.early_segments, "segment"),
            plural(r.dup_acks, "duplicate ACK")
        )?;
    }
    if let Some((min, avg, max)) = r.rtt {
        writeln!(
            w,
            "  RTT        min {}, avg {}, max {} ({}; none from retransmissions: Karn)",
            ms(min),
            ms(avg),
            ms(max),
            plural(r.rtt_samples, "sample")
        )?;
    }
    if let Some((first, last)) = r.data_span {
        let secs = last.saturating_sub(first).as_secs_f64();
        writeln!(
            w,
            "  goodput    {} in {:.3} s = {}",
            plural(r.bytes_acked, "byte"),
            secs,
            rate(r.bytes_acked, secs)
        )?;
    }
    if r.window_probes > 0 {
        writeln!(
            w,
            "  window     {} into a zero window",
            plural(r.window_probes, "probe")
        )?;
    }
    if let Some(l) = r.loss {
        writeln!(
            w,
            "  --loss     {} of {} sent dropped, never on the wire (each marked \"dropped by \
             --loss\" in the list and in the pcapng's comments)",
            l.sent_dropped,
            plural(r.frames_sent, "frame"),
        )?;
        writeln!(
            w,
            "             {} received on the interface dropped before wirelab saw them (in \
             neither the list nor the pcapng)",
            plural(l.received_dropped, "frame"),
        )?;
    }
    writeln!(w, "  closed     {}", outcome_text(r))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn summary_lines() {
        let r = CraftSummary {
            local: SocketAddrV4::new(Ipv4Addr::new(10, 0, 3, 20), 50000),
            remote: SocketAddrV4::new(Ipv4Addr::new(10, 0, 3, 1), 8080),
            handshake: Some(Duration::from_micros(120)),
            data_bytes_sent: 1000,
            data_segments_sent: 1,
            bytes_acked: 1000,
            bytes_received: 21,
            data_segments_received: 1,
            rtt_samples: 2,
            rtt: Some((
                Duration::from_micros(50),
                Duration::from_micros(100),
                Duration::from_micros(150),
            )),
            data_span: Some((Duration::from_millis(1), Duration::from_millis(2))),
            frames_sent: 5,
            frames_received: 4,
            ending: Ending::Closed,
            retransmissions: 0,
            timeouts: 0,
            fast_retransmits: 0,
            early_segments: 0,
            dup_acks: 0,
            window_probes: 0,
            loss: None,
        };
        let mut out = Vec::new();
        write_craft_summary(&mut out, &r).unwrap();
        let text = String::from_utf8(out).unwrap();
        let want = "Summary of 10.0.3.20:50000 → 10.0.3.1:8080
  handshake  0.120 ms (SYN sent to SYN-ACK accepted)
  sent       1000 bytes of data in 1 segment (5 frames in all), 1000 bytes acknowledged
             no retransmissions
  received   21 bytes of data in 1 segment (4 frames in all)
  RTT        min 0.050 ms, avg 0.100 ms, max 0.150 ms (2 samples; none from retransmissions: Karn)
  goodput    1000 bytes in 0.001 s = 1.0 MB/s (8 Mbit/s)
  closed     cleanly: both FINs sent and acknowledged
";
        assert_eq!(text, want);
    }

    #[test]
    fn loss_is_counted_where_it_happened() {
        let r = CraftSummary {
            local: SocketAddrV4::new(Ipv4Addr::new(10, 0, 3, 20), 50000),
            remote: SocketAddrV4::new(Ipv4Addr::new(10, 0, 3, 1), 8080),
            handshake: None,
            data_bytes_sent: 0,
            data_segments_sent: 0,
            bytes_acked: 0,
            bytes_received: 0,
            data_segments_received: 0,
            rtt_samples: 0,
            rtt: None,
            data_span: None,
            frames_sent: 40,
            frames_received: 30,
            ending: Ending::Closed,
            retransmissions: 0,
            timeouts: 0,
            fast_retransmits: 0,
            early_segments: 0,
            dup_acks: 0,
            window_probes: 0,
            loss: Some(LossSummary {
                sent_dropped: 2,
                received_dropped: 1,
            }),
        };
        let mut out = Vec::new();
        write_craft_summary(&mut out, &r).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains(
                "  --loss     2 of 40 frames sent dropped, never on the wire (each marked \
                 \"dropped by --loss\" in the list and in the pcapng's comments)\n             \
                 1 frame received on the interface dropped before wirelab saw them (in neither \
                 the list nor the pcapng)\n"
            ),
            "{text}"
        );
    }
}
