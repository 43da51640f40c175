//! The record of the last check-sync push to a phone: why it was sent, when, and how it ended.

/// How a push ended, or that it has not yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushOutcome {
    /// Sent; no final response yet.
    Pending,
    /// The phone answered 2xx.
    Acknowledged,
    /// The phone answered with an error (3xx-6xx).
    Refused,
    /// No final response before the transaction timed out (RFC 3261 timer F).
    NoAnswer,
    /// Never sent: the phone has never fetched a file, so its address is unknown.
    NeverSeen,
}

impl PushOutcome {
    /// The name stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            PushOutcome::Pending => "pending",
            PushOutcome::Acknowledged => "acknowledged",
            PushOutcome::Refused => "refused",
            PushOutcome::NoAnswer => "no answer",
            PushOutcome::NeverSeen => "never seen",
        }
    }

    /// The outcome a stored name stands for.
    pub fn parse(text: &str) -> Option<PushOutcome> {
        [
            PushOutcome::Pending,
            PushOutcome::Acknowledged,
            PushOutcome::Refused,
            PushOutcome::NoAnswer,
            PushOutcome::NeverSeen,
        ]
        .into_iter()
        .find(|outcome| outcome.as_str() == text)
    }
}

/// The last push to one phone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushRecord {
    /// Why it was sent: `change` (an admin change altered its files) or `resync` (asked for).
    pub reason: String,
    /// Where it went (`address:port`), if it was sent.
    pub target: Option<String>,
    /// When it was sent (or found unsendable), ms since the epoch.
    pub sent_at_ms: i64,
    /// How it ended.
    pub outcome: PushOutcome,
    /// The phone's final status code, if it answered.
    pub status: Option<u16>,
    /// How many times the NOTIFY was sent (1 + retransmissions).
    pub attempts: u32,
    /// When it ended, ms since the epoch.
    pub finished_at_ms: Option<i64>,
}
