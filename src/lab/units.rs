//! The impairment settings as a student types them: `20ms`, `1%`, `10mbit` (tc/netem's words).
//!
//! Each value type parses with [`std::str::FromStr`] and prints back in the same form, so the
//! user-space switch's command line (which `lab up` writes and `lab status` reads back) round
//! trips. Errors say what was expected, with an example.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// Why a setting could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UnitError(String);

/// A time such as `20ms`, `1.5s`, `250us` or `0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Millis(pub Duration);

/// A loss rate such as `1%`, `0.5%` or `0` (at most 100%), kept as the percentage typed.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Percent(pub f64);

impl Percent {
    /// The rate as a fraction of 1 (`1%` → 0.01).
    pub fn fraction(self) -> f64 {
        self.0 / 100.0
    }
}

/// A link rate in bits per second, such as `10mbit`, `512kbit` or `1gbit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BitRate(pub u64);

/// Splits `20ms` into (`20`, `ms`).
fn split_number(s: &str) -> (&str, &str) {
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    s.split_at(end)
}

fn number(text: &str, whole: &str, what: &str, example: &str) -> Result<f64, UnitError> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
        _ => Err(UnitError(format!(
            "`{whole}` is not a {what}: expected a number and a unit, e.g. {example}"
        ))),
    }
}

impl FromStr for Millis {
    type Err = UnitError;
    fn from_str(s: &str) -> Result<Self, UnitError> {
        let t = s.trim().to_ascii_lowercase();
        let (num, unit) = split_number(&t);
        let v = number(num, s, "time", "20ms or 1.5s")?;
        let secs = match unit.trim() {
            "" if v == 0.0 => 0.0,
            "s" | "sec" | "secs" => v,
            "ms" | "msec" => v / 1e3,
            "us" | "usec" | "µs" => v / 1e6,
            "" => {
                return Err(UnitError(format!(
                    "`{s}` has no unit: write {v}ms (milliseconds) or {v}s (seconds)"
                )));
            }
            other => {
                return Err(UnitError(format!(
                    "`{s}`: unknown time unit `{other}` (use s, ms or us, e.g. 20ms)"
                )));
            }
        };
        if secs > 60.0 {
            return Err(UnitError(format!(
                "`{s}` is more than a minute: a lab link delays frames by milliseconds (e.g. 20ms)"
            )));
        }
        Ok(Millis(Duration::from_secs_f64(secs)))
    }
}

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let us = self.0.as_micros();
        if us.is_multiple_of(1000) {
            write!(f, "{}ms", us / 1000)
        } else {
            write!(f, "{us}us")
        }
    }
}

impl FromStr for Percent {
    type Err = UnitError;
    fn from_str(s: &str) -> Result<Self, UnitError> {
        let t = s.trim();
        let (value, percent) = match t.strip_suffix('%') {
            Some(num) => (number(num.trim(), s, "loss rate", "1% or 0.5%")?, true),
            None => (number(t, s, "loss rate", "1% or 0.5%")?, false),
        };
        if !percent && value != 0.0 {
            return Err(UnitError(format!(
                "`{s}`: write the loss as a percentage, e.g. {value}% (netem's notation)"
            )));
        }
        if value > 100.0 {
            return Err(UnitError(format!("`{s}`: a loss rate is at most 100%")));
        }
        Ok(Percent(value))
    }
}

impl fmt::Display for Percent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.0)
    }
}

