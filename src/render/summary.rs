//! The end of a `craft` run: bytes and segments each way, retransmissions, RTT, goodput and how
//! the connection ended, in a few aligned lines.

use std::io::{self, Write};
use std::time::Duration;

use crate::craft::session::Report;
use crate::craft::tcp_conn::{Outcome, TimedOut};

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
pub fn outcome_text(r: &Report) -> String {
    match r.outcome {
        Outcome::Closed => "cleanly: both FINs sent and acknowledged".into(),
        Outcome::Refused => format!("refused: nothing listens on {}", r.remote),
        Outcome::TimedOut(TimedOut::Syn) => "timed out: the SYN was never answered".into(),
        Outcome::TimedOut(TimedOut::Ack) => "timed out: the server stopped acknowledging".into(),
        Outcome::TimedOut(TimedOut::PeerFin) => {
            "half: our FIN was acknowledged, the server never sent its own".into()
        }
        Outcome::Reset(state) => format!("reset by the server (in {state})"),
        Outcome::Aborted => "aborted: wirelab sent a RST".into(),
    }
}

/// Writes the summary of a `craft` run.
pub fn write_craft_summary(w: &mut impl Write, r: &Report) -> io::Result<()> {
    let s = &r.stats;
    writeln!(w, "Summary of {} → {}", r.local, r.remote)?;
    match s.handshake() {
        Some(h) => writeln!(w, "  handshake  {} (SYN sent to SYN-ACK accepted)", ms(h))?,
        None => writeln!(w, "  handshake  not completed")?,
    }
    writeln!(
        w,
        "  sent       {} of data in {} ({} in all), {} acknowledged",
        plural(s.data_bytes_sent, "byte"),
        plural(s.data_segments_sent, "segment"),
        plural(r.frames_sent, "frame"),
        plural(s.bytes_acked, "byte"),
    )?;
    if s.retransmissions > 0 {
        writeln!(
            w,
            "             {}: {} after a timeout, {} fast retransmits, {} more while recovering",
            plural(s.retransmissions, "retransmission"),
            s.timeouts,
            s.fast_retransmits,
            s.retransmissions
                .saturating_sub(s.timeouts)
                .saturating_sub(s.fast_retransmits)
        )?;
    } else {
        writeln!(w, "             no retransmissions")?;
    }
    writeln!(
        w,
        "  received   {} of data in {} ({} in all)",
        plural(s.bytes_received, "byte"),
        plural(s.data_segments_received, "segment"),
        plural(r.frames_received, "frame"),
    )?;
    if s.early_segments > 0 || s.dup_acks > 0 {
        writeln!(
            w,
            "             {} out of order; {} received",
            plural(s.early_segments, "segment"),
            plural(s.dup_acks, "duplicate ACK")
        )?;
    }
    if let (Some(min), Some(avg), Some(max)) = (s.rtt_min, s.rtt_avg(), s.rtt_max) {
        writeln!(
            w,
            "  RTT        min {}, avg {}, max {} ({}; none from retransmissions: Karn)",
            ms(min),
            ms(avg),
            ms(max),
            plural(s.rtt_samples, "sample")
        )?;
    }
    if let (Some(first), Some(last)) = (s.first_data_at, s.last_ack_at) {
        let secs = last.saturating_sub(first).as_secs_f64();
        writeln!(
            w,
            "  goodput    {} in {:.3} s = {}",
            plural(s.bytes_acked, "byte"),
            secs,
            rate(s.bytes_acked, secs)
        )?;
    }
    if s.window_probes > 0 {
        writeln!(
            w,
            "  window     {} into a zero window",
            plural(s.window_probes, "probe")
        )?;
    }
    writeln!(w, "  closed     {}", outcome_text(r))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::craft::tcp_conn::TcpStats;
    use std::net::{Ipv4Addr, SocketAddrV4};

    #[test]
    fn summary_lines() {
        let stats = TcpStats {
            data_bytes_sent: 1000,
            data_segments_sent: 1,
            bytes_acked: 1000,
            bytes_received: 21,
            data_segments_received: 1,
            rtt_samples: 2,
            rtt_min: Some(Duration::from_micros(50)),
            rtt_max: Some(Duration::from_micros(150)),
            rtt_sum: Duration::from_micros(200),
            syn_at: Some(Duration::ZERO),
            established_at: Some(Duration::from_micros(120)),
            first_data_at: Some(Duration::from_millis(1)),
            last_ack_at: Some(Duration::from_millis(2)),
            ..TcpStats::default()
        };
        let r = Report {
            local: SocketAddrV4::new(Ipv4Addr::new(10, 0, 3, 20), 50000),
            remote: SocketAddrV4::new(Ipv4Addr::new(10, 0, 3, 1), 8080),
            next_hop_mac: [2, 0, 0, 0, 3, 1],
            outcome: Outcome::Closed,
            stats,
            frames_sent: 5,
            frames_received: 4,
            kernel_rsts: 0,
            conflict: None,
            duration: Duration::from_millis(3),
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
}
