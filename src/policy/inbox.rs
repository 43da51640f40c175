//! The inbox of unassigned phones: phones that ask for their master file but are not in the
//! database, kept so an admin can see them and adopt them (give them extensions) instead of
//! wondering why a new phone stays blank.
//!
//! Only what looks like a phone's boot counts: a request for `<mac>.cfg` whose MAC belongs to a
//! vendor phoneprov serves and, when the request carries a user agent, one of that vendor's
//! phones' (an Aastra/Mitel agent must name that very MAC). A scanner's guesses of other names,
//! of MACs of no known vendor, or with a browser's user agent leave no entry. The inbox is
//! bounded: [`MAX_ENTRIES`] in all (the entry asked for only once and seen longest ago makes room;
//! when every entry asked again, a new MAC waits), [`MAX_PER_ADDRESS`]
//! MACs per client address, and an entry not seen for [`EXPIRY_MS`] is dropped. It lives in
//! the server's memory (each node has its own) and never touches the database on a fetch.

use std::collections::{BTreeSet, HashMap};
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use crate::clock::now_ms;
use crate::domain::{Mac, Model, Transport, Vendor};
use crate::handset::agent::Agent;

/// Most phones the inbox holds.
pub const MAX_ENTRIES: usize = 1000;
/// Most different MACs one client address may put in the inbox (several phones behind one NAT
/// address fit; one scanner cannot fill the inbox).
pub const MAX_PER_ADDRESS: usize = 32;
/// An entry not seen for this long is dropped (7 days).
pub const EXPIRY_MS: i64 = 7 * 24 * 3600 * 1000;
/// Most file names kept per entry.
const MAX_FILES: usize = 16;

/// One unassigned phone, as the admin page and the API show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Unassigned {
    /// Its MAC, as phoneprov writes it.
    pub mac: String,
    /// Vendor, from the MAC (and the user agent).
    pub vendor: String,
    /// Model, from the user agent, when it names a known one.
    pub model: Option<String>,
    /// Firmware version, from the user agent.
    pub firmware: Option<String>,
    /// The user agent as sent (cut to 200 characters).
    pub user_agent: Option<String>,
    /// Why phoneprov does not serve it, when its user agent says it runs a firmware family
    /// phoneprov renders no files for (a Poly phone on OBi-based firmware).
    pub unsupported: Option<String>,
    /// The address it asked from, last.
    pub address: String,
    /// How it asked, last.
    pub transport: String,
    /// When it was first and last seen (ms since the epoch, UTC).
    pub first_seen_ms: i64,
    /// Last seen.
    pub last_seen_ms: i64,
    /// How many requests it made.
    pub requests: u64,
    /// The file names it asked for (at most 16).
    pub files: BTreeSet<String>,
}

/// One boot request of a phone that is not in the database.
#[derive(Debug, Clone, Copy)]
pub struct BootRequest<'a> {
    /// The MAC the request is for.
    pub mac: Mac,
    /// The file asked for.
    pub file: &'a str,
    /// The client's address.
    pub client: IpAddr,
    /// How it asked.
    pub transport: Transport,
    /// The user agent as sent, if any.
    pub user_agent: Option<&'a str>,
    /// The user agent understood, if it is a phone's.
    pub agent: Option<&'a Agent>,
}

/// The inbox.
#[derive(Debug, Default)]
pub struct Inbox {
    entries: Mutex<HashMap<Mac, Unassigned>>,
    /// Whether `entries` may hold one, readable without the lock (every served file of no
    /// phone asks, see [`Inbox::is_empty`]).
    occupied: AtomicBool,
}

impl Inbox {
    /// Notes `request` if it looks like a phone's boot; whether it was kept.
    pub fn note(&self, request: &BootRequest<'_>) -> bool {
        self.note_at(request, now_ms())
    }

