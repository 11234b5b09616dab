//! The access log's `[06/Feb/2019:00:00:38 +0000]` timestamp to unix seconds.
//!
//! Hand-rolled rather than chrono: it runs once per line on the hot path, the format is
//! fixed-width, and validating it in place costs a few dozen byte comparisons. Impossible
//! dates (31 April, 29 February of a common year, hour 24, minute 60, offset +2400) are
//! rejected instead of being normalised into a different instant.

/// Length of the text between the brackets: `06/Feb/2019:00:00:38 +0000`.
pub(crate) const TIME_LEN: usize = 26;

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// Parses `DD/Mon/YYYY:HH:MM:SS +hhmm` (without the brackets) into seconds since the unix
/// epoch, with the UTC offset applied. `None` for anything else.
pub fn parse_time(s: &[u8]) -> Option<i64> {
    let s: &[u8; TIME_LEN] = s.try_into().ok()?;
    let punct = [
        (2, b'/'),
        (6, b'/'),
        (11, b':'),
        (14, b':'),
        (17, b':'),
        (20, b' '),
    ];
    if punct.iter().any(|&(i, c)| s[i] != c) {
        return None;
    }
    let day = digits(&s[0..2])?;
    let month = MONTHS.iter().position(|m| &s[3..6] == *m)? as u32 + 1;
    let year = digits(&s[7..11])?;
    let (hour, min, sec) = (
        digits(&s[12..14])?,
        digits(&s[15..17])?,
        digits(&s[18..20])?,
    );
    let sign = match s[21] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (off_h, off_m) = (digits(&s[22..24])?, digits(&s[24..26])?);
    if day == 0 || day > days_in_month(year, month) || hour > 23 || min > 59 || sec > 59 {
        return None;
    }
    if off_h > 23 || off_m > 59 {
        return None;
    }
    let days = days_from_civil(i64::from(year), month, day);
    let local = days * 86_400 + i64::from(hour * 3600 + min * 60 + sec);
    Some(local - sign * i64::from(off_h * 3600 + off_m * 60))
}

/// ASCII decimal digits (at most 4 here) to a number; `None` if any byte is not a digit.
fn digits(s: &[u8]) -> Option<u32> {
    s.iter().try_fold(0u32, |acc, &b| {
        let d = b.wrapping_sub(b'0');
        (d < 10).then_some(acc * 10 + u32::from(d))
    })
}

fn is_leap(year: u32) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Formats unix seconds as the log's timestamp text in UTC (no brackets): the inverse of
/// [`parse_time`] for offset `+0000`. Used by generators and tests, not by the parser.
pub fn format_time(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let mon = std::str::from_utf8(MONTHS[(month - 1) as usize]).unwrap_or("???");
    format!(
        "{day:02}/{mon}/{year:04}:{:02}:{:02}:{:02} +0000",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}
