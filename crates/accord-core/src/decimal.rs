//! Exact decimal quantities: hours, FTE fractions and rule parameters.
//!
//! Policy comparisons are exact (clause 1.4: "compare them exactly"), so
//! quantities are fixed-point integers, never floats. Numbers arrive from
//! YAML and JSON as binary floats; their shortest decimal form is the number
//! the author wrote, and that is what is kept.

use std::cmp::Ordering;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// Decimal places kept. A number written with more is refused, not rounded.
pub const SCALE_DIGITS: u32 = 9;
const SCALE: i128 = 1_000_000_000;
/// The largest magnitude accepted: far beyond any real figure, far below overflow.
const LIMIT: i128 = 1_000_000_000_000_000 * SCALE;

/// An exact decimal with [`SCALE_DIGITS`] decimal places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Decimal(i128);

impl Decimal {
    /// Zero.
    pub const ZERO: Decimal = Decimal(0);
    /// One.
    pub const ONE: Decimal = Decimal(SCALE);

    /// A whole number.
    pub fn from_int(n: i64) -> Decimal {
        Decimal(i128::from(n) * SCALE)
    }

    /// Reads a plain decimal literal (`75`, `2301.5`, `-0.25`).
    pub fn parse(text: &str) -> Result<Decimal, String> {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        let well_formed = !whole.is_empty()
            && whole.bytes().all(|b| b.is_ascii_digit())
            && fraction.bytes().all(|b| b.is_ascii_digit());
        if !well_formed {
            return Err(format!("`{text}` is not a decimal number"));
        }
        let fraction = fraction.trim_end_matches('0');
        if fraction.len() > SCALE_DIGITS as usize {
            return Err(format!("`{text}` has more than {SCALE_DIGITS} decimal places"));
        }
        let whole = whole.trim_start_matches('0');
        if whole.len() > 16 {
            return Err(format!("`{text}` is too large"));
        }
        let whole: i128 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| format!("`{text}` is too large"))?
        };
        let mut frac: i128 = if fraction.is_empty() {
            0
        } else {
            fraction
                .parse()
                .map_err(|_| format!("`{text}` is not a decimal number"))?
        };
        for _ in fraction.len()..SCALE_DIGITS as usize {
            frac *= 10;
        }
        let magnitude = whole * SCALE + frac;
        if magnitude > LIMIT {
            return Err(format!("`{text}` is too large"));
        }
        Ok(Decimal(if negative { -magnitude } else { magnitude }))
    }

    /// Reads a float as the shortest decimal that round-trips to it.
    pub fn from_f64(value: f64) -> Result<Decimal, String> {
        if !value.is_finite() {
            return Err(format!("`{value}` is not a finite number"));
        }
        if value.abs() >= 1e16 {
            return Err(format!("`{value}` is too large"));
        }
        Decimal::parse(&value.to_string())
    }

    /// Whole hundredths, when the value has at most two decimal places.
    pub fn to_hundredths(self) -> Option<i64> {
        let unit = SCALE / 100;
        (self.0 % unit == 0)
            .then(|| i64::try_from(self.0 / unit).ok())
            .flatten()
    }

    /// A value given in hundredths.
    pub fn from_hundredths(n: i64) -> Decimal {
        Decimal(i128::from(n) * (SCALE / 100))
    }

    /// The smallest whole number at or above this value.
    pub fn ceil(self) -> i64 {
        let q = self.0.div_euclid(SCALE) + i128::from(self.0.rem_euclid(SCALE) != 0);
        i64::try_from(q).unwrap_or(if q < 0 { i64::MIN } else { i64::MAX })
    }

    /// The sum, saturating far beyond any meaningful figure.
    pub fn saturating_add(self, other: Decimal) -> Decimal {
        Decimal(self.0.saturating_add(other.0))
    }

    /// The difference, saturating far beyond any meaningful figure.
    pub fn saturating_sub(self, other: Decimal) -> Decimal {
        Decimal(self.0.saturating_sub(other.0))
    }

    /// The product, exact while it fits; saturates otherwise.
    pub fn saturating_mul(self, other: Decimal) -> Decimal {
        Decimal(self.0.saturating_mul(other.0) / SCALE)
    }

    /// The quotient rounded down to the last decimal place kept; `None`
    /// when dividing by zero or beyond the representable range.
    pub fn checked_div_floor(self, other: Decimal) -> Option<Decimal> {
        if other.0 == 0 {
            return None;
        }
        let q = self.0.checked_mul(SCALE)?.div_euclid(other.0);
        (q.abs() <= LIMIT).then_some(Decimal(q))
    }

    /// The smallest step this type can express: one in the last decimal place.
    pub const EPSILON: Decimal = Decimal(1);

    /// True for a whole number.
    pub fn is_integer(self) -> bool {
        self.0 % SCALE == 0
    }

    /// The whole part, when the value is a whole number that fits.
    pub fn to_integer(self) -> Option<i64> {
        self.is_integer()
            .then(|| i64::try_from(self.0 / SCALE).ok())
            .flatten()
    }

    /// True above zero.
    pub fn is_positive(self) -> bool {
        self.0 > 0
    }
}