    /// [`Inbox::note`] at the time `now` (ms since the epoch).
    fn note_at(&self, request: &BootRequest<'_>, now: i64) -> bool {
        let Some(vendor) = boot_vendor(request) else {
            return false;
        };
        let address = request.client.to_string();
        let mut entries = self.lock();
        entries.retain(|_, e| now - e.last_seen_ms < EXPIRY_MS);
        if !entries.contains_key(&request.mac) {
            let from_address = entries.values().filter(|e| e.address == address).count();
            if from_address >= MAX_PER_ADDRESS {
                return false;
            }
            if entries.len() >= MAX_ENTRIES {
                // One-shot noise (a scan, a forged TFTP source) makes room for the new one; a
                // phone that keeps asking is never pushed out by it.
                let Some(oldest) = entries
                    .iter()
                    .filter(|(_, e)| e.requests < 2)
                    .min_by_key(|(_, e)| e.last_seen_ms)
                    .map(|(mac, _)| *mac)
                else {
                    return false;
                };
                entries.remove(&oldest);
            }
        }
        let entry = entries.entry(request.mac).or_insert_with(|| Unassigned {
            mac: request.mac.to_string(),
            vendor: vendor.as_str().to_string(),
            model: None,
            firmware: None,
            user_agent: None,
            unsupported: None,
            address: address.clone(),
            transport: String::new(),
            first_seen_ms: now,
            last_seen_ms: now,
            requests: 0,
            files: BTreeSet::new(),
        });
        entry.address = address;
        entry.transport = request.transport.as_str().to_string();
        entry.last_seen_ms = now;
        entry.requests += 1;
        if let Some(agent) = request.agent {
            entry.model = Model::find(&agent.model)
                .map(|m| m.name.to_string())
                .or(entry.model.take());
            entry.firmware = Some(agent.firmware.clone());
            entry.unsupported = agent.unsupported.map(str::to_string);
        }
        if let Some(text) = request.user_agent {
            entry.user_agent = Some(text.chars().take(200).collect());
        }
        if entry.files.len() < MAX_FILES {
            entry.files.insert(request.file.to_string());
        }
        self.mark(&entries);
        true
    }

    /// Adds `file` to the entry last seen at `client`, if any (a phone of no account fetching
    /// the vendor's shared files after its master file was not found).
    pub fn also_asked(&self, client: IpAddr, file: &str) {
        let address = client.to_string();
        let mut entries = self.lock();
        if let Some(entry) = entries
            .values_mut()
            .filter(|e| e.address == address)
            .max_by_key(|e| e.last_seen_ms)
            && entry.files.len() < MAX_FILES
        {
            entry.files.insert(file.to_string());
        }
    }

    /// Every entry not expired and not `known` (adopted meanwhile, by any way), newest first.
    pub fn list(&self, known: impl Fn(&Mac) -> bool) -> Vec<Unassigned> {
        self.list_at(known, now_ms())
    }

    /// [`Inbox::list`] at the time `now`.
    fn list_at(&self, known: impl Fn(&Mac) -> bool, now: i64) -> Vec<Unassigned> {
        let mut entries = self.lock();
        entries.retain(|mac, e| now - e.last_seen_ms < EXPIRY_MS && !known(mac));
        self.mark(&entries);
        let mut list: Vec<Unassigned> = entries.values().cloned().collect();
        list.sort_by(|a, b| b.last_seen_ms.cmp(&a.last_seen_ms).then(a.mac.cmp(&b.mac)));
        list
    }

    /// The entry of `mac`, if any.
    pub fn get(&self, mac: &Mac) -> Option<Unassigned> {
        self.lock().get(mac).cloned()
    }

    /// Drops the entry of `mac` (adopted or dismissed); whether there was one.
    pub fn remove(&self, mac: &Mac) -> bool {
        let mut entries = self.lock();
        let removed = entries.remove(mac).is_some();
        self.mark(&entries);
        removed
    }

