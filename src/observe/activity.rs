//! What the dashboard shows of the server's own recent activity, kept in memory for the process
//! (like the metrics): files served to phones per minute over the last hour, counted with two
//! atomic operations per fetch, and the most recent warnings and errors logged (failed admin
//! logins, FTP lockouts, template problems, failed writes, firmware files phones asked for and
//! did not get, registration failures phones reported in their logs), captured by a tracing
//! layer. Failed logins, provisioning bans, a phone's boot failures and the rest are kept apart,
//! [`PROBLEMS`] of each, so a flood of failed logins cannot push a ban off the dashboard. The
//! server saves them in batches ([`problems_after`]) and puts them back at start ([`restore`]),
//! so a restart keeps them.

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
    /// `login` (a failed or refused login, a lockout), `ban` (a provisioning ban set or lifted),
    /// `firmware` (a firmware file a phone asked for is not in the firmware folder),
    /// `registration` (a phone's uploaded log reports a failed registration) or `other`.
    pub kind: &'static str,
    /// The message with its fields (`client=10.0.0.9`).
    pub message: String,
    /// The phone it is about (its MAC, 12 lowercase digits), when the log line names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Its place in the order problems were kept (0 for one restored from before a restart).
    #[serde(skip)]
    pub sequence: u64,
}

/// The kinds of problem, each kept in its own list (`other` last: an unknown kind goes there).
pub const KINDS: [&str; 5] = ["login", "ban", "firmware", "registration", "other"];

/// The kinds that are a phone's failure to boot or register.
pub const PHONE_FAILURES: [&str; 2] = ["firmware", "registration"];

/// The start of the warning logged for a firmware file a phone did not get ([`kind_of`]).
pub const FIRMWARE_MISSING: &str = "firmware file missing";
/// The start of the warning logged for a registration failure a phone's log reports.
pub const REGISTRATION_FAILED: &str = "registration failure reported by the phone";

static PROBLEM_LOG: Mutex<[VecDeque<Problem>; 5]> = Mutex::new([
    VecDeque::new(),
    VecDeque::new(),
    VecDeque::new(),
    VecDeque::new(),
    VecDeque::new(),
]);

/// The sequence number of the last problem kept.
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// The kind of a logged problem, from its message.
fn kind_of(message: &str) -> &'static str {
    if message.starts_with(FIRMWARE_MISSING) {
        "firmware"
    } else if message.starts_with(REGISTRATION_FAILED) {
        "registration"
    } else if message.contains("login failed")
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

/// The kind named `name`, as kept (`other` for a name no longer known).
pub fn kind_named(name: &str) -> &'static str {
    KINDS
        .iter()
        .find(|k| **k == name)
        .copied()
        .unwrap_or("other")
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

/// The phones (MACs) with a boot or registration failure among the recent problems
/// ([`PHONE_FAILURES`]), each with its newest such problem, newest first.
pub fn failed_phones() -> Vec<(String, Problem)> {
    let mut failed: Vec<(String, Problem)> = Vec::new();
    for problem in recent_problems() {
        let Some(phone) = problem.phone.clone() else {
            continue;
        };
        if PHONE_FAILURES.contains(&problem.kind) && !failed.iter().any(|(mac, _)| *mac == phone) {
            failed.push((phone, problem));
        }
    }
    failed
}

/// The problems kept after `sequence` (newer than the last saved), oldest first, and the
/// sequence to ask after next time.
pub fn problems_after(sequence: u64) -> (Vec<Problem>, u64) {
    let logs = match PROBLEM_LOG.lock() {
        Ok(logs) => logs,
        Err(poisoned) => poisoned.into_inner(),
    };
    let mut newer: Vec<Problem> = logs
        .iter()
        .flatten()
        .filter(|p| p.sequence > sequence)
        .cloned()
        .collect();
    newer.sort_by_key(|p| p.sequence);
    let last = newer.last().map_or(sequence, |p| p.sequence);
    (newer, last)
}

