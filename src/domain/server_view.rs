//! [`ServerView`]: a SIP server as every vendor's templates see it.

/// A SIP server as templates see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ServerView {
    /// Address (IP or host name).
    pub address: String,
    /// SIP port.
    pub port: u16,
}
