//! Unit tests of the delivery backoff and the reauthorization schedule.
#![allow(clippy::unwrap_used)]

use super::*;
use chrono::TimeZone;

#[test]
fn backoff_doubles_up_to_ten_minutes() {
    assert_eq!(backoff(1), Duration::seconds(30));
    assert_eq!(backoff(2), Duration::seconds(60));
    assert_eq!(backoff(5), Duration::seconds(480));
    assert_eq!(backoff(6), Duration::seconds(600));
    assert_eq!(backoff(60), Duration::seconds(600));
}

#[test]
fn reauthorization_notices_follow_the_schedule() {
    let exp = Utc.with_ymd_and_hms(2026, 3, 3, 12, 0, 0).unwrap();
    // Three days out: the first notice 12 hours before.
    assert_eq!(
        next_reauthorization(exp, exp - Duration::days(3)),
        Some(exp - Duration::minutes(720))
    );
    // 50 minutes out: at 45.
    assert_eq!(
        next_reauthorization(exp, exp - Duration::minutes(50)),
        Some(exp - Duration::minutes(45))
    );
    assert_eq!(next_reauthorization(exp, exp - Duration::minutes(10)), None);
}
