//! `Mac`: a phone's hardware address, parsed from any common notation and formatted the way each
//! vendor names its per-phone files (Polycom lowercase, Aastra/Mitel uppercase).
//!
//! A `Mac` can only hold an address that can belong to a phone: the all-zero address is the name
//! of Polycom's default master file (`000000000000.cfg`) and multicast/broadcast addresses are never
//! a device's own, so all of these are refused when parsing.

use std::fmt;
use std::str::FromStr;

/// Why a text is not a phone's MAC address. The message names the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MacError {
    /// Not in any accepted notation.
    #[error("{} is not a MAC address", crate::domain::quoted(.0))]
    Malformed(String),
    /// `000000000000`: reserved for the default master file.
    #[error("{} is the all-zero address, which names the default master file, not a phone", crate::domain::quoted(.0))]
    AllZero(String),
    /// Group bit set: a multicast or broadcast address.
    #[error("{} is a multicast or broadcast address, not a phone's own", crate::domain::quoted(.0))]
    Multicast(String),
}

/// A unicast, non-zero 48-bit hardware address.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Mac([u8; 6]);

impl Mac {
    /// Parses `0004f214ab37`, `0004F214AB37`, `00:04:f2:14:ab:37`, `00-04-F2-14-AB-37` or
    /// `0004.f214.ab37` (any letter case). Anything else is refused.
    pub fn parse(text: &str) -> Result<Mac, MacError> {
        let malformed = || MacError::Malformed(text.to_string());
        let hex = digits_of(text).ok_or_else(malformed)?;
        let mut octets = [0u8; 6];
        for (index, pair) in hex.chunks(2).enumerate() {
            octets[index] = (hex_value(pair[0]) << 4) | hex_value(pair[1]);
        }
        if octets == [0; 6] {
            return Err(MacError::AllZero(text.to_string()));
        }
        if octets[0] & 1 == 1 {
            return Err(MacError::Multicast(text.to_string()));
        }
        Ok(Mac(octets))
    }

    /// Builds a `Mac` from raw octets (e.g. a DHCP `chaddr`), with the same rules as [`Mac::parse`].
    pub fn from_octets(octets: [u8; 6]) -> Result<Mac, MacError> {
        Mac::parse(&hex_string(&octets, false))
    }

    /// The six octets.
    pub fn octets(&self) -> [u8; 6] {
        self.0
    }

    /// The first three octets (the vendor's OUI).
    pub fn oui(&self) -> [u8; 3] {
        [self.0[0], self.0[1], self.0[2]]
    }

    /// 12 lowercase hex digits, as Polycom names `<mac>.cfg` and as phoneprov stores MACs.
    pub fn polycom_name(&self) -> String {
        hex_string(&self.0, false)
    }

    /// 12 uppercase hex digits, as Aastra/Mitel name `<MAC>.cfg`.
    pub fn aastra_name(&self) -> String {
        hex_string(&self.0, true)
    }
}

/// Returns the 12 hex digits of `text` if it is in one of the accepted notations.
fn digits_of(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let groups: Vec<&[u8]> = match bytes.len() {
        12 => vec![bytes],
        17 if bytes[2] == b':' => bytes.split(|b| *b == b':').collect(),
        17 if bytes[2] == b'-' => bytes.split(|b| *b == b'-').collect(),
        14 => bytes.split(|b| *b == b'.').collect(),
        _ => return None,
    };
    let expected_group_len = match groups.len() {
        1 => 12,
        3 => 4,
        6 => 2,
        _ => return None,
    };
    let well_formed = groups
        .iter()
        .all(|g| g.len() == expected_group_len && g.iter().all(u8::is_ascii_hexdigit));
    well_formed.then(|| groups.concat())
}

fn hex_value(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        _ => digit - b'A' + 10,
    }
}

fn hex_string(octets: &[u8; 6], upper: bool) -> String {
    let digits = hex_digits(octets, upper);
    // Twelve ASCII hex digits.
    String::from_utf8_lossy(&digits).into_owned()
}

/// The 12 hex digits of `octets`, on the stack (a MAC is printed on every fetch's audit line).
fn hex_digits(octets: &[u8; 6], upper: bool) -> [u8; 12] {
    let alphabet: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut digits = [0u8; 12];
    for (i, octet) in octets.iter().enumerate() {
        digits[2 * i] = alphabet[usize::from(octet >> 4)];
        digits[2 * i + 1] = alphabet[usize::from(octet & 0x0f)];
    }
    digits
}

impl FromStr for Mac {
    type Err = MacError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Mac::parse(s)
    }
}

/// Displays as 12 lowercase hex digits (the stored form).
/// 12 lowercase hex digits, written without an allocation.
impl fmt::Display for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = hex_digits(&self.0, false);
        f.write_str(std::str::from_utf8(&digits).map_err(|_| fmt::Error)?)
    }
}

impl fmt::Debug for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mac({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_every_documented_notation() {
        for text in [
            "0004f214ab37",
            "0004F214AB37",
            "00:04:f2:14:ab:37",
            "00-04-F2-14-AB-37",
            "0004.f214.ab37",
            "0004.F214.AB37",
        ] {
            let mac = Mac::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(mac.polycom_name(), "0004f214ab37", "{text}");
            assert_eq!(mac.aastra_name(), "0004F214AB37", "{text}");
        }
    }

    #[test]
    fn refuses_everything_else_naming_the_value() {
        for text in [
            "",
            "0004f2zz1234",
            "0004f214ab3",
            "0004f214ab377",
            "00:04:f2:14:ab-37",
            "00:04:f2:14:ab:3",
            "0004.f214.ab3",
            "000.4f21.4ab37",
            "00:04:f2:14:ab:37:",
            " 0004f214ab37",
            "0004f214ab37 ",
            "00 04 f2 14 ab 37",
            "0004f214ab3é",
        ] {
            let err = Mac::parse(text).expect_err(text);
            assert_eq!(err.to_string(), format!("{text:?} is not a MAC address"));
        }
    }

    #[test]
    fn refuses_addresses_that_are_no_phone() {
        assert!(matches!(
            Mac::parse("000000000000"),
            Err(MacError::AllZero(_))
        ));
        assert!(matches!(
            Mac::parse("ff:ff:ff:ff:ff:ff"),
            Err(MacError::Multicast(_))
        ));
        assert!(matches!(
            Mac::parse("01005e000001"),
            Err(MacError::Multicast(_))
        ));
    }

    #[test]
    fn octets_round_trip() {
        let mac = Mac::from_octets([0x00, 0x08, 0x5d, 0x16, 0x10, 0xde]).unwrap();
        assert_eq!(mac.aastra_name(), "00085D1610DE");
        assert_eq!(mac.oui(), [0x00, 0x08, 0x5d]);
    }
}
