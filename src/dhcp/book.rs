//! The lease book: who holds which address, in memory, owned by the one task that answers
//! DHCP (so two clients can never be given one address, however many ask at once). Offers are
//! held here only; leases, releases and declines are also written to the store before the
//! server answers.
//!
//! Choosing an address: the client's reservation, else the address it already holds, else the
//! one it asks for, else the next never-used address after a cursor that walks each pool; once
//! a pool has been walked, expired and released addresses are reused. A search is bounded, so
//! an exhausted pool costs little per request.

use std::collections::HashMap;
use std::net::Ipv4Addr;

use crate::dhcp::subnet::Subnet;
use crate::domain::{ClientKey, Lease, LeaseState, Mac};

/// How long an offered address is held for its client, in ms.
pub const OFFER_HOLD_MS: i64 = 30_000;
/// Most addresses looked at to find a free one for one request.
const MAX_SEARCH: u32 = 65_536;

/// One address's binding.
#[derive(Debug, Clone)]
struct Binding {
    lease: Lease,
    /// Only offered (not yet requested): held, never stored.
    offered: bool,
}

impl Binding {
    /// Whether the address may go to `client` at `now`.
    fn free_for(&self, client: &ClientKey, now: i64) -> bool {
        if self.lease.state == LeaseState::Declined {
            return self.lease.expires_at_ms <= now;
        }
        &self.lease.client == client || !self.lease.is_active(now)
    }
}

/// The leases of every allocate-mode subnet.
#[derive(Debug, Default, Clone)]
pub struct LeaseBook {
    by_address: HashMap<Ipv4Addr, Binding>,
    by_client: HashMap<(usize, ClientKey), Ipv4Addr>,
    /// Per subnet, the next address (as a number) the walk looks at.
    cursors: HashMap<usize, u32>,
}

/// Who is asking, in which subnet.
#[derive(Debug, Clone)]
pub struct Asker<'a> {
    /// The subnet's index and the subnet.
    pub subnet: (usize, &'a Subnet),
    /// The client's key.
    pub client: ClientKey,
    /// Its hardware address, for reservations.
    pub mac: Option<Mac>,
    /// Its hardware address as text.
    pub hardware: String,
    /// Its host name (option 12).
    pub hostname: Option<String>,
}

impl LeaseBook {
    /// Loads stored leases; `subnet_of` maps a lease's subnet name to the subnet's index.
    /// Returns the leases it skipped (their subnet is no longer configured, or the address is
    /// no longer inside it).
    pub fn load(&mut self, leases: Vec<Lease>, subnets: &[Subnet]) -> Vec<(Lease, &'static str)> {
        let mut skipped = Vec::new();
        for lease in leases {
            let Some(index) = subnets.iter().position(|s| s.name == lease.subnet) else {
                skipped.push((lease, "its subnet is not configured"));
                continue;
            };
            if !subnets[index].config.network.contains(&lease.address) {
                skipped.push((lease, "the address is not inside its subnet"));
                continue;
            }
            if lease.state != LeaseState::Released {
                self.by_client
                    .insert((index, lease.client.clone()), lease.address);
            }
            self.by_address.insert(
                lease.address,
                Binding {
                    lease,
                    offered: false,
                },
            );
        }
        skipped
    }

    /// The stored lease the client holds in its subnet, if active.
    pub fn lease_of(&self, asker: &Asker<'_>, now: i64) -> Option<&Lease> {
        let address = self
            .by_client
            .get(&(asker.subnet.0, asker.client.clone()))?;
        let binding = self.by_address.get(address)?;
        (binding.lease.client == asker.client
            && !binding.offered
            && binding.lease.state == LeaseState::Leased
            && binding.lease.is_active(now))
        .then_some(&binding.lease)
    }

    /// Whether the client has any record here (a lease, offer or past lease).
    pub fn knows(&self, asker: &Asker<'_>) -> bool {
        self.by_client
            .contains_key(&(asker.subnet.0, asker.client.clone()))
    }

