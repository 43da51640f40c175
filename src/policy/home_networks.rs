//! The networks each phone was seen on: where its credential files went (and, at start, its
//! last-seen address). Once a phone is known on a network, its credential files (Polycom
//! extension files and settings, Aastra/Mitel `<MAC>.cfg`) go only to clients in one of its
//! networks: knowing a MAC from a purchase batch is not enough from anywhere else. A network is
//! an IPv4 /24 or an IPv6 /64; the newest [`MAX_NETWORKS_PER_PHONE`] are kept per phone, in
//! memory (each node knows what it served). A phone never seen gets its files anywhere (its
//! first boot); a phone moved to a new network needs an admin's reset (`phone unbind`) or
//! `--roaming-phones`.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::RwLock;

use crate::domain::Mac;
use crate::policy::guard::client_key;

/// Most networks remembered per phone.
pub const MAX_NETWORKS_PER_PHONE: usize = 4;

/// The network of `client`: its IPv4 /24, or its IPv6 /64.
pub fn network_of(client: IpAddr) -> IpAddr {
    match client_key(client) {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            IpAddr::V4(Ipv4Addr::new(a, b, c, 0))
        }
        v6 => v6,
    }
}

/// The networks of every phone seen.
#[derive(Debug, Default)]
pub struct HomeNetworks {
    by_phone: RwLock<HashMap<Mac, Vec<IpAddr>>>,
}

impl HomeNetworks {
    /// Whether `client` may get `phone`'s credential files: the phone was never seen, or was
    /// seen on `client`'s network.
    pub fn admits(&self, phone: Mac, client: IpAddr) -> bool {
        let network = network_of(client);
        self.by_phone
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(&phone)
            .is_none_or(|networks| networks.contains(&network))
    }

    /// Remembers that `phone` was seen at `client`.
    pub fn note(&self, phone: Mac, client: IpAddr) {
        let network = network_of(client);
        let known = |networks: &HashMap<Mac, Vec<IpAddr>>| {
            networks
                .get(&phone)
                .is_some_and(|list| list.last() == Some(&network))
        };
        if known(
            &self
                .by_phone
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        ) {
            return;
        }
        let mut by_phone = self
            .by_phone
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let networks = by_phone.entry(phone).or_default();
        networks.retain(|known| *known != network);
        if networks.len() >= MAX_NETWORKS_PER_PHONE {
            networks.remove(0);
        }
        networks.push(network);
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
        assert!(
            homes.admits(phone, ip("203.0.113.9")),
            "never seen: anywhere"
        );
        homes.note(phone, ip("192.168.10.23"));
        assert!(homes.admits(phone, ip("192.168.10.200")), "the same /24");
        assert!(!homes.admits(phone, ip("192.168.11.23")), "another network");
        homes.note(phone, ip("2001:db8:5:6::10"));
        assert!(
            homes.admits(phone, ip("2001:db8:5:6:ffff::1")),
            "the same /64"
        );
        homes.forget(&phone);
        assert!(homes.admits(phone, ip("192.168.11.23")), "reset");
    }
}
