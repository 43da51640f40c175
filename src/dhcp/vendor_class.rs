//! Which phone vendor a DHCP client is: Polycom by its binary vendor class (RFC 3925 layout with
//! enterprise number 13885) or a text class naming Polycom; Aastra/Mitel by the vendor class
//! `AastraIPPhone...` or `MitelIPPhone...`; otherwise by the OUI of the hardware address.

use dhcproto::v4::{DhcpOption, Message, OptionCode};

use crate::domain::{Mac, Vendor};

/// The vendor of the phone that sent `message`, if it is one phoneprov provisions.
pub fn vendor_of(message: &Message) -> Option<Vendor> {
    if let Some(DhcpOption::ClassIdentifier(class)) =
        message.opts().get(OptionCode::ClassIdentifier)
        && let Some(vendor) = vendor_of_class(class)
    {
        return Some(vendor);
    }
    mac_of(message).and_then(|mac| Vendor::from_mac(&mac))
}

/// The vendor a vendor class (option 60) names.
pub fn vendor_of_class(class: &[u8]) -> Option<Vendor> {
    crate::handset::HANDSETS
        .iter()
        .find(|handset| handset.claims_vendor_class(class))
        .map(|handset| handset.vendor())
}

/// The client's Ethernet address.
pub fn mac_of(message: &Message) -> Option<Mac> {
    let chaddr = message.chaddr();
    let bytes: [u8; 6] = chaddr.get(..6)?.try_into().ok()?;
    if message.hlen() != 6 {
        return None;
    }
    Mac::from_octets(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_name_their_vendor() {
        let polycom = [
            &[0x00, 0x00, 0x36, 0x3d][..],
            b"\x3b\x02\x07Polycom\x03\x15SoundPointIP-SPIP_601",
        ]
        .concat();
        assert_eq!(vendor_of_class(&polycom), Some(Vendor::Polycom));
        assert_eq!(vendor_of_class(b"AastraIPPhone6757i"), Some(Vendor::Aastra));
        assert_eq!(vendor_of_class(b"MitelIPPhone6930"), Some(Vendor::Aastra));
        assert_eq!(vendor_of_class(b"Polycom-VVX400"), Some(Vendor::Polycom));
        assert_eq!(vendor_of_class(b"MSFT 5.0"), None);
        assert_eq!(vendor_of_class(b""), None);
    }
}