impl FromStr for BitRate {
    type Err = UnitError;
    fn from_str(s: &str) -> Result<Self, UnitError> {
        let t = s.trim().to_ascii_lowercase();
        let (num, unit) = split_number(&t);
        let v = number(num, s, "rate", "10mbit or 512kbit")?;
        let scale = match unit.trim() {
            "bit" => 1.0,
            "kbit" => 1e3,
            "mbit" => 1e6,
            "gbit" => 1e9,
            "bps" | "kbps" | "mbps" | "gbps" => {
                return Err(UnitError(format!(
                    "`{s}` is ambiguous: tc reads `{}` as bytes per second; write bits per second, \
                     e.g. {}mbit",
                    unit.trim(),
                    num
                )));
            }
            "" => {
                return Err(UnitError(format!(
                    "`{s}` has no unit: write e.g. {v}mbit (megabits per second) or {v}kbit"
                )));
            }
            other => {
                return Err(UnitError(format!(
                    "`{s}`: unknown rate unit `{other}` (use kbit, mbit or gbit, e.g. 10mbit)"
                )));
            }
        };
        let bits = v * scale;
        if !(1000.0..=100e9).contains(&bits) {
            return Err(UnitError(format!(
                "`{s}` is out of range: a lab link runs between 1kbit and 100gbit"
            )));
        }
        Ok(BitRate(bits.round() as u64))
    }
}

impl fmt::Display for BitRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        if b.is_multiple_of(1_000_000_000) {
            write!(f, "{}gbit", b / 1_000_000_000)
        } else if b.is_multiple_of(1_000_000) {
            write!(f, "{}mbit", b / 1_000_000)
        } else if b.is_multiple_of(1000) {
            write!(f, "{}kbit", b / 1000)
        } else {
            write!(f, "{b}bit")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_and_print_back() {
        assert_eq!(
            "20ms".parse::<Millis>(),
            Ok(Millis(Duration::from_millis(20)))
        );
        assert_eq!(
            "1.5s".parse::<Millis>(),
            Ok(Millis(Duration::from_millis(1500)))
        );
        assert_eq!(
            "250us".parse::<Millis>(),
            Ok(Millis(Duration::from_micros(250)))
        );
        assert_eq!("0".parse::<Millis>(), Ok(Millis(Duration::ZERO)));
        for s in ["20ms", "250us", "0ms", "1500ms"] {
            assert_eq!(
                s.parse::<Millis>().map(|m| m.to_string()),
                Ok(s.to_string())
            );
        }
        assert!("20".parse::<Millis>().unwrap_err().0.contains("20ms"));
        assert!("20min".parse::<Millis>().is_err());
        assert!("-5ms".parse::<Millis>().is_err());
        assert!("90s".parse::<Millis>().is_err());
    }

    #[test]
    fn loss_rates_are_percentages() {
        assert_eq!("1%".parse::<Percent>().map(Percent::fraction), Ok(0.01));
        assert_eq!("0".parse::<Percent>(), Ok(Percent(0.0)));
        assert_eq!("0.5 %".parse::<Percent>(), Ok(Percent(0.5)));
        assert!("0.01".parse::<Percent>().unwrap_err().0.contains("0.01%"));
        assert!("101%".parse::<Percent>().is_err());
        assert!("NaN%".parse::<Percent>().is_err());
        for s in ["1%", "0.5%", "25%", "0%"] {
            let p: Percent = s.parse().unwrap();
            assert_eq!(p.to_string().parse::<Percent>(), Ok(p), "{s}");
        }
    }

    #[test]
    fn rates_are_bits_per_second_and_bytes_are_refused() {
        assert_eq!("10mbit".parse::<BitRate>(), Ok(BitRate(10_000_000)));
        assert_eq!("512kbit".parse::<BitRate>(), Ok(BitRate(512_000)));
        assert_eq!("1.5Mbit".parse::<BitRate>(), Ok(BitRate(1_500_000)));
        assert_eq!(BitRate(10_000_000).to_string(), "10mbit");
        assert_eq!(BitRate(1_500_000).to_string(), "1500kbit");
        assert!(
            "10mbps"
                .parse::<BitRate>()
                .unwrap_err()
                .0
                .contains("10mbit")
        );
        assert!("10".parse::<BitRate>().is_err());
        assert!("10bit".parse::<BitRate>().is_err());
    }
}
