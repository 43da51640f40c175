//! The networks each phone was seen on: where its credential files went (at start, where they
//! last went, as stored; never its last-seen address, which anyone's master-file fetch moves). Once a phone is known on a network, its credential files (Polycom
//! extension files and settings, Aastra/Mitel `<MAC>.cfg`) go only to clients in one of its
//! networks: knowing a MAC from a purchase batch is not enough from anywhere else. A network is
//! an IPv4 /24 or an IPv6 /64; the newest [`MAX_NETWORKS_PER_PHONE`] are kept per phone, in
//! memory (each node knows what it served). A phone never seen gets its files anywhere (its
//! first boot); a phone moved to a new network needs an admin's reset (`phone unbind`) or
//! `--roaming-phones`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::RwLock;

use crate::domain::Mac;
use crate::policy::guard::network_of;

/// Most networks remembered per phone.
pub const MAX_NETWORKS_PER_PHONE: usize = 4;

/// The networks of every phone seen.
#[derive(Debug, Default)]
pub struct HomeNetworks {
    by_phone: RwLock<HashMap<Mac, Vec<IpAddr>>>,
}

impl HomeNetworks {
    /// Whether `client` may get `phone`'s credential files: the phone was never seen, was seen
    /// on `client`'s network, or `anywhere` (phones roam). One read lock; changes nothing.
    pub fn admits(&self, phone: Mac, client: IpAddr, anywhere: bool) -> bool {
        anywhere
            || self
                .read()
                .get(&phone)
                .is_none_or(|networks| networks.contains(&network_of(client)))
    }

    /// Remembers that `phone`'s credential files went to `client` (its network becomes the
    /// phone's newest). The usual case (already its newest) takes one read lock.
    pub fn note(&self, phone: Mac, client: IpAddr) {
        let network = network_of(client);
        if self
            .read()
            .get(&phone)
            .is_some_and(|networks| networks.last() == Some(&network))
        {
            return;
        }
        self.note_network(phone, network);
    }

    /// Makes `network` the phone's newest.
    fn note_network(&self, phone: Mac, network: IpAddr) {
        let mut by_phone = self
            .by_phone
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let networks = by_phone.entry(phone).or_default();
        if networks.last() == Some(&network) {
            return;
        }
        networks.retain(|known| *known != network);
        if networks.len() >= MAX_NETWORKS_PER_PHONE {
            networks.remove(0);
        }
        networks.push(network);
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<Mac, Vec<IpAddr>>> {
        self.by_phone
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Forgets `phone`'s networks (an admin's reset: it may boot anywhere once more).
    pub fn forget(&self, phone: &Mac) {
        self.by_phone
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(phone);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_seen_on_a_network_gets_its_credentials_only_there() {
        let homes = HomeNetworks::default();
        let phone = Mac::parse("0004f214ab37").unwrap();
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        let admits = |client| homes.admits(phone, ip(client), false);
        assert!(admits("192.168.10.23"), "never seen: anywhere");
        assert!(
            admits("192.168.11.23"),
            "asking is not being sent: still anywhere"
        );
        homes.note(phone, ip("192.168.10.23"));
        assert!(admits("192.168.10.200"), "the same /24");
        assert!(!admits("192.168.11.23"), "another network");
        assert!(
            homes.admits(phone, ip("192.168.11.23"), true),
            "phones roam"
        );
        homes.note(phone, ip("192.168.11.23"));
        assert!(admits("192.168.11.24"), "a network it roamed to is its own");
        assert!(admits("192.168.10.24"), "and the first one still");
        homes.note(phone, ip("2001:db8:5:6::10"));
        assert!(admits("2001:db8:5:6:ffff::1"), "the same /64");
        for n in 0..MAX_NETWORKS_PER_PHONE {
            homes.note(phone, ip(&format!("10.0.{n}.1")));
        }
        assert!(!admits("192.168.10.23"), "the oldest networks went");
        homes.forget(&phone);
        homes.note(phone, ip("10.1.1.1"));
        assert!(!admits("192.168.10.23"), "forgotten, then seen elsewhere");
        homes.forget(&phone);
        assert!(admits("192.168.10.23"), "reset");
    }
}