    /// Whether `address` may go to the asker now.
    pub fn available(&self, asker: &Asker<'_>, address: Ipv4Addr, now: i64) -> bool {
        let subnet = asker.subnet.1;
        let reserved_for_asker = subnet.reservation_of(asker.mac) == Some(address);
        if !reserved_for_asker && (subnet.is_reserved(address) || !subnet.leases(address)) {
            return false;
        }
        self.by_address
            .get(&address)
            .is_none_or(|binding| binding.free_for(&asker.client, now))
    }

    /// The address to offer the asker (see the module text), or none when the pools are full.
    pub fn choose(
        &mut self,
        asker: &Asker<'_>,
        requested: Option<Ipv4Addr>,
        now: i64,
    ) -> Option<Ipv4Addr> {
        let (index, subnet) = asker.subnet;
        if let Some(reserved) = subnet.reservation_of(asker.mac) {
            return self.available(asker, reserved, now).then_some(reserved);
        }
        if let Some(held) = self.by_client.get(&(index, asker.client.clone()))
            && self.available(asker, *held, now)
        {
            return Some(*held);
        }
        if let Some(requested) = requested
            && self.available(asker, requested, now)
        {
            return Some(requested);
        }
        self.walk(asker, now)
    }

    /// The next free address after the subnet's cursor, across its pools.
    fn walk(&mut self, asker: &Asker<'_>, now: i64) -> Option<Ipv4Addr> {
        let (index, subnet) = asker.subnet;
        let total: u64 = subnet.pools.iter().map(|p| p.len()).sum();
        let steps = u32::try_from(total.min(u64::from(MAX_SEARCH))).unwrap_or(MAX_SEARCH);
        let first = subnet.pools.first()?.first;
        let mut cursor = *self.cursors.get(&index).unwrap_or(&u32::from(first));
        for _ in 0..steps {
            let address = Ipv4Addr::from(cursor);
            cursor = next_in_pools(subnet, cursor);
            // Reserved addresses are not available to the walker (its own reservation, if
            // any, was chosen before the walk).
            if self.available(asker, address, now) {
                self.cursors.insert(index, cursor);
                return Some(address);
            }
        }
        self.cursors.insert(index, cursor);
        None
    }

    /// Holds `address` for the asker while it decides.
    pub fn offer(&mut self, asker: &Asker<'_>, address: Ipv4Addr, now: i64) {
        if let Some(binding) = self.by_address.get(&address)
            && binding.lease.client == asker.client
            && !binding.offered
            && binding.lease.is_active(now)
        {
            // Its own active lease: nothing to hold.
            return;
        }
        let lease = self.lease_for(asker, address, LeaseState::Leased, now + OFFER_HOLD_MS);
        self.bind(asker.subnet.0, lease, true);
    }

    /// Drops the asker's offer (it took another server's): the address is free at once.
    pub fn withdraw_offer(&mut self, asker: &Asker<'_>) {
        let key = (asker.subnet.0, asker.client.clone());
        let Some(address) = self.by_client.get(&key).copied() else {
            return;
        };
        if self
            .by_address
            .get(&address)
            .is_some_and(|binding| binding.offered && binding.lease.client == asker.client)
        {
            self.by_address.remove(&address);
            self.by_client.remove(&key);
        }
    }

    /// Binds `address` to the asker until `now + seconds`; the lease to store.
    pub fn commit(
        &mut self,
        asker: &Asker<'_>,
        address: Ipv4Addr,
        seconds: u32,
        now: i64,
    ) -> Lease {
        let lease = self.lease_for(
            asker,
            address,
            LeaseState::Leased,
            now + i64::from(seconds) * 1000,
        );
        self.bind(asker.subnet.0, lease.clone(), false);
        lease
    }

