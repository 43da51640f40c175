//! How many connections each client address holds at once, for FTP sessions and HTTP(S)
//! connections alike: one past the limit is turned away (FTP with `421` before libunftp sees it,
//! HTTP by closing it at accept), so one address cannot hold every descriptor the server has.
//! Addresses in the enumeration defense's allowed networks are not limited (phones behind one
//! NAT address boot together).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

use ipnet::IpNet;

/// Default most FTP sessions per address.
pub const DEFAULT_SESSIONS_PER_ADDRESS: usize = 32;
/// Default most HTTP(S) connections per address: above what an office of 200 phones behind one
/// NAT address opens while booting, well below the descriptors of the server.
pub const DEFAULT_CONNECTIONS_PER_ADDRESS: usize = 256;

/// Open connections per address.
#[derive(Debug, Default)]
pub struct AddressSlots {
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One open connection; counted until dropped.
#[derive(Debug)]
pub struct AddressSlot {
    counts: Arc<AddressSlots>,
    client: IpAddr,
}

impl AddressSlots {
    /// A slot for `client`, unless it holds `limit` connections already.
    pub fn open(self: &Arc<Self>, client: IpAddr, limit: usize) -> Option<AddressSlot> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(client).or_default();
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(AddressSlot {
            counts: Arc::clone(self),
            client,
        })
    }
}

/// The per-address limit of one kind of connection, shared by every listener of that kind:
/// addresses in `exempt` (the allowed networks) are never limited.
#[derive(Debug, Clone)]
pub struct ConnectionLimit {
    slots: Arc<AddressSlots>,
    per_address: usize,
    exempt: Arc<[IpNet]>,
}

impl ConnectionLimit {
    /// At most `per_address` connections per address outside `exempt`.
    pub fn new(per_address: usize, exempt: Vec<IpNet>) -> ConnectionLimit {
        ConnectionLimit {
            slots: Arc::default(),
            per_address,
            exempt: exempt.into(),
        }
    }

    /// No limit at all (tests and tools that serve one client).
    pub fn unlimited() -> ConnectionLimit {
        ConnectionLimit::new(usize::MAX, Vec::new())
    }

    /// Whether a connection from `client` may be served: `Some(slot)` to keep while it lasts
    /// (`Some(None)` for an exempt address), `None` when the address holds its limit already.
    /// IPv4-mapped IPv6 addresses count as their IPv4 address.
    pub fn admit(&self, client: IpAddr) -> Option<Option<AddressSlot>> {
        let client = client.to_canonical();
        if self.exempt.iter().any(|net| net.contains(&client)) {
            return Some(None);
        }
        self.slots.open(client, self.per_address).map(Some)
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = self
            .counts
            .open
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(count) = open.get_mut(&self.client) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_limited_per_address_and_freed_on_drop() {
        let counts = Arc::new(AddressSlots::default());
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let first = counts.open(a, 2).unwrap();
        let _second = counts.open(a, 2).unwrap();
        assert!(counts.open(a, 2).is_none());
        assert!(counts.open(b, 2).is_some());
        drop(first);
        assert!(counts.open(a, 2).is_some());
    }

    #[test]
    fn exempt_networks_are_not_counted_and_mapped_addresses_count_as_ipv4() {
        let limit = ConnectionLimit::new(1, vec!["10.0.0.0/8".parse().unwrap()]);
        let inside: IpAddr = "10.1.2.3".parse().unwrap();
        let _a = limit.admit(inside).unwrap();
        assert!(limit.admit(inside).is_some(), "exempt");
        let mapped: IpAddr = "::ffff:192.0.2.9".parse().unwrap();
        let plain: IpAddr = "192.0.2.9".parse().unwrap();
        let _held = limit.admit(mapped).unwrap();
        assert!(limit.admit(plain).is_none(), "the same client");
    }
}
