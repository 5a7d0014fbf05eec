//! The source of time, injected wherever time matters (token lifetimes, assertion windows,
//! key retirement), so that tests can move it instead of sleeping.

use chrono::{DateTime, Duration, Utc};
use std::sync::Mutex;

/// Tells the current time.
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> DateTime<Utc>;
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until it is moved; for tests.
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    /// A clock set to `start`.
    pub fn new(start: DateTime<Utc>) -> Self {
        Self(Mutex::new(start))
    }

    /// Sets the clock to `to` (earlier or later).
    pub fn set(&self, to: DateTime<Utc>) {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = to;
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// An ISO 8601 duration of days, hours, minutes and seconds, `P[nD][T[nH][nM][n[.n]S]]`
/// (`PT30M`, `P1DT2H`), forward only: weeks, months and years are not taken (their length
/// depends on the calendar), nor values past a century.
pub fn parse_iso_duration(text: &str) -> Option<Duration> {
    let rest = text.trim().strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return None,
        None => (rest, None),
    };
    let mut total = Duration::zero();
    let mut any = false;
    let mut take = |part: &str, units: &[(char, f64)]| -> Option<()> {
        let mut number = String::new();
        let mut next = 0;
        for c in part.chars() {
            if c.is_ascii_digit() || c == '.' {
                number.push(c);
                continue;
            }
            let position = units[next..].iter().position(|(u, _)| *u == c)?;
            let (_, seconds) = units[next + position];
            next += position + 1;
            let value: f64 = number.parse().ok()?;
            number.clear();
            // No time of a meeting is a century away: larger values are refused, not wrapped.
            let micros = value * seconds * 1e6;
            if !(0.0..=3.2e15).contains(&micros) {
                return None;
            }
            total = total.checked_add(&Duration::microseconds(micros.round() as i64))?;
            any = true;
        }
        number.is_empty().then_some(())
    };
    take(date, &[('D', 86_400.0)])?;
    if let Some(time) = time {
        take(time, &[('H', 3600.0), ('M', 60.0), ('S', 1.0)])?;
    }
    any.then_some(total)
}
