//! What each vendor's phones ask for and what goes in each file: file names and the typed context
//! every template gets (documented in `docs/templates.md`). Pure functions over domain values; no
//! I/O, no knowledge of transports.

pub mod aastra;
pub mod agent;
pub mod clock;
pub mod firmware;
pub mod polycom;

/// A SIP server as templates see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ServerView {
    /// Address (IP or host name).
    pub address: String,
    /// SIP port.
    pub port: u16,
}
