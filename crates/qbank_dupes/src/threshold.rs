//! The similarity threshold as an exact rational number.

use std::fmt;

use crate::DupesError;

/// A similarity threshold `p / q` in `[0, 1]`, kept as an exact fraction in lowest terms.
///
/// Thresholds are parsed from their decimal text, so `0.85` is exactly `17 / 20` and every
/// decision against it is made in integer arithmetic: a pair whose similarity is exactly the
/// threshold is always reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Threshold {
    num: u64,
    den: u64,
}

impl Threshold {
    /// The default threshold, `0.85`.
    pub const DEFAULT: Threshold = Threshold { num: 17, den: 20 };

    /// Parses a decimal such as `0.85`, `.9`, `1` or `0.875` into an exact fraction.
    ///
    /// Accepts at most 18 digits after the point; rejects signs, exponents and values outside
    /// `[0, 1]`.
    pub fn parse(text: &str) -> Result<Self, DupesError> {
        let invalid = || DupesError::InvalidThreshold(text.to_owned());
        let trimmed = text.trim();
        let (int_part, frac_part) = match trimmed.split_once('.') {
            Some((int_part, frac_part)) => (int_part, frac_part),
            None => (trimmed, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (int_part.is_empty() && frac_part.is_empty())
            || !all_digits(int_part)
            || !all_digits(frac_part)
            || frac_part.len() > 18
        {
            return Err(invalid());
        }
        let int_value: u64 = if int_part.is_empty() {
            0
        } else if int_part.trim_start_matches('0').len() > 1 {
            return Err(DupesError::ThresholdOutOfRange(text.to_owned()));
        } else {
            int_part.parse().map_err(|_| invalid())?
        };
        let den = 10_u64.pow(u32::try_from(frac_part.len()).map_err(|_| invalid())?);
        let frac_value: u64 = if frac_part.is_empty() {
            0
        } else {
            frac_part.parse().map_err(|_| invalid())?
        };
        let num = int_value
            .checked_mul(den)
            .and_then(|v| v.checked_add(frac_value))
            .ok_or_else(invalid)?;
        Self::new(num, den).ok_or_else(|| DupesError::ThresholdOutOfRange(text.to_owned()))
    }

    /// The fraction `num / den`, or `None` when `den` is zero or the value is above 1.
    pub fn new(num: u64, den: u64) -> Option<Self> {
        if den == 0 || num > den {
            return None;
        }
        let g = gcd(num, den);
        Some(Self {
            num: num / g,
            den: den / g,
        })
    }

    /// The numerator `p` of `p / q`, in lowest terms.
    pub fn numerator(self) -> u64 {
        self.num
    }

    /// The denominator `q` of `p / q`, in lowest terms.
    pub fn denominator(self) -> u64 {
        self.den
    }

    /// The threshold as a float, for display only.
    pub fn as_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }

    /// The largest edit distance that still reaches the threshold for strings whose longer one
    /// has `max_len` characters: the largest `d` with `d * q <= (q - p) * max_len`.
    pub fn max_distance(self, max_len: usize) -> usize {
        let allowed = u128::from(self.den - self.num) * max_len as u128 / u128::from(self.den);
        // `allowed <= max_len`, which is a `usize`.
        usize::try_from(allowed).unwrap_or(max_len)
    }

    /// Whether the normalized Levenshtein similarity `1 - distance / max_len` reaches the
    /// threshold, decided exactly. Two empty strings (`max_len == 0`) have similarity 1.
    pub fn accepts_distance(self, distance: usize, max_len: usize) -> bool {
        distance as u128 * u128::from(self.den) <= u128::from(self.den - self.num) * max_len as u128
    }

    /// Whether the fraction `num / den` reaches the threshold, decided exactly.
    pub fn accepts_ratio(self, num: u128, den: u128) -> bool {
        // num / den >= p / q  <=>  num * q >= p * den, for den > 0.
        num * u128::from(self.den) >= u128::from(self.num) * den
    }
}

impl Default for Threshold {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.as_f64())
    }
}

impl std::str::FromStr for Threshold {
    type Err = DupesError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exact_fractions() {
        let t = Threshold::parse("0.85").unwrap();
        assert_eq!((t.numerator(), t.denominator()), (17, 20));
        assert_eq!(
            Threshold::parse(".5").unwrap(),
            Threshold::new(1, 2).unwrap()
        );
        assert_eq!(
            Threshold::parse("1").unwrap(),
            Threshold::new(1, 1).unwrap()
        );
        assert_eq!(
            Threshold::parse("1.000").unwrap(),
            Threshold::new(1, 1).unwrap()
        );
        assert_eq!(
            Threshold::parse("0").unwrap(),
            Threshold::new(0, 1).unwrap()
        );
        assert_eq!(
            Threshold::parse("0.875").unwrap(),
            Threshold::new(7, 8).unwrap()
        );
    }

    #[test]
    fn rejects_bad_text_and_out_of_range() {
        for bad in [
            "",
            ".",
            "abc",
            "-0.5",
            "0.5e1",
            "1.5",
            "2",
            "0.85.1",
            "+0.8",
            "1.0000001",
        ] {
            assert!(Threshold::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn decides_the_tie_exactly() {
        let t = Threshold::DEFAULT;
        // 33 / 220 = 0.15 exactly: the similarity is exactly 0.85.
        assert!(t.accepts_distance(33, 220));
        assert!(!t.accepts_distance(34, 220));
        assert_eq!(t.max_distance(220), 33);
        assert_eq!(t.max_distance(0), 0);
        assert!(t.accepts_distance(0, 0));
    }
}
