//! How many FTP sessions each client address holds at once: a session past the limit is turned
//! away with `421` before libunftp sees it, so one address cannot hold every session the server
//! can serve. Addresses in the enumeration defense's allowed networks are not limited (phones
//! behind one NAT address boot together).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, PoisonError};

/// Default most sessions per address.
pub const DEFAULT_SESSIONS_PER_ADDRESS: usize = 32;

/// Open sessions per address.
#[derive(Debug, Default)]
pub struct SessionCounts {
    open: Mutex<HashMap<IpAddr, usize>>,
}

/// One open session; counted until dropped.
#[derive(Debug)]
pub struct SessionSlot {
    counts: Arc<SessionCounts>,
    client: IpAddr,
}

impl SessionCounts {
    /// A slot for `client`, unless it holds `limit` sessions already.
    pub fn open(self: &Arc<Self>, client: IpAddr, limit: usize) -> Option<SessionSlot> {
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        let count = open.entry(client).or_default();
        if *count >= limit {
            return None;
        }
        *count += 1;
        Some(SessionSlot {
            counts: Arc::clone(self),
            client,
        })
    }
}

impl Drop for SessionSlot {
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
        let counts = Arc::new(SessionCounts::default());
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let first = counts.open(a, 2).unwrap();
        let _second = counts.open(a, 2).unwrap();
        assert!(counts.open(a, 2).is_none());
        assert!(counts.open(b, 2).is_some());
        drop(first);
        assert!(counts.open(a, 2).is_some());
    }
}