    /// Ends the asker's lease of `address` (RELEASE, or `Declined` with a probation); the
    /// lease to store, or none if the asker does not hold it.
    pub fn end(
        &mut self,
        asker: &Asker<'_>,
        address: Ipv4Addr,
        state: LeaseState,
        until: i64,
    ) -> Option<Lease> {
        let binding = self.by_address.get_mut(&address)?;
        if binding.lease.client != asker.client || binding.offered {
            return None;
        }
        binding.lease.state = state;
        binding.lease.expires_at_ms = until;
        Some(binding.lease.clone())
    }

    /// Releases `address` whoever holds it (an admin's release; a declined address comes off
    /// probation); the lease to store, or none if nothing active holds it.
    pub fn release(&mut self, address: Ipv4Addr, now: i64) -> Option<Lease> {
        let binding = self.by_address.get_mut(&address)?;
        if binding.offered || !binding.lease.is_active(now) {
            return None;
        }
        binding.lease.state = LeaseState::Released;
        binding.lease.expires_at_ms = now;
        Some(binding.lease.clone())
    }

    fn lease_for(
        &self,
        asker: &Asker<'_>,
        address: Ipv4Addr,
        state: LeaseState,
        expires_at_ms: i64,
    ) -> Lease {
        Lease {
            address,
            client: asker.client.clone(),
            hardware: asker.hardware.clone(),
            subnet: asker.subnet.1.name.clone(),
            state,
            expires_at_ms,
            hostname: asker.hostname.clone(),
        }
    }

    /// Binds the lease's address to the asker. The address's former client forgets it, so the
    /// client index never holds more entries than there are addresses (random MACs cannot make
    /// it grow).
    fn bind(&mut self, index: usize, lease: Lease, offered: bool) {
        let address = lease.address;
        let client = lease.client.clone();
        let released = lease.state == LeaseState::Released;
        if let Some(former) = self.by_address.insert(address, Binding { lease, offered })
            && former.lease.client != client
        {
            let key = (index, former.lease.client);
            if self.by_client.get(&key) == Some(&address) {
                self.by_client.remove(&key);
            }
        }
        if released {
            // A released lease binds nobody (as when loaded).
            return;
        }
        if let Some(previous) = self.by_client.insert((index, client.clone()), address)
            && previous != address
            && self
                .by_address
                .get(&previous)
                .is_some_and(|binding| binding.offered && binding.lease.client == client)
        {
            // An offer the client did not take: free at once.
            self.by_address.remove(&previous);
        }
    }

    /// Takes in a lease another node stored. It replaces what the book holds for its address
    /// unless the book holds an active lease of another client there: the store refuses a second
    /// holder, so such a lease read in passing is older than ours, while one read `refused`
    /// (just after the store refused ours for it) is the truth.
    pub fn learn(&mut self, lease: Lease, subnets: &[Subnet], refused: bool, now: i64) {
        let Some(index) = subnets.iter().position(|s| s.name == lease.subnet) else {
            return;
        };
        if !subnets[index].config.network.contains(&lease.address) {
            return;
        }
        if let Some(binding) = self.by_address.get(&lease.address) {
            if binding.offered && !lease.is_active(now) {
                // An offer stands over a lease that ended.
                return;
            }
            let another_holder = !binding.offered && binding.lease.client != lease.client;
            if another_holder && binding.lease.is_active(now) && !refused {
                return;
            }
        }
        self.bind(index, lease, false);
    }

    /// How many clients and addresses the book knows (for tests of its bounds).
    pub fn sizes(&self) -> (usize, usize) {
        (self.by_client.len(), self.by_address.len())
    }
}

