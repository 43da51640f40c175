//! Failed logins per client address, for every kind of login (FTP accounts, the admin API's
//! token, the admin web page's login): each failure is answered only after a delay, and too many
//! from one address within a window lock that address out for a while, right or wrong guess
//! alike, so guessing costs time instead of being free. IPv4-mapped IPv6 clients count as their
//! IPv4 address and IPv6 clients by their /64 (one host is given a whole /64, so changing the
//! low bits does not start a new count); stale entries are forgotten, so a scan from many
//! addresses cannot grow memory.
//!
//! Behind a trusted reverse proxy every admin arrives from the proxy's address: with
//! [`LoginLimit::trusting`] the client is the address the proxy reports (`X-Forwarded-For`), so
//! one guesser behind the proxy does not lock every admin out. A lock is lifted at once by a
//! local command (`phoneprov unlock`), which leaves [`UNLOCK_FILE`] in the data folder for the
//! running server to see.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use ipnet::IpNet;

use crate::policy::guard::client_key;

/// The file in the data folder that asks the running server to lift every admin lockout.
pub const UNLOCK_FILE: &str = "unlock-admin-logins";

/// How failed logins are slowed down and locked out.
#[derive(Debug, Clone, Copy)]
pub struct Lockout {
    /// Wait before answering a failed login.
    pub delay: Duration,
    /// Failures from one address within `window` that lock it.
    pub max_failures: u32,
    /// Window the failures are counted in.
    pub window: Duration,
    /// How long a locked address stays locked.
    pub lock_for: Duration,
}

impl Default for Lockout {
    /// One second per failure; ten failures in ten minutes lock the address for fifteen.
    fn default() -> Self {
        Lockout {
            delay: Duration::from_secs(1),
            max_failures: 10,
            window: Duration::from_secs(600),
            lock_for: Duration::from_secs(900),
        }
    }
}

#[derive(Debug)]
struct Failures {
    count: u32,
    since: Instant,
    locked_until: Option<Instant>,
}

/// The failed logins of one kind of login.
#[derive(Debug)]
pub struct LoginLimit {
    /// What is logged in to, for the lockout's log line (`FTP`, `admin`).
    what: &'static str,
    lockout: Lockout,
    failures: Mutex<HashMap<IpAddr, Failures>>,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    trusted_proxies: Vec<IpNet>,
    /// The file whose presence lifts every lock (see [`UNLOCK_FILE`]).
    unlock_file: Option<PathBuf>,
}

impl LoginLimit {
    /// Counts failures of `what` logins under `lockout`.
    pub fn new(what: &'static str, lockout: Lockout) -> LoginLimit {
        LoginLimit {
            what,
            lockout,
            failures: Mutex::default(),
            trusted_proxies: Vec::new(),
            unlock_file: None,
        }
    }

    /// Takes the client of a request from `proxies` to be the address in its `X-Forwarded-For`.
    pub fn trusting(mut self, proxies: Vec<IpNet>) -> LoginLimit {
        self.trusted_proxies = proxies;
        self
    }

    /// Lifts every lock once `file` exists (and removes it).
    pub fn unlocked_by(mut self, file: PathBuf) -> LoginLimit {
        self.unlock_file = Some(file);
        self
    }

    /// The client a request from `peer` stands for: `peer` itself, or, from a trusted proxy,
    /// the nearest address of `forwarded_for` (an `X-Forwarded-For` value) that is not a
    /// trusted proxy (the one the proxy itself saw; earlier ones are the client's to forge).
    pub fn client_of(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        let peer = peer.to_canonical();
        let trusted = |ip: &IpAddr| self.trusted_proxies.iter().any(|net| net.contains(ip));
        if !trusted(&peer) {
            return peer;
        }
        forwarded_for
            .into_iter()
            .flat_map(|value| value.rsplit(','))
            .map_while(|hop| hop.trim().parse::<IpAddr>().ok())
            .map(|ip| ip.to_canonical())
            .find(|ip| !trusted(ip))
            .unwrap_or(peer)
    }

    /// Failed logins left to `client` before it is locked out (0 when it is).
    pub fn attempts_left(&self, client: IpAddr) -> u32 {
        let failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let used = failures.get(&client_key(client)).map_or(0, |f| f.count);
        self.lockout.max_failures.saturating_sub(used)
    }

    /// The minutes a lock lasts.
    pub fn lock_minutes(&self) -> u64 {
        self.lockout.lock_for.as_secs() / 60
    }

