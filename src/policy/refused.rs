//! [`Refused`]: why a phone's request gets nothing, shared by the phone-file policy and every
//! transport, each of which turns it into its own answer (HTTP status, FTP reply, TFTP error).

/// Why a request gets nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No such file, or an upload for an unknown phone.
    NotFound,
    /// Not allowed: a name phones may not upload, or a user agent naming another phone.
    Forbidden(&'static str),
    /// An upload larger than the limit (bytes).
    TooLarge(usize),
    /// phoneprov failed (rendering or storage); logged.
    Failed(&'static str),
    /// The client's address is banned from provisioning (enumeration defense).
    Banned,
    /// The phone's login is needed (HTTP 401); `stale` when only the nonce had expired.
    Unauthorized {
        /// Whether the answer was right but its nonce expired.
        stale: bool,
    },
    /// A wrong phone login (HTTP 401, answered after the failed-login delay).
    WrongLogin(std::time::Duration),
    /// Too many failed phone logins from this address: locked out for this long (HTTP 429).
    LoginsLocked(std::time::Duration),
}