/// Puts back problems saved before a restart, newest first (as the store answers them): the
/// newest [`PROBLEMS`] of each kind are kept, beside any kept since; they are not saved again.
pub fn restore(saved: impl IntoIterator<Item = Problem>) {
    let mut logs = match PROBLEM_LOG.lock() {
        Ok(logs) => logs,
        Err(poisoned) => poisoned.into_inner(),
    };
    for mut problem in saved {
        problem.sequence = 0;
        let log = &mut logs[kind_index(problem.kind)];
        if log.len() < PROBLEMS {
            log.push_front(problem);
        }
    }
    for log in logs.iter_mut() {
        log.make_contiguous().sort_by_key(|p| p.at_ms);
    }
}

fn kind_index(kind: &str) -> usize {
    KINDS
        .iter()
        .position(|k| *k == kind)
        .unwrap_or(KINDS.len() - 1)
}

fn remember(mut problem: Problem) {
    let mut logs = match PROBLEM_LOG.lock() {
        Ok(logs) => logs,
        Err(poisoned) => poisoned.into_inner(),
    };
    problem.sequence = SEQUENCE.fetch_add(1, Ordering::Relaxed) + 1;
    let index = kind_index(problem.kind);
    let log = &mut logs[index];
    if log.len() == PROBLEMS {
        log.pop_front();
    }
    log.push_back(problem);
}

/// The tracing layer that keeps warnings and errors for [`recent_problems`].
pub struct ProblemLayer;

/// A logged event as kept: its message, then its fields (`client=10.0.0.9`), and the phone
/// its `phone` field names.
#[derive(Default)]
struct Message {
    text: String,
    fields: String,
    phone: Option<String>,
}

impl Message {
    fn add(&mut self, name: &str, value: std::fmt::Arguments<'_>) {
        // Writing to a String cannot fail.
        if name == "message" {
            let _ = self.text.write_fmt(value);
            return;
        }
        if name == "phone" {
            self.phone = Some(value.to_string());
        }
        let separator = if self.fields.is_empty() { "" } else { " " };
        let _ = write!(self.fields, "{separator}{name}={value}");
    }

    fn joined(self) -> (String, Option<String>) {
        let text = match (self.text.is_empty(), self.fields.is_empty()) {
            (_, true) => self.text,
            (true, false) => self.fields,
            (false, false) => format!("{} {}", self.text, self.fields),
        };
        (text, self.phone)
    }
}

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.add(field.name(), format_args!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.add(field.name(), format_args!("{value}"));
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
        let (message, phone) = message.joined();
        remember(Problem {
            at_ms: now_ms(),
            level: level.to_string(),
            kind: kind_of(&message),
            message,
            phone,
            sequence: 0,
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
            phone: None,
            sequence: 0,
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

    #[test]
    fn new_problems_are_handed_out_once_and_saved_ones_come_back() {
        let (_, cursor) = problems_after(0);
        remember(Problem {
            at_ms: 5,
            level: "WARN".into(),
            kind: kind_of("firmware file missing uc5/sip.ld: the phone asked for it"),
            message: "firmware file missing uc5/sip.ld: the phone asked for it".into(),
            phone: Some("0004f2000001".into()),
            sequence: 0,
        });
        let (new, next) = problems_after(cursor);
        assert!(
            new.iter()
                .any(|p| p.kind == "firmware" && p.phone.as_deref() == Some("0004f2000001")),
            "{new:?}"
        );
        assert!(next > cursor);
        assert!(
            !problems_after(next)
                .0
                .iter()
                .any(|p| p.phone.as_deref() == Some("0004f2000001")),
            "handed out once"
        );
        // Restored ones are listed, by time, and not handed out again.
        restore([Problem {
            at_ms: 4,
            level: "WARN".into(),
            kind: kind_named("registration"),
            message: "registration failure reported by the phone in its log".into(),
            phone: Some("0004f2000002".into()),
            sequence: 7,
        }]);
        assert!(
            failed_phones()
                .iter()
                .any(|(mac, p)| mac == "0004f2000002" && p.kind == "registration")
        );
        assert!(
            !problems_after(next)
                .0
                .iter()
                .any(|p| p.phone.as_deref() == Some("0004f2000002")),
            "a restored problem is not saved again"
        );
        assert_eq!(kind_named("gone"), "other");
    }
}
