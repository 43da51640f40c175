//! FTP logins: the configured accounts (by default the Polycom factory account
//! `PlcmSpIp`/`PlcmSpIp`; several may be valid at once so credentials can be rotated while old
//! phones still use the old ones), compared in constant time. Every failure is answered only
//! after a delay, and an address with too many failures in a window is locked out for a while:
//! even a right password is refused from it until the lock ends.

use std::fmt;
use std::net::IpAddr;

use async_trait::async_trait;
use unftp_core::auth::{
    AuthenticationError, Authenticator, Credentials, DefaultUser, Principal, UserDetail,
    UserDetailError, UserDetailProvider,
};

use crate::policy::login_limit::{Lockout, LoginLimit};
use crate::policy::secret_compare::same_secret;

/// One FTP login.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    /// User name.
    pub user: String,
    /// Password.
    pub password: String,
}

impl Account {
    /// The Polycom factory account, `PlcmSpIp`/`PlcmSpIp`.
    pub fn polycom_factory() -> Account {
        Account {
            user: "PlcmSpIp".into(),
            password: "PlcmSpIp".into(),
        }
    }

    /// Parses `USER:PASSWORD`.
    pub fn parse(text: &str) -> Result<Account, String> {
        match text.split_once(':') {
            Some((user, password)) if !user.is_empty() && !password.is_empty() => Ok(Account {
                user: user.into(),
                password: password.into(),
            }),
            _ => Err(format!("{text:?} is not USER:PASSWORD")),
        }
    }
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Account({:?}, password hidden)", self.user)
    }
}

/// Checks logins against the accounts, with the lockout.
pub struct Accounts {
    accounts: Vec<Account>,
    logins: LoginLimit,
}

impl fmt::Debug for Accounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Accounts")
            .field("accounts", &self.accounts)
            .finish_non_exhaustive()
    }
}

/// Separates the account from the client address in a [`Principal`]'s name (FTP user names are
/// one line, so they never contain it).
const ADDRESS_SEPARATOR: char = '\n';

impl Accounts {
    /// Accounts with the given lockout.
    pub fn new(accounts: Vec<Account>, lockout: Lockout) -> Accounts {
        Accounts {
            accounts,
            logins: LoginLimit::new("FTP", lockout),
        }
    }

    fn matches(&self, user: &str, password: &str) -> bool {
        // Every account is compared, so the time does not tell which one matched.
        self.accounts.iter().fold(false, |found, account| {
            let user_ok = same_secret(user.as_bytes(), account.user.as_bytes());
            let password_ok = same_secret(password.as_bytes(), account.password.as_bytes());
            found | (user_ok & password_ok)
        })
    }
}

#[async_trait]
impl Authenticator for Accounts {
    async fn authenticate(
        &self,
        username: &str,
        creds: &Credentials,
    ) -> Result<Principal, AuthenticationError> {
        let ip = creds.source_ip;
        let password = creds.password.as_deref().unwrap_or("");
        let accepted = !self.logins.is_locked(ip) && self.matches(username, password);
        if !accepted {
            self.logins.failed(ip);
            tracing::warn!(target: "audit", client = %ip, user = %username, "FTP login refused");
            tokio::time::sleep(self.logins.delay()).await;
            return Err(AuthenticationError::BadPassword);
        }
        self.logins.succeeded(ip);
        Ok(Principal {
            username: format!("{username}{ADDRESS_SEPARATOR}{ip}"),
        })
    }
}

/// A logged-in FTP session: the account and the phone's address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Account name.
    pub account: String,
    /// Client address.
    pub client: Option<IpAddr>,
}

impl fmt::Display for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.account)
    }
}

impl UserDetail for Session {}

/// The client address of a session's user, where the user type knows it.
pub trait SessionUser: UserDetail {
    /// The client's address.
    fn client(&self) -> Option<IpAddr>;
}

impl SessionUser for Session {
    fn client(&self) -> Option<IpAddr> {
        self.client
    }
}

impl SessionUser for DefaultUser {
    fn client(&self) -> Option<IpAddr> {
        None
    }
}

/// Turns an accepted login into a [`Session`].
#[derive(Debug)]
pub struct Sessions;

#[async_trait]
impl UserDetailProvider for Sessions {
    type User = Session;

    async fn provide_user_detail(&self, principal: &Principal) -> Result<Session, UserDetailError> {
        let (account, client) = match principal.username.split_once(ADDRESS_SEPARATOR) {
            Some((account, ip)) => (account, ip.parse().ok()),
            None => (principal.username.as_str(), None),
        };
        Ok(Session {
            account: account.to_string(),
            client,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn creds(password: &str, ip: [u8; 4]) -> Credentials {
        Credentials {
            source_ip: ip.into(),
            ..Credentials::from(password)
        }
    }

    #[tokio::test]
    async fn accounts_rotate_and_failures_lock_the_address_out() {
        let lockout = Lockout {
            delay: Duration::ZERO,
            max_failures: 3,
            window: Duration::from_secs(60),
            lock_for: Duration::from_secs(60),
        };
        let new = Account::parse("phones:n3w-s3cret").unwrap();
        let accounts = Accounts::new(vec![Account::polycom_factory(), new], lockout);
        let phone = [10, 0, 0, 5];
        assert!(
            accounts
                .authenticate("PlcmSpIp", &creds("PlcmSpIp", phone))
                .await
                .is_ok()
        );
        let session = accounts
            .authenticate("phones", &creds("n3w-s3cret", phone))
            .await
            .unwrap();
        let user = Sessions.provide_user_detail(&session).await.unwrap();
        assert_eq!(user.account, "phones");
        assert_eq!(user.client, Some(IpAddr::from(phone)));

        let attacker = [10, 0, 0, 66];
        for guess in ["a", "b", "c"] {
            assert!(
                accounts
                    .authenticate("PlcmSpIp", &creds(guess, attacker))
                    .await
                    .is_err()
            );
        }
        assert!(
            accounts
                .authenticate("PlcmSpIp", &creds("PlcmSpIp", attacker))
                .await
                .is_err(),
            "locked: even the right password is refused"
        );
        assert!(
            accounts
                .authenticate("PlcmSpIp", &creds("PlcmSpIp", phone))
                .await
                .is_ok(),
            "other addresses are not locked"
        );
        assert!(Account::parse("nopassword").is_err());
        assert!(Account::parse(":x").is_err());
    }
}
