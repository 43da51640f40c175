//! Log fields written without an allocation: an optional value shown as itself, or as nothing
//! ([`OrEmpty`]), where `value.map(|v| v.to_string()).unwrap_or_default()` would build a String
//! on every line (an audit line is written on a phone's fetch).

use std::fmt;

/// An optional value shown as itself, or as nothing when absent.
#[derive(Debug, Clone, Copy)]
pub struct OrEmpty<T>(pub Option<T>);

impl<T: fmt::Display> fmt::Display for OrEmpty<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(value) => value.fmt(f),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_is_nothing_and_present_is_itself() {
        let client: Option<std::net::IpAddr> = "192.0.2.7".parse().ok();
        assert_eq!(OrEmpty(client).to_string(), "192.0.2.7");
        assert_eq!(OrEmpty(None::<u8>).to_string(), "");
    }
}
