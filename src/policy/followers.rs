//! Which client addresses act for a phone: those its master file was served to. A real phone
//! always fetches its master file first (at every boot and re-check, over whichever transport,
//! also after a DHCP address change), so a phone's other files (its extensions' credential
//! files, its uploads and overrides) are served to, and accepted from, only those addresses.
//! Counting extension numbers then yields nothing to anyone who does not know a MAC.
//!
//! Addresses are kept by [`client_key`] (IPv4, or the IPv6 /64), the newest
//! [`MAX_ADDRESSES_PER_PHONE`] per phone, in memory; at start each phone's last-seen address (as
//! stored in batches with its sightings) is taken in, so a phone that booted before a restart
//! can upload its logs and overrides before its next boot. Each node of a shared database knows
//! the fetches it served: a phone must fetch its files from one node (one node per site, or a
//! balancer keeping each source address on one node).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::RwLock;

use crate::domain::Mac;
use crate::policy::guard::client_key;

/// Most addresses remembered per phone (DHCP changes, a phone moved between offices).
pub const MAX_ADDRESSES_PER_PHONE: usize = 4;

/// The addresses each phone's master file was served to, newest last.
/// Read-mostly: a phone's fetches only read it, and a master-file fetch writes only when the
/// address is new for the phone.
#[derive(Debug, Default)]
pub struct Followers {
    by_phone: RwLock<HashMap<Mac, Vec<IpAddr>>>,
}

impl Followers {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<Mac, Vec<IpAddr>>> {
        self.by_phone
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<Mac, Vec<IpAddr>>> {
        self.by_phone
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Remembers that `phone`'s master file was served to `client`.
    pub fn follow(&self, phone: Mac, client: IpAddr) {
        let key = client_key(client);
        let newest = |addresses: &Vec<IpAddr>| addresses.last() == Some(&key);
        if self.read().get(&phone).is_some_and(newest) {
            return;
        }
        let mut by_phone = self.write();
        let addresses = by_phone.entry(phone).or_default();
        if addresses.last() == Some(&key) {
            return;
        }
        addresses.retain(|address| *address != key);
        if addresses.len() >= MAX_ADDRESSES_PER_PHONE {
            addresses.remove(0);
        }
        addresses.push(key);
    }

    /// Whether `client` acts for `phone`: its master file was served there (or, before this
    /// server started, the phone was last seen there).
    pub fn follows(&self, phone: Mac, client: IpAddr) -> bool {
        let key = client_key(client);
        self.read()
            .get(&phone)
            .is_some_and(|addresses| addresses.contains(&key))
    }

    /// Forgets every address of `phone` (an admin unbinding it).
    pub fn forget(&self, phone: &Mac) {
        self.write().remove(phone);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_phone_is_followed_by_the_addresses_its_master_went_to() {
        let followers = Followers::default();
        let phone = Mac::parse("0004f2000001").unwrap();
        assert!(!followers.follows(phone, ip("192.0.2.1")));
        followers.follow(phone, ip("::ffff:192.0.2.1"));
        assert!(followers.follows(phone, ip("192.0.2.1")));
        for n in 2..=5 {
            followers.follow(phone, ip(&format!("192.0.2.{n}")));
        }
        assert!(
            !followers.follows(phone, ip("192.0.2.1")),
            "the oldest went"
        );
        assert!(followers.follows(phone, ip("192.0.2.5")));
        followers.follow(phone, ip("2001:db8:0:1::5"));
        assert!(followers.follows(phone, ip("2001:db8:0:1::77")), "its /64");
        followers.forget(&phone);
        assert!(!followers.follows(phone, ip("192.0.2.5")));
    }
}
