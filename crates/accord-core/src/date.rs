//! Calendar dates as the contract writes them: `YYYY-MM-DD`, nothing else.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A calendar date read strictly as `YYYY-MM-DD` (no time, no zone, no
/// short forms), so that `2025-9-1` or `2025-02-30` is an input error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub NaiveDate);

impl Date {
    /// The date as chrono sees it.
    pub fn get(self) -> NaiveDate {
        self.0
    }

    /// Parses `YYYY-MM-DD`, rejecting any other shape or an impossible day.
    pub fn parse(text: &str) -> Result<Date, String> {
        let bytes = text.as_bytes();
        let shaped = bytes.len() == 10
            && bytes.iter().enumerate().all(|(i, b)| match i {
                4 | 7 => *b == b'-',
                _ => b.is_ascii_digit(),
            });
        let invalid = || format!("invalid date `{text}`, expected YYYY-MM-DD");
        if !shaped {
            return Err(invalid());
        }
        let number = |range: std::ops::Range<usize>| text.get(range).and_then(|s| s.parse::<u32>().ok());
        let (Some(year), Some(month), Some(day)) = (number(0..4), number(5..7), number(8..10)) else {
            return Err(invalid());
        };
        if year == 0 {
            return Err(format!("invalid date `{text}`: years run from 0001 to 9999"));
        }
        let year = i32::try_from(year).map_err(|_| invalid())?;
        NaiveDate::from_ymd_opt(year, month, day)
            .map(Date)
            .ok_or_else(|| format!("invalid date `{text}`: no such day"))
    }
}

impl From<NaiveDate> for Date {
    fn from(date: NaiveDate) -> Date {
        Date(date)
    }
}

impl fmt::Display for Date {
    /// `YYYY-MM-DD`, built from digits directly: dates are written into
    /// every explanation, and `write!` padding dominated evaluation time.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let year = self.0.year();
        if !(0..=9999).contains(&year) {
            return write!(f, "{:04}-{:02}-{:02}", year, self.0.month(), self.0.day());
        }
        let digit = |n: u32| b'0' + (n % 10) as u8;
        let (y, m, d) = (year.unsigned_abs(), self.0.month(), self.0.day());
        let text = [
            digit(y / 1000),
            digit(y / 100),
            digit(y / 10),
            digit(y),
            b'-',
            digit(m / 10),
            digit(m),
            b'-',
            digit(d / 10),
            digit(d),
        ];
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Date, D::Error> {
        struct DateVisitor;
        impl Visitor<'_> for DateVisitor {
            type Value = Date;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date YYYY-MM-DD")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Date, E> {
                Date::parse(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(DateVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_leap_day() {
        assert_eq!(
            Date::parse("2024-02-29").map(|d| d.to_string()),
            Ok("2024-02-29".to_owned())
        );
    }

    #[test]
    fn displays_with_padding() {
        let date = NaiveDate::from_ymd_opt(987, 3, 4).map(Date);
        assert_eq!(date.map(|d| d.to_string()), Some("0987-03-04".to_owned()));
    }

    #[test]
    fn rejects_a_day_that_does_not_exist() {
        assert!(Date::parse("2025-02-29").is_err());
        assert!(Date::parse("2025-13-01").is_err());
    }

    #[test]
    fn rejects_short_forms_and_times() {
        for text in [
            "2025-9-01",
            "20250901",
            "2025-09-01T00:00",
            " 2025-09-01",
            "２０２５-09-01",
        ] {
            assert!(Date::parse(text).is_err(), "{text}");
        }
    }
}
