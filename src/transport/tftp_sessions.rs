//! How many TFTP transfers run at once: in all, and per source address. Each transfer holds a
//! UDP socket (and, for firmware, an open file) until its last block is acknowledged or its
//! retries run out, and a read request's source can be forged; so a flood of forged requests
//! fills this budget (and is freed within seconds) instead of every descriptor of the server.

use std::net::IpAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::transport::address_slots::{AddressSlot, AddressSlots};

/// Default most transfers at once, in all: about two descriptors each.
pub const DEFAULT_TRANSFERS: usize = 256;
/// Default most transfers at once from one source address (phones behind one NAT address boot
/// together; each asks for its files one after the other).
pub const DEFAULT_TRANSFERS_PER_ADDRESS: usize = 32;

/// The TFTP transfer budget.
#[derive(Debug)]
pub struct TftpSessions {
    running: Arc<AtomicUsize>,
    total: usize,
    per_address: usize,
    by_address: Arc<AddressSlots>,
}

/// One running transfer; counted until dropped.
#[derive(Debug)]
pub struct SessionSlot {
    running: Arc<AtomicUsize>,
    _address: AddressSlot,
}

impl TftpSessions {
    /// At most `total` transfers at once, `per_address` of them from one address.
    pub fn new(total: usize, per_address: usize) -> TftpSessions {
        TftpSessions {
            running: Arc::default(),
            total,
            per_address,
            by_address: Arc::default(),
        }
    }

    /// A slot for a transfer to `client`, unless the budget (in all or for that address) is
    /// spent. IPv4-mapped IPv6 addresses count as their IPv4 address.
    pub fn open(&self, client: IpAddr) -> Option<SessionSlot> {
        let address = self
            .by_address
            .open(client.to_canonical(), self.per_address)?;
        let taken = self
            .running
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |running| {
                (running < self.total).then_some(running + 1)
            });
        taken.ok().map(|_| SessionSlot {
            running: Arc::clone(&self.running),
            _address: address,
        })
    }

    /// Transfers running now.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::Acquire)
    }
}

impl Default for TftpSessions {
    fn default() -> Self {
        TftpSessions::new(DEFAULT_TRANSFERS, DEFAULT_TRANSFERS_PER_ADDRESS)
    }
}

impl Drop for SessionSlot {
    fn drop(&mut self) {
        self.running.fetch_sub(1, Ordering::AcqRel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn transfers_are_bounded_in_all_and_per_address_and_freed_on_drop() {
        let sessions = TftpSessions::new(3, 2);
        let a1 = sessions.open(ip("192.0.2.1")).unwrap();
        let _a2 = sessions.open(ip("::ffff:192.0.2.1")).unwrap();
        assert!(sessions.open(ip("192.0.2.1")).is_none(), "per address");
        let _b1 = sessions.open(ip("192.0.2.2")).unwrap();
        assert!(sessions.open(ip("192.0.2.3")).is_none(), "in all");
        assert_eq!(sessions.running(), 3);
        drop(a1);
        assert!(sessions.open(ip("192.0.2.3")).is_some());
        assert_eq!(
            sessions.running(),
            2,
            "the slot taken above is dropped again"
        );
    }
}