/// The address after `current` in the subnet's pools, wrapping to the first.
fn next_in_pools(subnet: &Subnet, current: u32) -> u32 {
    let next = current.wrapping_add(1);
    let pools = &subnet.pools;
    if let Some(pool) = pools.iter().find(|p| p.contains(Ipv4Addr::from(next))) {
        return u32::from(pool.first).max(next);
    }
    // Past a pool's end: the next pool that starts after it, else the first pool.
    pools
        .iter()
        .map(|p| u32::from(p.first))
        .filter(|first| *first > current)
        .min()
        .or_else(|| pools.iter().map(|p| u32::from(p.first)).min())
        .unwrap_or(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dhcp::subnet::{SubnetConfig, check_subnets};

    fn subnet(pools: &[&str]) -> Subnet {
        let pools = pools.iter().map(|p| format!("{p:?}")).collect::<Vec<_>>();
        let text = format!(
            "network = \"10.0.0.0/24\"\nmode = \"allocate\"\npools = [{}]\n\
             reservations = [{{ mac = \"0004f2000099\", address = \"10.0.0.3\" }}]",
            pools.join(",")
        );
        let config: SubnetConfig = toml::from_str(&text).unwrap();
        check_subnets(vec![config]).unwrap().remove(0)
    }

    fn asker(subnet: &Subnet, n: u8) -> Asker<'_> {
        let mac = [0x00, 0x04, 0xf2, 0, 0, n];
        Asker {
            subnet: (0, subnet),
            client: ClientKey::new(None, 1, &mac),
            mac: Mac::from_octets(mac).ok(),
            hardware: crate::domain::hardware_text(&mac),
            hostname: None,
        }
    }

    #[test]
    fn addresses_are_never_shared_and_pools_run_out() {
        let subnet = subnet(&["10.0.0.2-10.0.0.4", "10.0.0.10-10.0.0.11"]);
        let mut book = LeaseBook::default();
        let mut given = Vec::new();
        for n in 1..=4 {
            let asker = asker(&subnet, n);
            let address = book.choose(&asker, None, 0).expect("an address");
            book.offer(&asker, address, 0);
            given.push(address);
        }
        // 10.0.0.3 is reserved for another phone.
        let expected: Vec<Ipv4Addr> = ["10.0.0.2", "10.0.0.4", "10.0.0.10", "10.0.0.11"]
            .iter()
            .map(|a| a.parse().unwrap())
            .collect();
        assert_eq!(given, expected);
        assert_eq!(book.choose(&asker(&subnet, 5), None, 0), None, "pools full");
        // Offers lapse: after the hold, the address goes to someone else.
        assert_eq!(
            book.choose(&asker(&subnet, 5), None, OFFER_HOLD_MS + 1),
            Some(expected[0])
        );
        // The reserved phone gets its address.
        assert_eq!(
            book.choose(&asker(&subnet, 0x99), None, 0),
            Some("10.0.0.3".parse().unwrap())
        );
    }

    #[test]
    fn clients_keep_their_address_and_declined_ones_rest() {
        let subnet = subnet(&["10.0.0.2-10.0.0.9"]);
        let mut book = LeaseBook::default();
        let one = asker(&subnet, 1);
        let wanted: Ipv4Addr = "10.0.0.7".parse().unwrap();
        assert_eq!(book.choose(&one, Some(wanted), 0), Some(wanted));
        let lease = book.commit(&one, wanted, 3600, 0);
        assert_eq!(lease.expires_at_ms, 3_600_000);
        assert_eq!(book.lease_of(&one, 1).map(|l| l.address), Some(wanted));
        assert_eq!(book.choose(&one, None, 10), Some(wanted), "same again");
        let two = asker(&subnet, 2);
        assert!(!book.available(&two, wanted, 10));
        assert_ne!(book.choose(&two, Some(wanted), 10), Some(wanted));
        // A decline keeps the address from everyone, its client too, until probation ends.
        assert!(
            book.end(&two, wanted, LeaseState::Declined, 500).is_none(),
            "not its lease"
        );
        let declined = book.end(&one, wanted, LeaseState::Declined, 5_000).unwrap();
        assert_eq!(declined.state, LeaseState::Declined);
        assert!(!book.available(&one, wanted, 4_999));
        assert!(book.available(&two, wanted, 5_000));
        // Released addresses are free again.
        book.commit(&two, wanted, 60, 6_000);
        assert!(book.release(wanted, 7_000).is_some());
        assert!(book.available(&one, wanted, 7_000));
        assert!(book.lease_of(&two, 7_000).is_none());
    }

    #[test]
    fn many_clients_never_grow_the_book_past_the_pool() {
        let subnet = subnet(&["10.0.0.10-10.0.0.13"]);
        let mut book = LeaseBook::default();
        let mut now = 0;
        for n in 0..=250u8 {
            let asker = asker(&subnet, n);
            if let Some(address) = book.choose(&asker, None, now) {
                book.offer(&asker, address, now);
            }
            now += OFFER_HOLD_MS / 2;
        }
        // Four pool addresses and the one reservation (client 0x99 is among the 251).
        let (clients, addresses) = book.sizes();
        assert_eq!(addresses, 5);
        assert!(clients <= 5, "{clients}");
    }

    #[test]
    fn the_walk_wraps_across_pools() {
        let subnet = subnet(&["10.0.0.20-10.0.0.21", "10.0.0.10-10.0.0.11"]);
        let order: Vec<u32> = std::iter::successors(Some(u32::from(subnet.pools[0].first)), |c| {
            Some(next_in_pools(&subnet, *c))
        })
        .take(5)
        .map(|a| a & 0xff)
        .collect();
        assert_eq!(order, [20, 21, 10, 11, 20]);
    }

    /// A lease another node stored for `asker`'s client at `address`, held until `until`.
    fn stored_elsewhere(asker: &Asker<'_>, address: &str, until: i64) -> Lease {
        Lease {
            address: address.parse().unwrap(),
            client: asker.client.clone(),
            hardware: asker.hardware.clone(),
            subnet: asker.subnet.1.name.clone(),
            state: LeaseState::Leased,
            expires_at_ms: until,
            hostname: None,
        }
    }

    #[test]
    fn leases_other_nodes_stored_are_not_offered_and_a_refusal_is_the_truth() {
        let subnet = subnet(&["10.0.0.10-10.0.0.12"]);
        let subnets = std::slice::from_ref(&subnet);
        let mut book = LeaseBook::default();
        // Another node's client holds .10: this node offers the next address.
        let theirs = asker(&subnet, 9);
        book.learn(
            stored_elsewhere(&theirs, "10.0.0.10", 5_000),
            subnets,
            false,
            0,
        );
        let ours = asker(&subnet, 1);
        assert_eq!(
            book.choose(&ours, None, 0),
            Some("10.0.0.11".parse().unwrap())
        );
        // And knows that client, should it renew here.
        assert!(book.lease_of(&theirs, 0).is_some());

        // Our client's stored lease on .11 is not undone by a lease read in passing...
        let ours_address = "10.0.0.11".parse().unwrap();
        book.commit(&ours, ours_address, 60, 0);
        let other = asker(&subnet, 8);
        book.learn(
            stored_elsewhere(&other, "10.0.0.11", 5_000),
            subnets,
            false,
            0,
        );
        assert!(book.lease_of(&ours, 0).is_some());
        // ...but is by one read after the store refused ours for it.
        book.learn(
            stored_elsewhere(&other, "10.0.0.11", 5_000),
            subnets,
            true,
            0,
        );
        assert!(book.lease_of(&ours, 0).is_none());
        assert!(book.lease_of(&other, 0).is_some());
        assert_eq!(
            book.choose(&ours, None, 0),
            Some("10.0.0.12".parse().unwrap())
        );

        // An offer stands over a lease that ended; a lease of another subnet is ignored.
        book.offer(&ours, "10.0.0.12".parse().unwrap(), 0);
        book.learn(stored_elsewhere(&other, "10.0.0.12", -1), subnets, false, 0);
        assert!(!book.available(&other, "10.0.0.12".parse().unwrap(), 0));
        let mut foreign = stored_elsewhere(&other, "10.0.0.12", 5_000);
        foreign.subnet = "elsewhere".into();
        book.learn(foreign, subnets, false, 0);
        assert!(!book.available(&other, "10.0.0.12".parse().unwrap(), 0));
        assert_eq!(book.sizes(), (3, 3));
    }
}
