//! The enumeration defense shared by every transport (a MAC address is not a secret): requests
//! for phone files that do not exist or are refused (an unknown `<MAC>…` name, an extension file
//! asked from an address that does not act for its phone) are counted per client address, as
//! distinct guessed phones (a MAC or an extension number, however many of its files are asked
//! for) within a window; at the limit the address is banned from provisioning for a while, and
//! the ban is logged.
//!
//! It also decides who may receive files with SIP passwords: only clients inside the
//! provisioning networks, when any are configured.
//!
//! While banned, an address gets only the files of phones that fetched successfully from it
//! before (phones behind the same NAT keep booting), and files of no phone (firmware, site
//! files); every other phone file is refused. The phones excepted are stored with the ban, so
//! the exception holds after a restart too. Allowed networks are counted like any other: a ban
//! there touches no phone already seen (they are only spared the connection limits). Bans are
//! decided in memory and stored within a second ([`crate::policy::shared_bans`]), so they hold on
//! every node sharing the database and across a restart; the admin API lists and lifts them.
//!
//! TFTP misses never ban: a UDP source address proves nothing, so anyone could ban an office by
//! forging its address. They are counted apart and, at the limit, only brake TFTP for that
//! address: its phone files of phones not seen there get "not found" over TFTP for the ban's
//! time, while HTTP and FTP (whose handshake proves the address) are untouched and nothing is
//! stored or listed.
//!
//! Clients are known by [`client_key`]: an IPv4-mapped IPv6 address (what a dual-stack `[::]`
//! listener sees of an IPv4 client) as its IPv4 address, so IPv4 networks match it; any other
//! IPv6 address by its /64, the smallest network one host is given, so a host cannot step
//! around a ban by changing the low bits of its address.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use ipnet::IpNet;

use crate::clock::now_ms;
pub use crate::domain::Ban;
use crate::domain::{Mac, Transport};
use crate::provision::file_name::FileName;

/// Distinct missing names that ban an address, by default.
pub const DEFAULT_LIMIT: u32 = 20;
/// The window they are counted in, by default: as long as a ban, so that spreading guesses
/// out gains nothing (19 an hour per address, not 19 every ten minutes).
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(3600);
/// Distinct guesses from all the addresses of one network (an IPv4 /24; an IPv6 /64 is one
/// client already) that ban, from then on, each of its addresses at its first miss: this many
/// times the per-address limit.
pub const NETWORK_FACTOR: u32 = 3;
/// How long a ban lasts, by default.
pub const DEFAULT_BAN: Duration = Duration::from_secs(3600);
/// Most phones remembered per address (a large NAT).
const MAX_PHONES_PER_ADDRESS: usize = 4096;
/// Most addresses tracked; beyond, the quietest unbanned ones are forgotten.
const MAX_ADDRESSES: usize = 100_000;
/// Most bans stored (and so shared with other nodes and kept over a restart) and listed at
/// once; a ban past it is enforced on this node all the same, and counted.
pub const MAX_LISTED_BANS: usize = 1_000;

/// The key a client is counted, banned and matched by: its IPv4 address (also when it came
/// IPv4-mapped), or the first address of its IPv6 /64.
pub fn client_key(client: IpAddr) -> IpAddr {
    match client.to_canonical() {
        IpAddr::V6(v6) => {
            let segments = v6.segments();
            IpAddr::V6(std::net::Ipv6Addr::new(
                segments[0],
                segments[1],
                segments[2],
                segments[3],
                0,
                0,
                0,
                0,
            ))
        }
        v4 => v4,
    }
}

/// The network of `client`: its IPv4 /24, or its IPv6 /64.
pub fn network_of(client: IpAddr) -> IpAddr {
    match client_key(client) {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            IpAddr::V4(std::net::Ipv4Addr::new(a, b, c, 0))
        }
        v6 => v6,
    }
}

