//! Failed logins per client address, for every kind of login (FTP accounts, the admin API's
//! token, the admin web page's login): each failure is answered only after a delay, and too many
//! from one address within a window lock that address out for a while, right or wrong guess
//! alike, so guessing costs time instead of being free. IPv4-mapped IPv6 clients count as their
//! IPv4 address; stale entries are forgotten, so a scan from many addresses cannot grow memory.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

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
}

impl LoginLimit {
    /// Counts failures of `what` logins under `lockout`.
    pub fn new(what: &'static str, lockout: Lockout) -> LoginLimit {
        LoginLimit {
            what,
            lockout,
            failures: Mutex::default(),
        }
    }

    /// The wait before a failure is answered.
    pub fn delay(&self) -> Duration {
        self.lockout.delay
    }

    /// Whether `client` is locked out now.
    pub fn is_locked(&self, client: IpAddr) -> bool {
        let now = Instant::now();
        let failures = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        failures
            .get(&client.to_canonical())
            .and_then(|f| f.locked_until)
            .is_some_and(|until| until > now)
    }

    /// Counts a failure from `client`; locks it once it has too many in the window.
    pub fn failed(&self, client: IpAddr) {
        let now = Instant::now();
        let client = client.to_canonical();
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
            .remove(&client.to_canonical());
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
