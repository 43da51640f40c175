//! A site's emergency numbers: dialled at once, never after the digit timeout, so they come first
//! in the phones' dial plan. `911` and `9911` (the trunk code 9 before 911) by default, as US
//! Kari's Law asks for direct 911 dialling; other countries set their own (112, 999, 000).

use std::fmt;

use crate::domain::text::quoted;

/// The numbers a new site starts with.
pub(super) const DEFAULT_EMERGENCY_NUMBERS: [&str; 2] = ["911", "9911"];
/// Most numbers a site may list.
pub(super) const MAX_EMERGENCY_NUMBERS: usize = 8;
/// Longest emergency number.
pub(super) const MAX_EMERGENCY_DIGITS: usize = 8;

/// A site's emergency numbers, in the order given: each 2 to 8 digits, no repeats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmergencyNumbers(Vec<String>);

/// Why a list of emergency numbers is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{} is not a list of emergency numbers (up to {MAX_EMERGENCY_NUMBERS} numbers of 2 to {MAX_EMERGENCY_DIGITS} digits, separated by commas)",
    quoted(.0)
)]
pub struct EmergencyNumbersError(pub String);

impl EmergencyNumbers {
    /// Parses `911,9911` (spaces allowed around the commas). An empty list is refused: a site
    /// without emergency numbers would send 911 through the digit timeout.
    pub fn parse(text: &str) -> Result<EmergencyNumbers, EmergencyNumbersError> {
        let refuse = || EmergencyNumbersError(text.to_string());
        let mut numbers: Vec<String> = Vec::new();
        for part in text.split(',').map(str::trim) {
            let digits = (2..=MAX_EMERGENCY_DIGITS).contains(&part.len())
                && part.bytes().all(|b| b.is_ascii_digit());
            if !digits || numbers.iter().any(|n| n == part) {
                return Err(refuse());
            }
            numbers.push(part.to_string());
        }
        if numbers.len() > MAX_EMERGENCY_NUMBERS {
            return Err(refuse());
        }
        Ok(EmergencyNumbers(numbers))
    }

    /// The numbers, in order.
    pub fn numbers(&self) -> &[String] {
        &self.0
    }
}

impl Default for EmergencyNumbers {
    fn default() -> EmergencyNumbers {
        EmergencyNumbers(DEFAULT_EMERGENCY_NUMBERS.map(String::from).to_vec())
    }
}

impl fmt::Display for EmergencyNumbers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_of_digits_only() {
        assert_eq!(
            EmergencyNumbers::parse(" 112 , 999").unwrap().numbers(),
            ["112", "999"]
        );
        assert_eq!(EmergencyNumbers::default().to_string(), "911,9911");
        for bad in ["", "911,", "9x1", "911,911", "1", "123456789", "1|2"] {
            assert!(EmergencyNumbers::parse(bad).is_err(), "{bad:?}");
        }
    }
}