    /// Whether it holds no entry, without taking the lock.
    pub fn is_empty(&self) -> bool {
        !self.occupied.load(Ordering::Relaxed)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Mac, Unassigned>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records, under the lock, whether `entries` holds any.
    fn mark(&self, entries: &HashMap<Mac, Unassigned>) {
        self.occupied.store(!entries.is_empty(), Ordering::Relaxed);
    }
}

/// The vendor of a request that looks like a phone's boot, or `None`.
fn boot_vendor(request: &BootRequest<'_>) -> Option<Vendor> {
    let vendor = Vendor::from_mac(&request.mac)?;
    match (request.agent, request.user_agent) {
        // A phone's user agent: of the MAC's vendor, naming no other MAC.
        (Some(agent), _) => {
            (agent.vendor == vendor && agent.mac.is_none_or(|m| m == request.mac)).then_some(vendor)
        }
        // A user agent that is no phone's (a browser, a scanner).
        (None, Some(_)) => None,
        // FTP and TFTP carry none; over HTTP(S) phones always send one.
        (None, None) => {
            matches!(request.transport, Transport::Ftp | Transport::Tftp).then_some(vendor)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::handset::parse_agent;

    fn mac(text: &str) -> Mac {
        Mac::parse(text).unwrap()
    }

    fn request<'a>(
        mac: Mac,
        client: &str,
        user_agent: Option<&'a str>,
        agent: Option<&'a Agent>,
        transport: Transport,
    ) -> BootRequest<'a> {
        BootRequest {
            mac,
            file: "x.cfg",
            client: client.parse().unwrap(),
            transport,
            user_agent,
            agent,
        }
    }

    #[test]
    fn only_boot_requests_of_known_vendors_count() {
        let inbox = Inbox::default();
        let polycom_ua = "FileTransport PolycomVVX-VVX_400-UA/6.4.0.1234";
        let polycom = parse_agent(polycom_ua).unwrap();
        let aastra_ua = "Aastra6757i MAC:00-08-5D-11-22-33 V:3.3.1.4322-SIP";
        let aastra = parse_agent(aastra_ua).unwrap();
        let http = Transport::Http;
        // A Polycom MAC with a Polycom agent counts, with its model and firmware.
        let vvx = mac("0004f2e2e0aa");
        assert!(inbox.note(&request(
            vvx,
            "10.0.0.5",
            Some(polycom_ua),
            Some(&polycom),
            http
        )));
        let entry = inbox.get(&vvx).unwrap();
        assert_eq!(entry.model.as_deref(), Some("VVX_400"));
        assert_eq!(entry.firmware.as_deref(), Some("6.4.0.1234"));
        // The Aastra agent must name the MAC it asks for.
        let named = mac("00085d112233");
        assert!(inbox.note(&request(
            named,
            "10.0.0.6",
            Some(aastra_ua),
            Some(&aastra),
            http
        )));
        let other = mac("00085d112234");
        assert!(!inbox.note(&request(
            other,
            "10.0.0.6",
            Some(aastra_ua),
            Some(&aastra),
            http
        )));
        // Another vendor's agent, a browser, no agent over HTTP, a MAC of no known vendor: no.
        let polycom_mac = mac("0004f2e2e0ab");
        assert!(!inbox.note(&request(
            polycom_mac,
            "10.0.0.7",
            Some(aastra_ua),
            Some(&aastra),
            http
        )));
        assert!(!inbox.note(&request(
            polycom_mac,
            "10.0.0.7",
            Some("curl/8.0"),
            None,
            http
        )));
        assert!(!inbox.note(&request(polycom_mac, "10.0.0.7", None, None, http)));
        let unknown = mac("020000000001");
        assert!(!inbox.note(&request(unknown, "10.0.0.7", None, None, Transport::Tftp)));
        // Over TFTP, the MAC's vendor is enough.
        assert!(inbox.note(&request(
            polycom_mac,
            "10.0.0.7",
            None,
            None,
            Transport::Tftp
        )));
        assert_eq!(inbox.list(|_| false).len(), 3);
        // A phone adopted meanwhile leaves the list.
        assert_eq!(inbox.list(|m| *m == vvx).len(), 2);
    }

    #[test]
    fn entries_expire_after_a_week_unseen_and_a_new_request_keeps_one() {
        let inbox = Inbox::default();
        assert!(inbox.is_empty());
        let (early, late) = (mac("0004f2000001"), mac("0004f2000002"));
        let day = 24 * 3600 * 1000;
        let t0 = 1_000 * day;
        assert!(inbox.note_at(&request(early, "10.0.0.1", None, None, Transport::Tftp), t0));
        assert!(inbox.note_at(
            &request(late, "10.0.0.2", None, None, Transport::Tftp),
            t0 + 3 * day
        ));
        assert!(!inbox.is_empty());
        let listed = |now| -> Vec<String> {
            inbox
                .list_at(|_| false, now)
                .into_iter()
                .map(|e| e.mac)
                .collect()
        };
        assert_eq!(listed(t0 + 6 * day).len(), 2);
        assert_eq!(
            listed(t0 + EXPIRY_MS),
            vec![late.to_string()],
            "the early one expired"
        );
        // Asked again, the late one lives on.
        assert!(inbox.note_at(
            &request(late, "10.0.0.2", None, None, Transport::Tftp),
            t0 + 9 * day
        ));
        assert_eq!(listed(t0 + 15 * day), vec![late.to_string()]);
        assert!(listed(t0 + 17 * day).is_empty());
        assert!(inbox.is_empty(), "emptied by expiry");
    }

    #[test]
    fn one_address_cannot_fill_it() {
        let inbox = Inbox::default();
        let kept = (0..100u32)
            .filter(|i| {
                let mac = mac(&format!("0004f2{i:06x}"));
                inbox.note(&request(mac, "10.9.9.9", None, None, Transport::Tftp))
            })
            .count();
        assert_eq!(kept, MAX_PER_ADDRESS);
        // Another address still gets in.
        let mac = mac("0004f2ffffff");
        assert!(inbox.note(&request(mac, "10.9.9.10", None, None, Transport::Tftp)));
    }

    #[test]
    fn a_phone_that_keeps_asking_is_never_pushed_out_by_a_flood() {
        let inbox = Inbox::default();
        let genuine = mac("0004f2abcdef");
        let real = || request(genuine, "10.200.0.9", None, None, Transport::Tftp);
        // One boot of a real phone asks for its master file more than once (a Polycom's
        // Updater, then its application; retries of a phone given no file).
        assert!(inbox.note(&real()));
        assert!(inbox.note(&real()));
        // The flood of issue 28 (many forged sources, one request per MAC) comes after it,
        // between its boots and again.
        let flood = |from: u32| {
            for i in from..from + 3 * MAX_ENTRIES as u32 {
                let mac = mac(&format!("0004f2{i:06x}"));
                let client = format!("10.{}.{}.1", i / 256 % 256, i % 256);
                inbox.note(&request(mac, &client, None, None, Transport::Tftp));
            }
        };
        flood(0);
        assert!(
            inbox.get(&genuine).is_some(),
            "pushed out by one-shot noise"
        );
        let newcomer = mac("0004f2fedcba");
        let new_phone = || request(newcomer, "10.200.0.10", None, None, Transport::Tftp);
        assert!(inbox.note(&new_phone()), "a new phone still gets in");
        assert!(inbox.note(&new_phone()));
        flood(10_000);
        assert!(inbox.note(&real()), "it asks again at its next boot");
        flood(20_000);
        assert!(
            inbox.get(&genuine).is_some(),
            "pushed out by one-shot noise"
        );
        assert!(inbox.get(&newcomer).is_some(), "the newcomer pushed out");
        assert_eq!(inbox.list(|_| false).len(), MAX_ENTRIES);
    }

    #[test]
    fn it_is_bounded_and_makes_room_with_the_oldest() {
        let inbox = Inbox::default();
        for i in 0..(MAX_ENTRIES as u32 + 10) {
            let mac = mac(&format!("0004f2{i:06x}"));
            let client = format!("10.{}.{}.1", i / 256, i % 256);
            assert!(inbox.note(&request(mac, &client, None, None, Transport::Tftp)));
        }
        assert_eq!(inbox.list(|_| false).len(), MAX_ENTRIES);
    }
}
