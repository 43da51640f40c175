//! What the dashboard shows of the server's own recent activity, kept in memory for the process
//! (like the metrics): files served to phones per minute over the last hour, counted with two
//! atomic operations per fetch, and the most recent warnings and errors logged (failed admin
//! logins, FTP lockouts, template problems, failed writes), captured by a tracing layer.

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
/// Warnings and errors kept.
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
    /// The message with its fields (`client=10.0.0.9`).
    pub message: String,
}

static PROBLEM_LOG: Mutex<VecDeque<Problem>> = Mutex::new(VecDeque::new());

/// The most recent warnings and errors, newest first.
pub fn recent_problems() -> Vec<Problem> {
    match PROBLEM_LOG.lock() {
        Ok(log) => log.iter().rev().cloned().collect(),
        Err(poisoned) => poisoned.into_inner().iter().rev().cloned().collect(),
    }
}

fn remember(problem: Problem) {
    let mut log = match PROBLEM_LOG.lock() {
        Ok(log) => log,
        Err(poisoned) => poisoned.into_inner(),
    };
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
}