/// The defense's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuardSettings {
    /// Distinct missing names within `window` that ban an address (0: never ban).
    pub limit: u32,
    /// The counting window.
    pub window: Duration,
    /// How long a ban lasts.
    pub ban: Duration,
    /// Networks spared the per-address connection limits (e.g. the phones' own VLANs).
    pub allowed: Vec<IpNet>,
    /// When not empty, the only networks files with SIP passwords are served to.
    pub provisioning: Vec<IpNet>,
    /// Serve a known phone's credential files on any network, not only those it was seen on.
    pub roaming: bool,
}

impl Default for GuardSettings {
    fn default() -> GuardSettings {
        GuardSettings {
            limit: DEFAULT_LIMIT,
            window: DEFAULT_WINDOW,
            ban: DEFAULT_BAN,
            allowed: Vec::new(),
            provisioning: Vec::new(),
            roaming: false,
        }
    }
}

#[derive(Debug, Default)]
struct Client {
    /// Distinct guesses (see [`Guess::identity`]) with when they were made, oldest first.
    misses: VecDeque<(Instant, String)>,
    /// The ban, if any: when it ends, and what is shown.
    banned: Option<(Instant, Ban)>,
    /// Distinct guesses over TFTP, counted apart (they cannot ban).
    tftp_misses: VecDeque<(Instant, String)>,
    /// Until when TFTP is braked for this address, if it is.
    tftp_braked: Option<Instant>,
    /// Phones that fetched a file of theirs from this address.
    phones: HashSet<Mac>,
    last_seen: Option<Instant>,
    /// Whether the ban was seen in the store (so its absence there means it was lifted).
    ban_stored: bool,
}

/// What a banned address may still get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Serve it.
    Allowed,
    /// Refuse it: the address is banned.
    Banned,
}

/// A request for a phone file that does not exist or was refused.
#[derive(Debug, Clone, Copy)]
pub struct Guess<'a> {
    /// The name asked for.
    pub name: &'a FileName,
    /// Over which transport (TFTP misses cannot ban).
    pub transport: Transport,
}

impl Guess<'_> {
    /// What was guessed: the MAC (lowercase hex) or extension number the name is about, so that
    /// one phone's several files (`<mac>.cfg`, `<MAC>.cfg`, `<mac>-phone.cfg`) are one guess.
    pub fn identity(&self) -> String {
        if let Some(mac) = self.name.mac() {
            return mac.to_string();
        }
        let text = self.name.as_str();
        text.strip_suffix(".cfg")
            .unwrap_or(text)
            .to_ascii_lowercase()
    }
}

/// The enumeration defense.
#[derive(Debug, Default)]
pub struct Guard {
    settings: GuardSettings,
    clients: Mutex<HashMap<IpAddr, Client>>,
    /// Distinct guesses per IPv4 /24, across its addresses (hopping addresses gains little).
    networks: Mutex<HashMap<IpAddr, VecDeque<(Instant, String)>>>,
    /// Bans and TFTP brakes set and not yet seen to end: while 0, admitting takes no lock (the
    /// phones' path).
    bans_held: AtomicUsize,
    /// Bans set here and not yet stored.
    unsaved: Mutex<Vec<Ban>>,
    /// Bans lifted here (by when they began), until the store is seen without them.
    lifted: Mutex<HashMap<IpAddr, i64>>,
}

impl Guard {
    /// A defense with `settings`.
    pub fn new(settings: GuardSettings) -> Guard {
        Guard {
            settings,
            clients: Mutex::default(),
            networks: Mutex::default(),
            bans_held: AtomicUsize::new(0),
            unsaved: Mutex::default(),
            lifted: Mutex::default(),
        }
    }

