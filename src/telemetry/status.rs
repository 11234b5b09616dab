//! The class of an HTTP status — the `status_class` label of every family, window and
//! report that has one (operations, S3 calls, Mission Control, access logs), defined once.
//! Each user takes the classes it can see: an answer SpaceWatch records is never 1xx
//! ([`StatusClass::ANSWERED`]), Mission Control counts every code
//! ([`StatusClass::CODES`]), and an access-log line may carry no status at all
//! ([`StatusClass::ALL`], with [`StatusClass::Other`]).

/// The class of an HTTP status: its first digit, or [`Other`](Self::Other) for a status
/// that is absent or out of range. A closed set fit for a metric label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StatusClass {
    /// 100–199
    Informational,
    /// 200–299
    Success,
    /// 300–399
    Redirection,
    /// 400–499
    ClientError,
    /// 500–599
    ServerError,
    /// Anything else, including an absent status.
    Other,
}

impl StatusClass {
    /// Every class, in the order of their codes, [`Other`](Self::Other) last; a class's
    /// position here is its [`index`](Self::index).
    pub const ALL: [Self; 6] = [
        Self::Informational,
        Self::Success,
        Self::Redirection,
        Self::ClientError,
        Self::ServerError,
        Self::Other,
    ];

    /// The five classes of a status code ([`of_code`](Self::of_code)), at their
    /// [`index`](Self::index).
    pub const CODES: [Self; 5] = [
        Self::Informational,
        Self::Success,
        Self::Redirection,
        Self::ClientError,
        Self::ServerError,
    ];

    /// The four classes an answer is recorded under ([`of_answer`](Self::of_answer)), at
    /// their [`answered_index`](Self::answered_index).
    pub const ANSWERED: [Self; 4] = [
        Self::Success,
        Self::Redirection,
        Self::ClientError,
        Self::ServerError,
    ];

    /// The class of a status field that may be absent or anything (an access-log line):
    /// 100–599 by the first digit, anything else [`Other`](Self::Other).
    pub const fn of(status: Option<u16>) -> Self {
        match status {
            Some(code @ 100..=599) => Self::of_code(code),
            _ => Self::Other,
        }
    }

    /// The class of any status code, by its first digit: below 200 counts as 1xx, 600
    /// and over (legal in HTTP, never sent here) as 5xx.
    pub const fn of_code(status: u16) -> Self {
        let digit = if status < 100 { 1 } else { status / 100 };
        Self::CODES[(if digit > 5 { 5 } else { digit } - 1) as usize]
    }

    /// The class of an answer's status code: as [`of_code`](Self::of_code), but an
    /// informational code counts as success (an exchange never ends on one).
    pub const fn of_answer(status: u16) -> Self {
        match Self::of_code(status) {
            Self::Informational => Self::Success,
            class => class,
        }
    }

    /// Position in [`ALL`](Self::ALL) (and in [`CODES`](Self::CODES)).
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Position in [`ANSWERED`](Self::ANSWERED). 1xx and `Other`, which no answer is
    /// recorded under, share success's.
    pub const fn answered_index(self) -> usize {
        match self {
            Self::Redirection => 1,
            Self::ClientError => 2,
            Self::ServerError => 3,
            Self::Informational | Self::Success | Self::Other => 0,
        }
    }

    /// `"1xx"` … `"5xx"`, or `"other"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Informational => "1xx",
            Self::Success => "2xx",
            Self::Redirection => "3xx",
            Self::ClientError => "4xx",
            Self::ServerError => "5xx",
            Self::Other => "other",
        }
    }
}

#[cfg(test)]
mod tests;