    /// Lifts every lock if the unlock file is there (removing it).
    fn unlock_if_asked(&self, failures: &mut HashMap<IpAddr, Failures>) {
        let Some(file) = &self.unlock_file else {
            return;
        };
        if std::fs::remove_file(file).is_ok() {
            failures.clear();
            tracing::warn!(
                target: "audit",
                "{} logins unlocked for every address (phoneprov unlock)",
                self.what
            );
        }
    }

    /// The wait before a failure is answered.
    pub fn delay(&self) -> Duration {
        self.lockout.delay
    }

    /// Whether `client` is locked out now.
    pub fn is_locked(&self, client: IpAddr) -> bool {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let locked = |failures: &HashMap<IpAddr, Failures>| {
            failures
                .get(&client_key(client))
                .and_then(|f| f.locked_until)
                .is_some_and(|until| until > now)
        };
        if !locked(&failures) {
            return false;
        }
        self.unlock_if_asked(&mut failures);
        locked(&failures)
    }

    /// Counts a failure from `client`; locks it once it has too many in the window.
    pub fn failed(&self, client: IpAddr) {
        let now = Instant::now();
        let client = client_key(client);
        let mut failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let lockout = self.lockout;
        failures.retain(|_, f| {
            now.duration_since(f.since) < lockout.window
                || f.locked_until.is_some_and(|until| until > now)
        });
        let entry = failures.entry(client).or_insert(Failures {
            count: 0,
            since: now,
            locked_until: None,
        });
        entry.count += 1;
        if entry.count >= lockout.max_failures && entry.locked_until.is_none() {
            entry.locked_until = Some(now + lockout.lock_for);
            tracing::warn!(
                target: "audit",
                client = %client,
                failures = entry.count,
                "{} logins from this address are locked out for {} s",
                self.what,
                lockout.lock_for.as_secs()
            );
        }
    }

    /// Forgets `client`'s failures after a good login.
    pub fn succeeded(&self, client: IpAddr) {
        self.failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&client_key(client));
    }
}

impl Default for LoginLimit {
    /// Admin logins (API token, web page) under the default lockout.
    fn default() -> LoginLimit {
        LoginLimit::new("admin", Lockout::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ipv6_64_is_one_client_and_a_trusted_proxy_names_the_client() {
        // Issue 28, finding 6c: 450 guesses from 50 addresses of one /64, never locked.
        let limit = LoginLimit::new("test", Lockout::default())
            .trusting(vec!["10.0.0.1/32".parse().unwrap()]);
        for low in 0..10u16 {
            let ip = IpAddr::V6(std::net::Ipv6Addr::new(
                0x2001,
                0xdb8,
                1,
                0,
                0,
                0,
                0,
                0x1000 + low,
            ));
            limit.failed(ip);
        }
        assert!(
            limit.is_locked("2001:db8:1::ffff".parse().unwrap()),
            "the whole /64"
        );
        assert!(
            !limit.is_locked("2001:db8:2::1".parse().unwrap()),
            "not the next /64"
        );
        assert_eq!(limit.attempts_left("2001:db8:2::1".parse().unwrap()), 10);
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let client = |forwarded| limit.client_of(proxy, Some(forwarded));
        assert_eq!(
            client("198.51.100.7"),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(
            client("1.2.3.4, 198.51.100.7"),
            "198.51.100.7".parse::<IpAddr>().unwrap(),
            "the hop the proxy saw"
        );
        assert_eq!(
            client("198.51.100.7, 10.0.0.1"),
            "198.51.100.7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(client("garbage"), proxy);
        let elsewhere: IpAddr = "192.0.2.4".parse().unwrap();
        assert_eq!(limit.client_of(elsewhere, Some("198.51.100.7")), elsewhere);
    }

    #[test]
    fn too_many_failures_lock_the_address_and_a_success_forgets_them() {
        let limit = LoginLimit::new(
            "test",
            Lockout {
                delay: Duration::ZERO,
                max_failures: 3,
                window: Duration::from_secs(60),
                lock_for: Duration::from_secs(60),
            },
        );
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        limit.failed(a);
        limit.failed(mapped);
        limit.succeeded(a);
        limit.failed(a);
        limit.failed(a);
        assert!(!limit.is_locked(a), "the success forgot the first two");
        limit.failed(mapped);
        assert!(limit.is_locked(a) && limit.is_locked(mapped));
        assert!(!limit.is_locked("192.0.2.2".parse().unwrap()));
    }
}
