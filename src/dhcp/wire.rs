//! A look at a raw packet before dhcproto decodes it, refusing what would make dhcproto 0.15
//! panic (both found by the bounded fuzz test):
//!
//! - a hardware address length (hlen) over 16: `Message::chaddr()` slices the 16-byte field by
//!   it, in release builds too;
//! - a few fixed-size options at a wrong length (80 rapid commit, 81 client FQDN, 94 client
//!   network interface, 151-155 bulk leasequery): dhcproto asserts their length (debug builds)
//!   or subtracts from it unchecked.

/// Where the options start: the 236-byte BOOTP header and the 4-byte magic cookie.
const OPTIONS_START: usize = 240;

/// Offset of hlen in the BOOTP header.
const HLEN_AT: usize = 2;
/// Size of the chaddr field.
const CHADDR_SIZE: u8 = 16;

/// Whether dhcproto can decode `packet` without panicking: hlen fits chaddr, and every option
/// that dhcproto cannot take at any length has a length it can take. Consecutive options of one
/// code count as one (RFC 3396), as dhcproto joins them; a pad between two ends the first (found
/// by the bounded fuzz test: `81, 0, pad, 81, 46` passed as one 46-byte option).
pub fn is_decodable(packet: &[u8]) -> bool {
    if packet.get(HLEN_AT).is_some_and(|hlen| *hlen > CHADDR_SIZE) {
        return false;
    }
    let mut at = OPTIONS_START;
    let mut current: Option<(u8, usize)> = None;
    while let Some(&code) = packet.get(at) {
        if code == 0 {
            // A pad ends a run: dhcproto decodes the option before it on its own.
            if let Some((previous, total)) = current.take()
                && !length_fits(previous, total)
            {
                return false;
            }
            at += 1;
            continue;
        }
        if code == 255 {
            break;
        }
        let Some(&length) = packet.get(at + 1) else {
            break;
        };
        let length = usize::from(length);
        current = match current {
            Some((previous, total)) if previous == code => Some((code, total + length)),
            Some((previous, total)) => {
                if !length_fits(previous, total) {
                    return false;
                }
                Some((code, length))
            }
            None => Some((code, length)),
        };
        at += 2 + length;
    }
    current.is_none_or(|(code, total)| length_fits(code, total))
}

fn length_fits(code: u8, length: usize) -> bool {
    match code {
        80 => length == 0,
        81 => length >= 3,
        94 => length == 3,
        151 => length >= 1,
        152..=155 => length == 4,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(options: &[u8]) -> Vec<u8> {
        let mut packet = vec![0u8; OPTIONS_START];
        packet.extend_from_slice(options);
        packet
    }

    #[test]
    fn wrong_lengths_of_fixed_options_are_caught() {
        assert!(is_decodable(&packet(&[53, 1, 1, 255])));
        assert!(is_decodable(&packet(&[152, 4, 0, 0, 0, 1, 255])));
        assert!(!is_decodable(&packet(&[152, 3, 0, 0, 1, 255])));
        assert!(!is_decodable(&packet(&[53, 1, 1, 151, 0])));
        assert!(!is_decodable(&packet(&[81, 2, 0, 0, 53, 1, 1])));
        assert!(!is_decodable(&packet(&[80, 1, 0])));
        // Two consecutive 152s are joined into eight bytes.
        assert!(!is_decodable(&packet(&[
            152, 4, 0, 0, 0, 1, 152, 4, 0, 0, 0, 1
        ])));
        // A pad between two 81s: dhcproto decodes the first, empty, on its own.
        assert!(!is_decodable(&packet(&[81, 0, 0, 81, 3, 0, 0, 0, 255])));
        assert!(is_decodable(&packet(&[
            81, 3, 0, 0, 0, 0, 81, 3, 0, 0, 0, 255
        ])));
        assert!(is_decodable(&[0u8; 10]), "too short: dhcproto refuses it");
        let mut long_hardware = packet(&[53, 1, 1, 255]);
        long_hardware[HLEN_AT] = 17;
        assert!(!is_decodable(&long_hardware));
        long_hardware[HLEN_AT] = 16;
        assert!(is_decodable(&long_hardware));
    }
}