    fn clients(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Client>> {
        self.clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn disabled(&self) -> bool {
        self.settings.limit == 0
    }

    /// Whether known phones get their credential files on any network (`--roaming-phones`).
    pub fn phones_roam(&self) -> bool {
        self.settings.roaming
    }

    /// Whether `client` lies in an allowed network (spared the per-address connection limits).
    pub fn is_exempt(&self, client: IpAddr) -> bool {
        let client = client.to_canonical();
        self.settings.allowed.iter().any(|n| n.contains(&client))
    }

    /// Whether any address may be banned now (one atomic load: the phones' path asks this
    /// before anything else).
    pub fn any_bans(&self) -> bool {
        self.bans_held.load(Ordering::Acquire) > 0
    }

    /// Whether `client` may get the file `name` over `transport`: `owner` is the known phone it
    /// belongs to, `phone_file` whether the name is a phone's (`<MAC>…` or an extension file). A
    /// banned address (or, over TFTP, a braked one) still gets its own phones' files and files
    /// of no phone (firmware, site files).
    pub fn admit(
        &self,
        client: IpAddr,
        owner: Option<Mac>,
        phone_file: bool,
        transport: Transport,
    ) -> Verdict {
        if !self.any_bans() {
            return Verdict::Allowed;
        }
        let client = client_key(client);
        let mut clients = self.clients();
        let Some(state) = clients.get_mut(&client) else {
            return Verdict::Allowed;
        };
        let now = Instant::now();
        if state
            .banned
            .as_ref()
            .is_some_and(|(until, _)| now >= *until)
        {
            self.end_ban(state);
        }
        if state.tftp_braked.is_some_and(|until| now >= until) {
            self.end_brake(state);
        }
        let limited =
            state.banned.is_some() || (transport == Transport::Tftp && state.tftp_braked.is_some());
        if !limited {
            return Verdict::Allowed;
        }
        match owner {
            Some(phone) if state.phones.contains(&phone) => Verdict::Allowed,
            None if !phone_file => Verdict::Allowed,
            _ => Verdict::Banned,
        }
    }

    /// Whether files with SIP passwords may go to `client`: inside the provisioning networks,
    /// when any are set (an unknown client address is outside them).
    pub fn may_receive_secrets(&self, client: Option<IpAddr>) -> bool {
        self.settings.provisioning.is_empty()
            || client.is_some_and(|ip| {
                let ip = ip.to_canonical();
                self.settings.provisioning.iter().any(|n| n.contains(&ip))
            })
    }

    /// Counts a request of `client` for a phone file that does not exist or was refused; bans
    /// at the limit (over TFTP: brakes TFTP). Returns whether the client is refused phone files
    /// over that transport now.
    pub fn miss(&self, client: IpAddr, guess: Guess<'_>) -> bool {
        if self.disabled() {
            return false;
        }
        let client = client_key(client);
        if guess.transport == Transport::Tftp {
            return self.tftp_miss(client, guess);
        }
        let name = guess.name;
        let identity = guess.identity();
        let now = Instant::now();
        let mut clients = self.clients();
        let state = tracked(&mut clients, client, now);
        if let Some((until, _)) = &state.banned {
            if now < *until {
                return true;
            }
            self.end_ban(state);
        }
        let network_spent = self.network_miss(client, now, &identity);
        if !self.count(&mut state.misses, now, identity, self.settings.limit) && !network_spent {
            return false;
        }
        let since_ms = now_ms();
        let mut phones: Vec<Mac> = state.phones.iter().copied().collect();
        phones.sort();
        let ban = Ban {
            address: client.to_string(),
            since_ms,
            until_ms: since_ms
                .saturating_add(i64::try_from(self.settings.ban.as_millis()).unwrap_or(i64::MAX)),
            misses: state.misses.len(),
            last_name: name.to_string(),
            phones,
        };
        tracing::warn!(
            target: "audit",
            client = %client,
            misses = ban.misses,
            last = %name,
            seconds = self.settings.ban.as_secs(),
            "provisioning ban: too many requests for unknown phone files"
        );
        state.banned = Some((now + self.settings.ban, ban.clone()));
        // Thousands of addresses banned at once (a scan from a whole network) are enforced here
        // but do not flood the database, the other nodes or the dashboard.
        // (Bans and TFTP brakes in force, counted as they start and end.)
        if self.bans_held.load(Ordering::Acquire) < MAX_LISTED_BANS {
            self.unsaved
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(ban);
        }
        state.ban_stored = false;
        self.bans_held.fetch_add(1, Ordering::AcqRel);
        true
    }

    /// Counts `identity` among the misses of `client`'s IPv4 /24; whether the network has spent
    /// its guesses (then every miss from it bans its address at once). An IPv6 client is its
    /// /64 already.
    fn network_miss(&self, client: IpAddr, now: Instant, identity: &str) -> bool {
        if client.is_ipv6() {
            return false;
        }
        let network = network_of(client);
        let mut networks = self
            .networks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if networks.len() >= MAX_ADDRESSES && !networks.contains_key(&network) {
            let window = self.settings.window;
            networks.retain(|_, misses| {
                misses
                    .back()
                    .is_some_and(|(at, _)| now.duration_since(*at) <= window)
            });
            if networks.len() >= MAX_ADDRESSES {
                return false;
            }
        }
        let misses = networks.entry(network).or_default();
        let limit = self.settings.limit.saturating_mul(NETWORK_FACTOR);
        self.count(misses, now, identity.to_string(), limit)
    }

    /// Counts `identity` among `misses` (distinct, within the window, at most `limit` kept);
    /// whether `limit` is reached.
    fn count(
        &self,
        misses: &mut VecDeque<(Instant, String)>,
        now: Instant,
        identity: String,
        limit: u32,
    ) -> bool {
        let limit = limit as usize;
        while misses
            .front()
            .is_some_and(|(at, _)| now.duration_since(*at) > self.settings.window)
        {
            misses.pop_front();
        }
        if misses.len() < limit && !misses.iter().any(|(_, guessed)| *guessed == identity) {
            misses.push_back((now, identity));
        }
        misses.len() >= limit
    }

    /// A TFTP miss: counted apart; at the limit TFTP is braked for the address (never a ban).
    fn tftp_miss(&self, client: IpAddr, guess: Guess<'_>) -> bool {
        let now = Instant::now();
        let mut clients = self.clients();
        let state = tracked(&mut clients, client, now);
        match state.tftp_braked {
            Some(until) if now < until => return true,
            Some(_) => self.end_brake(state),
            None => {}
        }
        if !self.count(
            &mut state.tftp_misses,
            now,
            guess.identity(),
            self.settings.limit,
        ) {
            return false;
        }
        tracing::warn!(
            target: "audit",
            client = %client,
            misses = state.tftp_misses.len(),
            last = %guess.name,
            seconds = self.settings.ban.as_secs(),
            "TFTP braked: too many TFTP requests for unknown phone files (not a ban: TFTP \
             cannot prove its source)"
        );
        state.tftp_braked = Some(now + self.settings.ban);
        self.bans_held.fetch_add(1, Ordering::AcqRel);
        true
    }

    /// Remembers that `phone` fetched a file of its own from `client`.
    pub fn seen(&self, client: IpAddr, phone: Mac) {
        if self.disabled() {
            return;
        }
        let client = client_key(client);
        let mut clients = self.clients();
        let state = tracked(&mut clients, client, Instant::now());
        if state.phones.len() < MAX_PHONES_PER_ADDRESS {
            state.phones.insert(phone);
        }
    }

    /// The addresses banned now, newest first, at most [`MAX_LISTED_BANS`] of them.
    pub fn bans(&self) -> Vec<Ban> {
        let now = Instant::now();
        let mut bans: Vec<Ban> = self
            .clients()
            .values()
            .filter_map(|c| c.banned.as_ref())
            .filter(|(until, _)| now < *until)
            .map(|(_, ban)| ban.clone())
            .collect();
        bans.sort_by_key(|ban| std::cmp::Reverse(ban.since_ms));
        bans.truncate(MAX_LISTED_BANS);
        bans
    }

    /// Lifts the ban of `client` (and forgets its misses); whether it was banned.
    pub fn lift(&self, client: IpAddr) -> bool {
        let client = client_key(client);
        let mut clients = self.clients();
        let Some(state) = clients.get_mut(&client) else {
            return false;
        };
        let lifted = state
            .banned
            .as_ref()
            .filter(|(until, _)| Instant::now() < *until)
            .map(|(_, ban)| ban.since_ms);
        let was = lifted.is_some();
        self.end_ban(state);
        drop(clients);
        if let Some(since_ms) = lifted {
            // Not stored any more, and not taken in again if it is being stored just now.
            self.unsaved
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .retain(|ban| ban.address != client.to_string());
            self.lifted
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(client, since_ms);
        }
        if was {
            tracing::warn!(target: "audit", client = %client, "provisioning ban lifted");
        }
        was
    }
}

/// Sharing bans with other nodes through the store ([`crate::policy::shared_bans`]).
impl Guard {
    /// The bans set here since the last call, to store.
    pub fn take_unsaved(&self) -> Vec<Ban> {
        std::mem::take(
            &mut *self
                .unsaved
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Gives back bans that could not be stored, to try again.
    pub fn keep_unsaved(&self, bans: Vec<Ban>) {
        self.unsaved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend(bans);
    }

    /// Takes in the bans in force in the store: those set by other nodes start here too, and
    /// those seen stored before and gone from it now (lifted by an admin on any node) end here.
    /// Returns the stored bans this node lifted meanwhile, to remove from the store.
    pub fn merge_stored(&self, stored: &[Ban]) -> Vec<IpAddr> {
        let now = Instant::now();
        let now_ms = now_ms();
        let mut lifted = self
            .lifted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut clients = self.clients();
        let mut in_store = HashSet::with_capacity(stored.len());
        let mut to_remove = Vec::new();
        for ban in stored {
            let Ok(ip) = ban.address.parse::<IpAddr>() else {
                continue;
            };
            if lifted.get(&ip).is_some_and(|since| ban.since_ms <= *since) {
                to_remove.push(ip);
                continue;
            }
            in_store.insert(ip);
            let state = clients.entry(ip).or_default();
            state.ban_stored = true;
            for phone in &ban.phones {
                if state.phones.len() < MAX_PHONES_PER_ADDRESS {
                    state.phones.insert(*phone);
                }
            }
            if state.banned.as_ref().is_some_and(|(until, _)| now < *until) {
                continue;
            }
            let left = u64::try_from(ban.until_ms.saturating_sub(now_ms)).unwrap_or(0);
            tracing::warn!(
                target: "audit",
                client = %ip,
                seconds = left / 1000,
                "provisioning ban set by another node"
            );
            if state
                .banned
                .replace((now + Duration::from_millis(left), ban.clone()))
                .is_none()
            {
                self.bans_held.fetch_add(1, Ordering::AcqRel);
            }
        }
        for (ip, state) in clients.iter_mut() {
            if state.banned.is_some() && state.ban_stored && !in_store.contains(ip) {
                tracing::warn!(target: "audit", client = %ip, "provisioning ban lifted on another node");
                self.end_ban(state);
            }
        }
        lifted.retain(|ip, _| to_remove.contains(ip));
        to_remove
    }
}

impl Guard {
    /// Ends `state`'s ban, if any, and forgets its misses.
    fn end_ban(&self, state: &mut Client) {
        state.misses.clear();
        state.ban_stored = false;
        if state.banned.take().is_some() {
            self.bans_held.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// Ends `state`'s TFTP brake, if any, and forgets its TFTP misses.
    fn end_brake(&self, state: &mut Client) {
        state.tftp_misses.clear();
        if state.tftp_braked.take().is_some() {
            self.bans_held.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

/// `client`'s state, made if new (forgetting the quietest address when too many are tracked),
/// marked as seen `now`.
fn tracked(clients: &mut HashMap<IpAddr, Client>, client: IpAddr, now: Instant) -> &mut Client {
    if clients.len() >= MAX_ADDRESSES && !clients.contains_key(&client) {
        forget_quietest(clients);
    }
    let state = clients.entry(client).or_default();
    state.last_seen = Some(now);
    state
}

/// Forgets the unbanned address seen longest ago.
fn forget_quietest(clients: &mut HashMap<IpAddr, Client>) {
    if let Some(quietest) = clients
        .iter()
        .filter(|(_, c)| c.banned.is_none() && c.tftp_braked.is_none())
        .min_by_key(|(_, c)| c.last_seen)
        .map(|(ip, _)| *ip)
    {
        clients.remove(&quietest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn parsed(name: &str) -> &'static FileName {
        Box::leak(Box::new(FileName::parse(name).unwrap()))
    }

    fn http(name: &str) -> Guess<'static> {
        Guess {
            name: parsed(name),
            transport: Transport::Http,
        }
    }

    fn tftp(name: &str) -> Guess<'static> {
        Guess {
            name: parsed(name),
            transport: Transport::Tftp,
        }
    }

    fn limited(limit: u32) -> Guard {
        Guard::new(GuardSettings {
            limit,
            ..GuardSettings::default()
        })
    }

    fn mac(n: u32) -> Mac {
        Mac::parse(&format!("0004f2{n:06x}")).unwrap()
    }

    #[test]
    fn hopping_addresses_in_one_network_gains_little() {
        // Issue 28, finding 1c: 19 misses from each address of a /24 in turn, never banned.
        let guard = limited(20);
        let mut guess = 0u32;
        let mut refused_at = None;
        for host in 1..=10u8 {
            let client = ip(&format!("198.51.100.{host}"));
            for _ in 0..19 {
                guess += 1;
                if guard.miss(client, http(&format!("0004f2{guess:06x}.cfg"))) {
                    refused_at.get_or_insert(guess);
                }
            }
        }
        let limit = 20 * NETWORK_FACTOR;
        assert_eq!(refused_at, Some(limit), "the network's guesses are spent");
        // Another network is not touched.
        assert!(!guard.miss(ip("198.51.101.1"), http("0004f2ffffff.cfg")));
        assert_eq!(
            DEFAULT_WINDOW, DEFAULT_BAN,
            "spreading guesses out gains nothing"
        );
    }

    #[test]
    fn bans_from_thousands_of_addresses_are_enforced_but_stored_and_listed_bounded() {
        // Issue 28: 3,000 addresses each banned (3,207 stored and listed before).
        let guard = limited(1);
        let scanners: Vec<IpAddr> = (0..3_000u32)
            .map(|i| ip(&format!("198.51.{}.{}", i / 250, i % 250 + 1)))
            .collect();
        for (n, scanner) in scanners.iter().enumerate() {
            let guess = format!("0004f2{n:06x}.cfg");
            assert!(guard.miss(*scanner, http(&guess)), "banned");
        }
        assert_eq!(guard.take_unsaved().len(), MAX_LISTED_BANS);
        assert_eq!(guard.bans().len(), MAX_LISTED_BANS);
        for scanner in [scanners[0], scanners[2_999]] {
            assert_eq!(
                guard.admit(scanner, None, true, Transport::Http),
                Verdict::Banned,
                "{scanner} still refused"
            );
        }
    }

    #[test]
    fn distinct_misses_ban_at_the_limit_and_known_phones_still_pass() {
        let guard = limited(3);
        let client = ip("192.0.2.7");
        guard.seen(client, mac(1));
        // The same missing name again and again is one miss (a phone retrying).
        for _ in 0..10 {
            assert!(!guard.miss(client, http("0004f2999999.cfg")));
        }
        assert!(!guard.miss(client, http("0004f2999998.cfg")));
        assert!(
            guard.miss(client, http("0004f2999997.cfg")),
            "the third distinct miss bans"
        );
        assert!(guard.bans().iter().any(|b| b.address == "192.0.2.7"));
        assert_eq!(
            guard.admit(client, Some(mac(2)), true, Transport::Http),
            Verdict::Banned
        );
        assert_eq!(
            guard.admit(client, None, true, Transport::Http),
            Verdict::Banned,
            "an unknown MAC"
        );
        assert_eq!(
            guard.admit(client, Some(mac(1)), true, Transport::Http),
            Verdict::Allowed,
            "seen here before"
        );
        assert_eq!(
            guard.admit(client, None, false, Transport::Http),
            Verdict::Allowed,
            "firmware"
        );
        assert_eq!(
            guard.admit(ip("192.0.2.8"), Some(mac(2)), true, Transport::Http),
            Verdict::Allowed
        );
        let bans = guard.bans();
        assert_eq!(bans.len(), 1);
        assert_eq!(bans[0].address, "192.0.2.7");
        assert_eq!(bans[0].misses, 3);
        assert!(guard.lift(client));
        assert!(guard.bans().is_empty());
        assert!(!guard.lift(client), "once");
    }

    #[test]
    fn allowed_networks_are_counted_and_their_bans_spare_the_phones_seen_there() {
        let guard = Guard::new(GuardSettings {
            limit: 2,
            allowed: vec!["10.0.0.0/8".parse().unwrap()],
            ..GuardSettings::default()
        });
        let client = ip("10.1.2.3");
        guard.seen(client, mac(1));
        assert!(!guard.miss(client, http("1.cfg")));
        assert!(
            guard.miss(client, http("2.cfg")),
            "guessing is limited everywhere"
        );
        assert_eq!(
            guard.admit(client, Some(mac(1)), true, Transport::Http),
            Verdict::Allowed
        );
        assert_eq!(
            guard.admit(client, Some(mac(2)), true, Transport::Http),
            Verdict::Banned
        );
    }

    #[test]
    fn one_phone_guessed_through_several_files_is_one_miss() {
        let guard = limited(2);
        let client = ip("192.0.2.3");
        for name in [
            "0004f2999999.cfg",
            "0004F2999999.cfg",
            "0004f2999999-phone.cfg",
            "0004f2999999-app.log",
        ] {
            assert!(!guard.miss(client, http(name)), "{name}");
        }
        assert!(guard.miss(client, http("201.cfg")));
    }

    #[test]
    fn tftp_misses_brake_tftp_only_and_never_ban() {
        let guard = limited(2);
        let forged = ip("192.0.2.4");
        guard.seen(forged, mac(1));
        assert!(!guard.miss(forged, tftp("0004f2999999.cfg")));
        assert!(guard.miss(forged, tftp("0004f2999998.cfg")));
        assert!(guard.bans().is_empty(), "no ban");
        assert!(guard.take_unsaved().is_empty(), "nothing stored");
        let over = |owner, transport| guard.admit(forged, owner, true, transport);
        assert_eq!(over(Some(mac(2)), Transport::Tftp), Verdict::Banned);
        assert_eq!(over(None, Transport::Tftp), Verdict::Banned);
        assert_eq!(
            over(Some(mac(1)), Transport::Tftp),
            Verdict::Allowed,
            "a phone seen there"
        );
        for transport in [Transport::Http, Transport::Https, Transport::Ftp] {
            assert_eq!(over(Some(mac(2)), transport), Verdict::Allowed);
        }
    }

    #[test]
    fn the_phones_spared_by_a_ban_are_stored_with_it() {
        let settings = GuardSettings {
            limit: 1,
            ..GuardSettings::default()
        };
        let before = Guard::new(settings.clone());
        let office = ip("192.0.2.5");
        before.seen(office, mac(1));
        before.seen(office, mac(2));
        assert!(before.miss(office, http("0004f2999999.cfg")));
        let stored = before.take_unsaved();
        assert_eq!(stored[0].phones, [mac(1), mac(2)]);
        // A restart: a new guard knows only the store.
        let after = Guard::new(settings);
        after.merge_stored(&stored);
        let admit = |phone| after.admit(office, Some(mac(phone)), true, Transport::Http);
        assert_eq!(admit(1), Verdict::Allowed);
        assert_eq!(admit(2), Verdict::Allowed);
        assert_eq!(admit(3), Verdict::Banned);
    }

    #[test]
    fn bans_end() {
        let guard = Guard::new(GuardSettings {
            limit: 1,
            ban: Duration::from_millis(1),
            ..GuardSettings::default()
        });
        let client = ip("192.0.2.9");
        assert!(guard.miss(client, http("x.cfg")));
        std::thread::sleep(Duration::from_millis(5));
        assert!(guard.bans().is_empty());
        assert_eq!(
            guard.admit(client, Some(mac(5)), true, Transport::Http),
            Verdict::Allowed
        );
    }

    #[test]
    fn bans_travel_through_the_store_between_nodes() {
        let settings = GuardSettings {
            limit: 2,
            ..GuardSettings::default()
        };
        let (here, there) = (Guard::new(settings.clone()), Guard::new(settings));
        let client = ip("192.0.2.9");
        assert!(!here.miss(client, http("0004f2999999.cfg")));
        assert!(here.miss(client, http("0004f2999998.cfg")));
        // What this node stores once, another node takes in and enforces.
        let stored = here.take_unsaved();
        assert_eq!(stored.len(), 1);
        assert!(here.take_unsaved().is_empty());
        assert!(there.merge_stored(&stored).is_empty());
        assert_eq!(
            there.admit(client, None, true, Transport::Http),
            Verdict::Banned
        );
        assert_eq!(there.bans(), stored);
        // Gone from the store (lifted on a third node): lifted here too.
        there.merge_stored(&[]);
        assert!(there.bans().is_empty());
        assert_eq!(
            there.admit(client, None, true, Transport::Http),
            Verdict::Allowed
        );
        // Lifted on this node while the store still holds it: not taken in again, and named
        // for removal until the store is seen without it.
        assert!(here.lift(client));
        assert_eq!(here.merge_stored(&stored), [client]);
        assert_eq!(
            here.admit(client, None, true, Transport::Http),
            Verdict::Allowed
        );
        assert!(here.merge_stored(&[]).is_empty());
        // A ban that could not be stored is kept to try again.
        assert!(!here.miss(client, http("0004f2999997.cfg")));
        assert!(here.miss(client, http("0004f2999996.cfg")));
        let unsaved = here.take_unsaved();
        here.keep_unsaved(unsaved.clone());
        assert_eq!(here.take_unsaved(), unsaved);
    }

    #[test]
    fn mapped_clients_are_ipv4_and_ipv6_hosts_are_counted_by_their_64() {
        let guard = Guard::new(GuardSettings {
            limit: 3,
            allowed: vec!["10.0.0.0/8".parse().unwrap()],
            provisioning: vec!["192.0.2.0/24".parse().unwrap()],
            ..GuardSettings::default()
        });
        assert!(guard.is_exempt(ip("::ffff:10.1.1.1")));
        assert!(guard.may_receive_secrets(Some(ip("::ffff:192.0.2.7"))));
        // One host changing the low bits of its IPv6 address is one client.
        assert!(!guard.miss(ip("2001:db8:1:2::1"), http("a.cfg")));
        assert!(!guard.miss(ip("2001:db8:1:2::2"), http("b.cfg")));
        assert!(guard.miss(ip("2001:db8:1:2:ffff::3"), http("c.cfg")));
        assert_eq!(
            guard.admit(ip("2001:db8:1:2::9"), None, true, Transport::Http),
            Verdict::Banned
        );
        assert_eq!(
            guard.admit(ip("2001:db8:1:3::9"), None, true, Transport::Http),
            Verdict::Allowed,
            "another /64"
        );
        assert_eq!(guard.bans()[0].address, "2001:db8:1:2::");
        assert!(guard.lift(ip("2001:db8:1:2::1234")));
    }
}
