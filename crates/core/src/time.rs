//! Timestamps as Herald stores them: RFC 3339 in UTC.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub fn now_rfc3339() -> String {
    OffsetDateTime::now_utc()
        .format(&Rfc3339)
        .expect("UTC timestamps always format")
}

/// A time kept as Unix milliseconds (the events tables) in the form of [`timestamp`];
/// `None` when it is out of range.
pub fn timestamp_from_unix_ms(ms: i64) -> Option<String> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .map(timestamp)
}

/// Now as stored in contact tables: RFC 3339 UTC with exactly three fraction digits, so that
/// comparing the text compares the time.
pub fn now_timestamp() -> String {
    timestamp(OffsetDateTime::now_utc())
}

/// `at` in the fixed-width form of [`now_timestamp`].
pub fn timestamp(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    at.format(time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    ))
    .expect("UTC timestamps always format")
}
