//! What the dashboard shows of the server's own recent activity, kept in memory for the process
//! (like the metrics): files served to phones per minute over the last hour, counted with two
//! atomic operations per fetch, and the most recent warnings and errors logged (failed admin
//! logins, FTP lockouts, template problems, failed writes), captured by a tracing layer. Failed
//! logins, provisioning bans and the rest are kept apart, [`PROBLEMS`] of each, so a flood of
//! failed logins cannot push a ban off the dashboard.

use std::collections::VecDeque;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};

use crate::clock::now_ms;

/// Minutes of fetch counts kept.
pub const MINUTES: usize = 60;
/// Warnings and errors kept of each kind.
pub const PROBLEMS: usize = 50;

struct Minute {
    minute: AtomicI64,
    count: AtomicU64,
}

#[allow(clippy::declare_interior_mutable_const)]
const EMPTY_MINUTE: Minute = Minute {
    minute: AtomicI64::new(-1),
    count: AtomicU64::new(0),
};

static FETCHES: [Minute; MINUTES] = [EMPTY_MINUTE; MINUTES];

/// Counts one file served now.
pub fn count_fetch() {
    count_fetch_at(now_ms());
}

fn count_fetch_at(at_ms: i64) {
    let minute = at_ms.div_euclid(60_000);
    let slot = &FETCHES[minute.rem_euclid(MINUTES as i64) as usize];
    let seen = slot.minute.load(Ordering::Relaxed);
    if seen != minute
        && slot
            .minute
            .compare_exchange(seen, minute, Ordering::AcqRel, Ordering::Relaxed)
            .is_ok()
    {
        // The slot held an older minute: it starts again. A fetch counted by another thread
        // between the two steps may be lost; the chart is a rate, not an account.
        slot.count.store(0, Ordering::Relaxed);
    }
    slot.count.fetch_add(1, Ordering::Relaxed);
}

/// Files served in each of the last [`MINUTES`] minutes, oldest first, this minute last.
pub fn fetches_per_minute() -> Vec<u64> {
    fetches_per_minute_at(now_ms())
}

fn fetches_per_minute_at(at_ms: i64) -> Vec<u64> {
    let now = at_ms.div_euclid(60_000);
    (now - MINUTES as i64 + 1..=now)
        .map(|minute| {
            let slot = &FETCHES[minute.rem_euclid(MINUTES as i64) as usize];
            if slot.minute.load(Ordering::Relaxed) == minute {
                slot.count.load(Ordering::Relaxed)
            } else {
                0
            }
        })
        .collect()
}

/// A warning or error logged.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// When, ms since the epoch.
    pub at_ms: i64,
    /// `WARN` or `ERROR`.
    pub level: String,
    /// `login` (a failed or refused login, a lockout), `ban` (a provisioning ban set or lifted)
    /// or `other`.
    pub kind: &'static str,
    /// The message with its fields (`client=10.0.0.9`).
    pub message: String,
}

/// The kinds of problem, each kept in its own list.
const KINDS: [&str; 3] = ["login", "ban", "other"];

static PROBLEM_LOG: Mutex<[VecDeque<Problem>; 3]> =
    Mutex::new([VecDeque::new(), VecDeque::new(), VecDeque::new()]);

/// The kind of a logged problem, from its message.
fn kind_of(message: &str) -> &'static str {
    if message.contains("login failed")
        || message.contains("login refused")
        || message.contains("logins from this address are locked out")
    {
        "login"
    } else if message.contains("provisioning ban") {
        "ban"
    } else {
        "other"
    }
}

/// The most recent warnings and errors of every kind, newest first.
pub fn recent_problems() -> Vec<Problem> {
    let logs = match PROBLEM_LOG.lock() {
        Ok(logs) => logs,
        Err(poisoned) => poisoned.into_inner(),
    };
    let mut all: Vec<Problem> = logs.iter().flatten().cloned().collect();
    all.sort_by_key(|p| std::cmp::Reverse(p.at_ms));
    all
}

fn remember(problem: Problem) {
    let mut logs = match PROBLEM_LOG.lock() {
        Ok(logs) => logs,
        Err(poisoned) => poisoned.into_inner(),
    };
    let index = KINDS.iter().position(|k| *k == problem.kind).unwrap_or(2);
    let log = &mut logs[index];
    if log.len() == PROBLEMS {
        log.pop_front();
    }
    log.push_back(problem);
}

/// The tracing layer that keeps warnings and errors for [`recent_problems`].
pub struct ProblemLayer;

#[derive(Default)]
struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let separator = if self.0.is_empty() { "" } else { " " };
        // Writing to a String cannot fail.
        let _ = if field.name() == "message" {
            write!(self.0, "{separator}{value:?}")
        } else {
            write!(self.0, "{separator}{}={value:?}", field.name())
        };
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        let separator = if self.0.is_empty() { "" } else { " " };
        let _ = if field.name() == "message" {
            write!(self.0, "{separator}{value}")
        } else {
            write!(self.0, "{separator}{}={value}", field.name())
        };
    }
}

impl<S: Subscriber> Layer<S> for ProblemLayer {
    fn on_event(&self, event: &Event<'_>, _context: Context<'_, S>) {
        let level = *event.metadata().level();
        if level > Level::WARN {
            return;
        }
        let mut message = Message::default();
        event.record(&mut message);
        remember(Problem {
            at_ms: now_ms(),
            level: level.to_string(),
            kind: kind_of(&message.0),
            message: message.0,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetches_are_counted_per_minute_and_old_minutes_drop_out() {
        // A day far from now, so other tests counting real fetches do not interfere.
        let base = 1_000_000 * 60_000;
        for _ in 0..3 {
            count_fetch_at(base);
        }
        count_fetch_at(base + 60_000);
        let counts = fetches_per_minute_at(base + 60_000);
        assert_eq!(counts.len(), MINUTES);
        assert_eq!(&counts[MINUTES - 2..], &[3, 1]);
        // An hour later the same slots hold new minutes.
        count_fetch_at(base + 3_600_000);
        let later = fetches_per_minute_at(base + 3_600_000);
        assert_eq!(later[MINUTES - 1], 1);
        assert_eq!(later.iter().sum::<u64>(), 2, "{later:?}");
    }

    #[test]
    fn a_flood_of_failed_logins_does_not_push_a_ban_out() {
        let problem = |at_ms: i64, message: &str| Problem {
            at_ms,
            level: "WARN".into(),
            kind: kind_of(message),
            message: message.into(),
        };
        remember(problem(
            1,
            "provisioning ban: too many requests for unknown phone files client=192.0.2.66",
        ));
        for i in 0..2 * PROBLEMS as i64 {
            remember(problem(
                2 + i,
                "admin API login failed: wrong token client=192.0.2.77",
            ));
        }
        let recent = recent_problems();
        assert!(
            recent
                .iter()
                .any(|p| p.kind == "ban" && p.message.contains("192.0.2.66")),
            "the ban is still shown"
        );
        assert!(recent.iter().filter(|p| p.kind == "login").count() <= PROBLEMS);
        assert!(
            recent.windows(2).all(|w| w[0].at_ms >= w[1].at_ms),
            "newest first"
        );
    }
}
