//! [`ExtensionNumber`]: the digits an extension is dialled and named by (its file is
//! `<number>.cfg`).

use std::fmt;

use crate::domain::text::quoted;

/// Longest extension number. MAC file names are 12 hex digits, so an extension's `<number>.cfg`
/// can never be mistaken for a phone's master file.
pub const MAX_EXTENSION_DIGITS: usize = 11;
/// An extension number: 1 to 11 ASCII digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExtensionNumber(String);

/// Why a value is not an extension number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} is not an extension number (1 to 11 digits)", quoted(.0))]
pub struct ExtensionNumberError(pub String);

impl ExtensionNumber {
    /// Parses 1 to 11 ASCII digits.
    pub fn parse(text: &str) -> Result<ExtensionNumber, ExtensionNumberError> {
        let ok = (1..=MAX_EXTENSION_DIGITS).contains(&text.len())
            && text.bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(ExtensionNumber(text.to_string()))
        } else {
            Err(ExtensionNumberError(text.to_string()))
        }
    }

    /// The digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Orders numerically first (`99` before `100`), then by text (`007` after `7`).
    pub fn sort_key(&self) -> (usize, &str) {
        (self.0.len(), &self.0)
    }
}

impl fmt::Display for ExtensionNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert!(ExtensionNumber::parse("201").is_ok());
        assert!(ExtensionNumber::parse("12345678901").is_ok());
        for bad in ["", "20a", "123456789012", " 201", "-1", "٣"] {
            let err = ExtensionNumber::parse(bad).expect_err(bad);
            assert_eq!(
                err.to_string(),
                format!("{bad:?} is not an extension number (1 to 11 digits)")
            );
        }
    }

    #[test]
    fn numeric_sort_key() {
        let mut numbers: Vec<ExtensionNumber> = ["1000", "99", "201", "7"]
            .iter()
            .map(|n| ExtensionNumber::parse(n).unwrap())
            .collect();
        numbers.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let sorted: Vec<&str> = numbers.iter().map(ExtensionNumber::as_str).collect();
        assert_eq!(sorted, ["7", "99", "201", "1000"]);
    }
}