impl fmt::Display for Decimal {
    /// Plain decimal, trailing zeros dropped: `90`, `2301.5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl Decimal {
    /// Like `Display`, with thousands separators in the whole part (`2,301.5`),
    /// for text meant for people.
    pub fn grouped(self) -> String {
        self.render(true)
    }

    /// Writes the digits from the integer directly (no intermediate strings:
    /// figures are formatted into every explanation).
    fn render(self, grouped: bool) -> String {
        let magnitude = self.0.unsigned_abs();
        let scale = SCALE.unsigned_abs();
        let (mut whole, mut fraction) = (magnitude / scale, magnitude % scale);
        let mut out = String::with_capacity(24);
        if self.0 < 0 {
            out.push('-');
        }
        let mut digits = [0u8; 40];
        let mut len = 0;
        loop {
            if let Some(slot) = digits.get_mut(len) {
                *slot = b'0' + (whole % 10) as u8;
            }
            len += 1;
            whole /= 10;
            if whole == 0 {
                break;
            }
        }
        for i in (0..len).rev() {
            out.push(char::from(digits.get(i).copied().unwrap_or(b'0')));
            if grouped && i > 0 && i % 3 == 0 {
                out.push(',');
            }
        }
        if fraction != 0 {
            out.push('.');
            let mut place = scale / 10;
            while fraction != 0 {
                out.push(char::from(b'0' + (fraction / place) as u8));
                fraction %= place;
                place /= 10;
            }
        }
        out
    }
}

impl PartialOrd<i64> for Decimal {
    fn partial_cmp(&self, other: &i64) -> Option<Ordering> {
        Some(self.cmp(&Decimal::from_int(*other)))
    }
}

impl PartialEq<i64> for Decimal {
    fn eq(&self, other: &i64) -> bool {
        *self == Decimal::from_int(*other)
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Decimal, D::Error> {
        struct NumberVisitor;
        impl Visitor<'_> for NumberVisitor {
            type Value = Decimal;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
                Decimal::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
                Decimal::parse(&v.to_string()).map_err(E::custom)
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
                Decimal::from_f64(v).map_err(E::custom)
            }
        }
        deserializer.deserialize_any(NumberVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        Decimal::parse(text).unwrap_or_else(|e| unreachable!("{e}"))
    }

    #[test]
    fn sums_tenths_exactly_where_floats_would_not() {
        let sum = d("0.1").saturating_add(d("0.2"));
        assert_eq!(sum, d("0.3"));
    }

    #[test]
    fn floats_keep_the_digits_the_author_wrote() {
        assert_eq!(
            Decimal::from_f64(89.5).map(|v| v.to_string()),
            Ok("89.5".to_owned())
        );
        assert_eq!(Decimal::from_f64(0.07).map(|v| v.to_hundredths()), Ok(Some(7)));
    }

    #[test]
    fn ceil_rounds_up_only_fractions() {
        assert_eq!(d("2556.75").ceil(), 2557);
        assert_eq!(d("731").ceil(), 731);
        assert_eq!(d("7").saturating_mul(d("365.25")).ceil(), 2557);
        assert_eq!(d("2").saturating_mul(d("365.25")).ceil(), 731);
        assert_eq!(d("6").saturating_mul(d("365.25")).ceil(), 2192);
    }

    #[test]
    fn refuses_what_it_cannot_hold_exactly() {
        assert!(Decimal::parse("0.0000000001").is_err());
        assert!(Decimal::from_f64(1e300).is_err());
        assert!(Decimal::from_f64(f64::NAN).is_err());
        assert!(Decimal::parse("1e5").is_err());
    }

    #[test]
    fn groups_thousands_for_people() {
        assert_eq!(d("2301.5").grouped(), "2,301.5");
        assert_eq!(d("2557").grouped(), "2,557");
        assert_eq!(d("999").grouped(), "999");
        assert_eq!(d("1234567.05").grouped(), "1,234,567.05");
        assert_eq!(d("-0.5").to_string(), "-0.5");
        assert_eq!(d("0").to_string(), "0");
    }
}
