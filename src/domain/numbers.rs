//! Ranges of extension numbers, written `200-299,500`: the numbers a site's call server already
//! uses itself (its own phones, hunt groups, voice mail pilots) and phoneprov does not provision.
//! An extension whose number is among the alternate site's cannot switch over to it.

use std::fmt;

use crate::domain::ExtensionNumber;
use crate::domain::text::quoted;

/// A set of extension numbers as inclusive ranges of numbers of one length.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NumberRanges(Vec<(String, String)>);

/// Why a text is not a list of number ranges.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{} is not a list of extension numbers and ranges such as 200-299,500 (each range's ends of one length, the first not above the last)",
    quoted(.0)
)]
pub struct NumberRangesError(pub String);

impl NumberRanges {
    /// Parses `200-299,500` (spaces allowed; empty is the empty set).
    pub fn parse(text: &str) -> Result<NumberRanges, NumberRangesError> {
        let fail = || NumberRangesError(text.to_string());
        let mut ranges = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (first, last) = part.split_once('-').unwrap_or((part, part));
            let (first, last) = (
                ExtensionNumber::parse(first.trim()).map_err(|_| fail())?,
                ExtensionNumber::parse(last.trim()).map_err(|_| fail())?,
            );
            if first.as_str().len() != last.as_str().len() || first > last {
                return Err(fail());
            }
            ranges.push((first.as_str().to_string(), last.as_str().to_string()));
        }
        Ok(NumberRanges(ranges))
    }

    /// Whether `number` is in one of the ranges.
    pub fn contains(&self, number: &ExtensionNumber) -> bool {
        let number = number.as_str();
        self.0.iter().any(|(first, last)| {
            number.len() == first.len() && first.as_str() <= number && number <= last.as_str()
        })
    }

    /// True for the empty set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for NumberRanges {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (first, last)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            if first == last {
                f.write_str(first)?;
            } else {
                write!(f, "{first}-{last}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn number(text: &str) -> ExtensionNumber {
        ExtensionNumber::parse(text).unwrap()
    }

    #[test]
    fn ranges_hold_numbers_of_their_length() {
        let ranges = NumberRanges::parse(" 200-299, 500 ,3000-3009").unwrap();
        assert_eq!(ranges.to_string(), "200-299,500,3000-3009");
        assert!(ranges.contains(&number("201")));
        assert!(ranges.contains(&number("500")));
        assert!(ranges.contains(&number("3005")));
        assert!(!ranges.contains(&number("2010")), "another length");
        assert!(!ranges.contains(&number("300")));
        assert!(NumberRanges::parse("").unwrap().is_empty());
        for bad in ["20-299", "299-200", "a-b", "1-", "200-299,x"] {
            assert!(NumberRanges::parse(bad).is_err(), "{bad}");
        }
    }
}
