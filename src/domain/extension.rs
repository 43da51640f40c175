//! Extensions: a user's number, name and SIP credentials, and the sites it belongs to.

use crate::domain::distribution::Assignment;
use crate::domain::extension_number::ExtensionNumber;
use crate::domain::site::SiteId;
use crate::domain::text::{TextError, check_text, quoted};

/// Longest display name.
pub const MAX_DISPLAY_NAME: usize = 64;
/// Longest label.
pub const MAX_LABEL: usize = 64;
/// Longest SIP password.
pub const MAX_PASSWORD: usize = 128;
/// Longest SIP authentication user.
pub const MAX_AUTH_USER: usize = 64;

/// Checks a display name (required, at most 64 characters, no control characters).
pub fn check_display_name(value: &str) -> Result<(), TextError> {
    check_text(value, MAX_DISPLAY_NAME, true)
}

/// Checks a label (may be empty, at most 64 characters, no control characters).
pub fn check_label(value: &str) -> Result<(), TextError> {
    check_text(value, MAX_LABEL, false)
}

/// Fewest characters of a SIP password given by the admin (generated ones have 20).
pub(super) const MIN_PASSWORD: usize = 8;

/// Checks a SIP password: 8 to 128 characters, not one character repeated, no control
/// characters, no outer spaces. (That it is not the extension's number or SIP user is checked
/// with the extension: [`password_names_its_extension`].)
pub fn check_password(value: &str) -> Result<(), TextError> {
    check_text(value, MAX_PASSWORD, true)?;
    if value.trim() != value {
        return Err(TextError::OuterSpace(value.to_string()));
    }
    if value.chars().count() < MIN_PASSWORD {
        return Err(TextError::WeakPassword("shorter than 8 characters"));
    }
    let mut chars = value.chars();
    if let Some(first) = chars.next()
        && chars.all(|c| c == first)
    {
        return Err(TextError::WeakPassword("one character repeated"));
    }
    Ok(())
}

/// The refusal of a password that is the extension's own number or SIP user (the first guesses
/// of anyone who sees the phone), or `None`.
pub fn password_names_its_extension(extension: &Extension) -> Option<TextError> {
    let password = extension.password.as_str();
    let is = |other: &str| password.eq_ignore_ascii_case(other);
    (is(extension.number.as_str()) || extension.auth_user.as_deref().is_some_and(is)).then_some(
        TextError::WeakPassword("the extension's own number or SIP user"),
    )
}

/// Why a value is not a SIP authentication user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{} is not a SIP user name (up to 64 letters, digits and - _ . ! ~ * ' ( ) & = + $ , ; %)",
    quoted(.0)
)]
pub struct AuthUserError(pub String);

/// Checks a SIP auth user: the RFC 3261 `user` characters (unreserved, escaped, user-unreserved).
pub fn check_auth_user(value: &str) -> Result<(), AuthUserError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "-_.!~*'()&=+$,;%".contains(c);
    if value.is_empty() || value.len() > MAX_AUTH_USER || !value.chars().all(allowed) {
        return Err(AuthUserError(value.to_string()));
    }
    Ok(())
}

/// An extension as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    /// The number, unique in the deployment; also the name of its Polycom file (`201.cfg`).
    pub number: ExtensionNumber,
    /// The user's name, shown as the SIP From display name.
    pub display_name: String,
    /// Text shown next to the line key; `None` shows the number.
    pub label: Option<String>,
    /// SIP authentication user; `None` uses the number.
    pub auth_user: Option<String>,
    /// SIP password.
    pub password: String,
    /// The site the extension belongs to.
    pub home_site: SiteId,
    /// The site it is served by now (differs from home while relocated).
    pub current_site: SiteId,
    /// Whether it follows its site's switchover to the alternate site.
    pub switchover_enabled: bool,
    /// Whether it is listed in the company directory phones get.
    pub in_directory: bool,
    /// Its primary and backup call server at its current site, kept by the store's registration
    /// distribution (writes of an extension leave it alone).
    pub registration: Option<Assignment>,
}

impl Extension {
    /// The label phones show: the label, or the number when none is set.
    pub fn effective_label(&self) -> &str {
        self.label.as_deref().unwrap_or(self.number.as_str())
    }

    /// The SIP auth user: the one set, or the number.
    pub fn effective_auth_user(&self) -> &str {
        self.auth_user.as_deref().unwrap_or(self.number.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_and_auth_users() {
        assert!(check_password("s3cr3t-pw").is_ok());
        assert!(matches!(
            check_password(" x"),
            Err(TextError::OuterSpace(_))
        ));
        assert!(matches!(
            check_password("s3cr3t"),
            Err(TextError::WeakPassword(_))
        ));
        assert!(matches!(
            check_password("zzzzzzzzzz"),
            Err(TextError::WeakPassword(_))
        ));
        assert!(check_auth_user("201").is_ok());
        assert!(check_auth_user("alice.smith").is_ok());
        assert!(check_auth_user("a b").is_err());
        assert!(check_auth_user("a@b").is_err());
        assert!(check_auth_user("").is_err());
    }
}
