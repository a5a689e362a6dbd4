//! "Now": the system clock, or `SOURCE_DATE_EPOCH` (seconds since 1970)
//! when it is set, so that a build can be repeated byte for byte and tests
//! can stand on either side of an instant. Steps never read the clock:
//! the command layer reads it here once and passes it down.

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use chrono_tz::Tz;

/// The current instant in `tz`.
pub fn now(tz: Tz) -> DateTime<FixedOffset> {
    source_date_epoch()
        .unwrap_or_else(Utc::now)
        .with_timezone(&tz)
        .fixed_offset()
}

/// `SOURCE_DATE_EPOCH`, when it is set to a whole number of seconds.
fn source_date_epoch() -> Option<DateTime<Utc>> {
    let raw = std::env::var("SOURCE_DATE_EPOCH").ok()?;
    let secs: i64 = raw.trim().parse().ok()?;
    Utc.timestamp_opt(secs, 0).single()
}
