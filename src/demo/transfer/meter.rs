//! Throughput reporting in the style of iperf: a byte counter, interval lines printed by a
//! small thread, and the final summary.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// Where report lines go (stdout, or above a progress bar).
pub type Emit = Arc<dyn Fn(&str) + Send + Sync>;

/// Counts transferred bytes and prints an interval line every `interval`.
pub struct Meter {
    bytes: Arc<AtomicU64>,
    start: Instant,
    stop: Option<mpsc::Sender<()>>,
    ticker: Option<thread::JoinHandle<()>>,
}

impl Meter {
    /// Starts counting now; with an interval, a thread prints `label` interval lines via `emit`.
    pub fn start(label: String, interval: Option<Duration>, emit: Emit) -> Meter {
        let bytes = Arc::new(AtomicU64::new(0));
        let start = Instant::now();
        let (stop, stopped) = mpsc::channel::<()>();
        let ticker = interval.filter(|i| !i.is_zero()).and_then(|interval| {
            let bytes = Arc::clone(&bytes);
            thread::Builder::new()
                .name("interval".into())
                .spawn(move || tick(&label, interval, start, &bytes, &stopped, &*emit))
                .ok()
        });
        Meter {
            bytes,
            start,
            stop: Some(stop),
            ticker,
        }
    }

    /// Adds `n` transferred bytes.
    pub fn add(&self, n: u64) {
        self.bytes.fetch_add(n, Ordering::Relaxed);
    }

    /// Bytes counted so far.
    pub fn total(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Stops the interval lines; returns the bytes counted and the time since the start.
    pub fn finish(mut self) -> (u64, Duration) {
        self.stop_ticker();
        (self.total(), self.start.elapsed())
    }

    fn stop_ticker(&mut self) {
        drop(self.stop.take());
        if let Some(ticker) = self.ticker.take() {
            let _ = ticker.join();
        }
    }
}

impl Drop for Meter {
    fn drop(&mut self) {
        self.stop_ticker();
    }
}

/// The ticker thread: one line per interval until the sender side of `stopped` goes away.
fn tick(
    label: &str,
    interval: Duration,
    start: Instant,
    bytes: &AtomicU64,
    stopped: &mpsc::Receiver<()>,
    emit: &(dyn Fn(&str) + Send + Sync),
) {
    let mut from = Duration::ZERO;
    let mut last_bytes = 0u64;
    loop {
        let to = from.saturating_add(interval);
        let wait = to.saturating_sub(start.elapsed());
        match stopped.recv_timeout(wait) {
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => return,
        }
        let now = bytes.load(Ordering::Relaxed);
        emit(&interval_line(
            label,
            from,
            to,
            now.saturating_sub(last_bytes),
        ));
        last_bytes = now;
        from = to;
    }
}

/// One iperf-style interval line: `[label]   1.00-2.00  sec  2.50 GBytes  21.5 Gbits/sec`.
pub fn interval_line(label: &str, from: Duration, to: Duration, bytes: u64) -> String {
    let secs = to.saturating_sub(from).as_secs_f64();
    format!(
        "[{label}] {:>6.2}-{:<6.2} sec  {:>12}  {:>16}",
        from.as_secs_f64(),
        to.as_secs_f64(),
        human_bytes(bytes),
        human_rate(bits_per_sec(bytes, secs)),
    )
}

/// The summary line: exact bytes, seconds, Mbit/s.
pub fn summary_line(label: &str, what: &str, bytes: u64, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64();
    format!(
        "[{label}] {what} {bytes} bytes ({}) in {secs:.3} s = {:.1} Mbit/s",
        human_bytes(bytes),
        bits_per_sec(bytes, secs) / 1e6
    )
}

/// Bits per second, 0 for an empty duration.
pub fn bits_per_sec(bytes: u64, secs: f64) -> f64 {
    if secs > 0.0 {
        // u64 → f64 loses precision only beyond 2^53 bytes: fine for a rate.
        bytes as f64 * 8.0 / secs
    } else {
        0.0
    }
}

/// Bytes with iperf's binary units: `512 Bytes`, `1.50 KBytes`, `2.00 GBytes`.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KBytes", "MBytes", "GBytes", "TBytes"];
    if bytes < 1024 {
        return format!("{bytes} Bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.2} {}", UNITS.get(unit).unwrap_or(&"TBytes"))
}

/// A rate with iperf's decimal units: `950 bits/sec`, `9.43 Gbits/sec`.
pub fn human_rate(bits_per_sec: f64) -> String {
    const UNITS: [&str; 4] = ["Kbits/sec", "Mbits/sec", "Gbits/sec", "Tbits/sec"];
    if bits_per_sec < 1000.0 {
        return format!("{bits_per_sec:.0} bits/sec");
    }
    let mut value = bits_per_sec / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.3} {}", UNITS.get(unit).unwrap_or(&"Tbits/sec"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[test]
    fn units_follow_iperf() {
        assert_eq!(human_bytes(512), "512 Bytes");
        assert_eq!(human_bytes(1536), "1.50 KBytes");
        assert_eq!(human_bytes(1 << 30), "1.00 GBytes");
        assert_eq!(human_rate(950.0), "950 bits/sec");
        assert_eq!(human_rate(9.43e9), "9.430 Gbits/sec");
        assert_eq!(human_rate(12.5e6), "12.500 Mbits/sec");
    }

    #[test]
    fn lines_show_bytes_seconds_and_rate() {
        let line = interval_line(
            "1",
            Duration::from_secs(1),
            Duration::from_secs(2),
            125_000_000,
        );
        assert_eq!(
            line,
            "[1]   1.00-2.00   sec  119.21 MBytes   1.000 Gbits/sec"
        );
        let sum = summary_line("1", "sent", 1_000_000, Duration::from_millis(500));
        assert_eq!(
            sum,
            "[1] sent 1000000 bytes (976.56 KBytes) in 0.500 s = 16.0 Mbit/s"
        );
    }

    #[test]
    fn meter_counts_and_stops_its_thread() {
        let lines = Arc::new(Mutex::new(Vec::<String>::new()));
        let sink = Arc::clone(&lines);
        let emit: Emit = Arc::new(move |l: &str| {
            if let Ok(mut v) = sink.lock() {
                v.push(l.to_string());
            }
        });
        let meter = Meter::start("t".into(), Some(Duration::from_millis(1)), emit);
        meter.add(10);
        meter.add(5);
        let (bytes, _) = meter.finish();
        assert_eq!(bytes, 15);
        // Every interval line (however many were printed) is labelled.
        let all = lines.lock().map(|v| v.clone()).unwrap_or_default();
        assert!(all.iter().all(|l| l.starts_with("[t]")));
    }
}
