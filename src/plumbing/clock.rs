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

/// The CPU time this process has used so far, on every thread, user and
/// system, in seconds (0 where it cannot be asked): set beside the wall
/// clock, it says how many cores a phase kept busy.
pub fn cpu_seconds() -> f64 {
    #[cfg(unix)]
    {
        let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        // SAFETY: getrusage fills the struct it is given and touches
        // nothing else.
        let ok = unsafe { libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()) } == 0;
        if ok {
            // SAFETY: initialised by the successful call above.
            let u = unsafe { usage.assume_init() };
            let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
            return secs(u.ru_utime) + secs(u.ru_stime);
        }
    }
    0.0
}

/// `SOURCE_DATE_EPOCH`, when it is set to a whole number of seconds.
fn source_date_epoch() -> Option<DateTime<Utc>> {
    let raw = std::env::var("SOURCE_DATE_EPOCH").ok()?;
    let secs: i64 = raw.trim().parse().ok()?;
    Utc.timestamp_opt(secs, 0).single()
}
