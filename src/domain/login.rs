//! A phone's HTTP login for its credential files: a user name and the passwords accepted for it
//! (several at once, so a new password can be rolled out while phones still use the old one).

use thiserror::Error;

/// Most passwords accepted at once for one phone.
pub const MAX_LOGIN_PASSWORDS: usize = 8;
/// Longest user name or password, in characters.
pub const MAX_LOGIN_TEXT: usize = 128;
/// Shortest password, in characters.
pub const MIN_LOGIN_PASSWORD: usize = 8;

/// The login a phone must present (HTTP Digest, or Basic over TLS) to fetch its credential files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneLogin {
    /// The user name (phones usually send their MAC).
    pub username: String,
    /// Every password accepted, newest first.
    pub passwords: Vec<String>,
}

/// Why a login cannot be stored.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum PhoneLoginError {
    /// A bad user name.
    #[error("login user name: {0}")]
    Username(&'static str),
    /// A bad password (the 1-based position in the list).
    #[error("login password {0}: {1}")]
    Password(usize, &'static str),
    /// No password, or too many.
    #[error("a login needs 1 to {MAX_LOGIN_PASSWORDS} passwords")]
    Count,
}

fn check_text(text: &str, min: usize) -> Result<(), &'static str> {
    let length = text.chars().count();
    if length < min {
        return Err(if min <= 1 {
            "must not be empty"
        } else {
            "must hold at least 8 characters"
        });
    }
    if length > MAX_LOGIN_TEXT {
        return Err("must hold at most 128 characters");
    }
    if text.chars().any(char::is_control) {
        return Err("must not hold control characters");
    }
    Ok(())
}

impl PhoneLogin {
    /// A checked login: a printable user name without `:` and 1 to 8 distinct printable
    /// passwords of 8 to 128 characters.
    pub fn new(username: &str, passwords: Vec<String>) -> Result<PhoneLogin, PhoneLoginError> {
        check_text(username, 1).map_err(PhoneLoginError::Username)?;
        if username.contains([':', '"', '\\']) {
            return Err(PhoneLoginError::Username("must not hold ':', '\"' or '\\'"));
        }
        if passwords.is_empty() || passwords.len() > MAX_LOGIN_PASSWORDS {
            return Err(PhoneLoginError::Count);
        }
        for (index, password) in passwords.iter().enumerate() {
            check_text(password, MIN_LOGIN_PASSWORD)
                .map_err(|why| PhoneLoginError::Password(index + 1, why))?;
            if passwords[..index].contains(password) {
                return Err(PhoneLoginError::Password(index + 1, "is listed twice"));
            }
        }
        Ok(PhoneLogin {
            username: username.to_string(),
            passwords,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logins_are_checked() {
        let ok = PhoneLogin::new(
            "0004f2000001",
            vec!["first-pass".into(), "second-pass".into()],
        );
        assert_eq!(ok.unwrap().passwords.len(), 2);
        assert_eq!(
            PhoneLogin::new("", vec!["password1".into()]),
            Err(PhoneLoginError::Username("must not be empty"))
        );
        assert!(PhoneLogin::new("a:b", vec!["password1".into()]).is_err());
        assert_eq!(PhoneLogin::new("u", vec![]), Err(PhoneLoginError::Count));
        assert_eq!(
            PhoneLogin::new("u", vec!["password1".into(), "short".into()]),
            Err(PhoneLoginError::Password(
                2,
                "must hold at least 8 characters"
            ))
        );
        assert_eq!(
            PhoneLogin::new("u", vec!["password1".into(), "password1".into()]),
            Err(PhoneLoginError::Password(2, "is listed twice"))
        );
        assert!(PhoneLogin::new("u", vec!["pass\nword1".into()]).is_err());
    }
}
