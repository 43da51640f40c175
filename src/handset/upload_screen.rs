//! What an uploaded override may not set, in the terms every vendor's rule shares: a name under
//! one of the vendor's protected prefixes, any name holding `password`, and the protected parts
//! of a numbered line or account (`reg.1.server.1.address`, `account.2.sip_server.1.address`).
//! Each vendor's `overrides.rs` names its own prefixes and parts.

/// The protected names of one vendor's uploads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Protected<'a> {
    /// Prefixes no upload may set (lowercase).
    pub(crate) prefixes: &'a [&'a str],
    /// The prefix of a numbered line or account (`reg.`, `account.`).
    pub(crate) numbered: &'a str,
    /// The parts of a numbered line or account no upload may set.
    pub(crate) numbered_parts: &'a [&'a str],
}

impl Protected<'_> {
    /// Whether `name` (compared without case) is protected.
    pub(crate) fn covers(&self, name: &str) -> bool {
        let name = name.to_ascii_lowercase();
        if self.prefixes.iter().any(|p| name.starts_with(p)) || name.contains("password") {
            return true;
        }
        let Some(rest) = name.strip_prefix(self.numbered) else {
            return false;
        };
        let part = rest.trim_start_matches(|c: char| c.is_ascii_digit());
        part.len() < rest.len()
            && part
                .strip_prefix('.')
                .is_some_and(|part| self.numbered_parts.iter().any(|p| part.starts_with(p)))
    }
}
