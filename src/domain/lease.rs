//! DHCP leases as phoneprov stores them (allocate mode): which client holds which address of
//! which subnet until when, and in what state. Clients are known by their client identifier
//! (option 61) or, without one, by their hardware type and address, as RFC 2132 suggests.

use std::fmt;
use std::net::Ipv4Addr;

/// Who holds a lease: option 61's bytes, or the hardware type followed by the hardware address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientKey(Vec<u8>);

impl ClientKey {
    /// The key of a client with `client_id` (option 61), else of its hardware address.
    pub fn new(client_id: Option<&[u8]>, htype: u8, chaddr: &[u8]) -> ClientKey {
        match client_id {
            Some(id) if !id.is_empty() => ClientKey(id.to_vec()),
            _ => ClientKey([&[htype][..], chaddr].concat()),
        }
    }

    /// Parses the hex form written by [`fmt::Display`].
    pub fn from_hex(text: &str) -> Option<ClientKey> {
        if text.is_empty() || !text.len().is_multiple_of(2) || text.len() > 2 * 255 {
            return None;
        }
        let bytes: Option<Vec<u8>> = (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
            .collect();
        bytes.map(ClientKey)
    }
}

impl fmt::Display for ClientKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

/// Where a lease is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaseState {
    /// Held by its client until it expires.
    Leased,
    /// Given back by the client (DHCPRELEASE) or by an admin; free again.
    Released,
    /// Declined by a client that found the address in use: nobody gets it until it expires
    /// (the probation period).
    Declined,
}

impl LeaseState {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            LeaseState::Leased => "leased",
            LeaseState::Released => "released",
            LeaseState::Declined => "declined",
        }
    }

    /// The state a stored name stands for.
    pub fn parse(text: &str) -> Option<LeaseState> {
        match text {
            "leased" => Some(LeaseState::Leased),
            "released" => Some(LeaseState::Released),
            "declined" => Some(LeaseState::Declined),
            _ => None,
        }
    }
}

/// One address's lease.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// The leased address (the key).
    pub address: Ipv4Addr,
    /// Who holds it.
    pub client: ClientKey,
    /// The client's hardware address as `aa:bb:cc:dd:ee:ff`, for people.
    pub hardware: String,
    /// The subnet it belongs to, e.g. `10.20.0.0/24`.
    pub subnet: String,
    /// Leased, released or declined.
    pub state: LeaseState,
    /// When the lease (or the probation of a declined address) ends, in ms since the epoch.
    pub expires_at_ms: i64,
    /// The client's host name (option 12), if it sent one.
    pub hostname: Option<String>,
}

impl Lease {
    /// Whether the lease still binds its address at `now_ms`.
    pub fn is_active(&self, now_ms: i64) -> bool {
        self.state != LeaseState::Released && self.expires_at_ms > now_ms
    }
}

/// A hardware address as `aa:bb:cc:dd:ee:ff` (any length).
pub fn hardware_text(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(bytes.len() * 3);
    for (i, byte) in bytes.iter().enumerate() {
        if i > 0 {
            text.push(':');
        }
        text.push_str(&format!("{byte:02x}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_keys_prefer_the_client_identifier() {
        let mac = [0x00, 0x04, 0xf2, 0x01, 0x02, 0x03];
        let by_mac = ClientKey::new(None, 1, &mac);
        assert_eq!(by_mac.to_string(), "010004f2010203");
        assert_eq!(ClientKey::new(Some(b""), 1, &mac), by_mac);
        let by_id = ClientKey::new(Some(b"\xffab"), 1, &mac);
        assert_eq!(by_id.to_string(), "ff6162");
        assert_eq!(ClientKey::from_hex("ff6162"), Some(by_id));
        assert_eq!(ClientKey::from_hex("ff616"), None);
        assert_eq!(ClientKey::from_hex("zz"), None);
        assert_eq!(ClientKey::from_hex(""), None);
        assert_eq!(hardware_text(&mac), "00:04:f2:01:02:03");
    }

    #[test]
    fn states_round_trip() {
        for state in [
            LeaseState::Leased,
            LeaseState::Released,
            LeaseState::Declined,
        ] {
            assert_eq!(LeaseState::parse(state.as_str()), Some(state));
        }
        assert_eq!(LeaseState::parse("bound"), None);
    }
}
