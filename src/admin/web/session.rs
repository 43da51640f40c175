//! Sessions of the admin web page, in memory: a random id in an HttpOnly, SameSite=Strict cookie,
//! a CSRF token per session that every form carries back, and the CSV files waiting for their
//! preview to be applied. A visitor gets a session before logging in (so the login form is
//! CSRF-protected too); logging in replaces it with a new one, so an id seen before login is
//! worthless after. Sessions end on logout, after [`IDLE`] without a request, or when a
//! restart clears them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::policy::secret_compare::same_secret;

/// The cookie's name.
pub const COOKIE: &str = "phoneprov_session";
/// A session ends after this long without a request.
pub const IDLE: Duration = Duration::from_secs(8 * 3600);
/// Most sessions kept; beyond, the least recently used go first.
const MAX_SESSIONS: usize = 10_000;
/// Most CSV previews kept per session.
const MAX_PREVIEWS: usize = 4;

/// One visitor's session.
#[derive(Debug, Clone)]
pub struct Session {
    /// The cookie value.
    pub id: String,
    /// The token every form must carry.
    pub csrf: String,
    /// Logged in (else only the login page is open).
    pub admin: bool,
    last_used: Instant,
    /// Shared, so handing a session to a page does not copy the files.
    previews: Vec<(String, Arc<Vec<u8>>)>,
}

/// Why no session could be made.
#[derive(Debug, thiserror::Error)]
#[error("no random numbers for a session: {0}")]
pub struct SessionError(String);

fn random_token() -> Result<String, SessionError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| SessionError(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Every live session.
#[derive(Debug, Default)]
pub struct Sessions {
    by_id: Mutex<HashMap<String, Session>>,
}

impl Sessions {
    fn locked(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        match self.by_id.lock() {
            Ok(map) => map,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The session of cookie value `id`, if it is live; marks it used.
    pub fn get(&self, id: &str) -> Option<Session> {
        let mut map = self.locked();
        let now = Instant::now();
        match map.get_mut(id) {
            Some(session) if now.duration_since(session.last_used) < IDLE => {
                session.last_used = now;
                Some(session.clone())
            }
            Some(_) => {
                map.remove(id);
                None
            }
            None => None,
        }
    }

    /// A new session, logged in or not.
    pub fn create(&self, admin: bool) -> Result<Session, SessionError> {
        let session = Session {
            id: random_token()?,
            csrf: random_token()?,
            admin,
            last_used: Instant::now(),
            previews: Vec::new(),
        };
        let mut map = self.locked();
        if map.len() >= MAX_SESSIONS {
            let now = Instant::now();
            map.retain(|_, s| now.duration_since(s.last_used) < IDLE);
            if map.len() >= MAX_SESSIONS
                && let Some(oldest) = map
                    .values()
                    .min_by_key(|s| (s.admin, s.last_used))
                    .map(|s| s.id.clone())
            {
                map.remove(&oldest);
            }
        }
        map.insert(session.id.clone(), session.clone());
        Ok(session)
    }

    /// Ends a session.
    pub fn remove(&self, id: &str) {
        self.locked().remove(id);
    }

    /// Keeps a CSV file for the session's preview; returns its id.
    pub fn keep_preview(&self, id: &str, csv: Vec<u8>) -> Result<Option<String>, SessionError> {
        let preview = random_token()?;
        let mut map = self.locked();
        let Some(session) = map.get_mut(id) else {
            return Ok(None);
        };
        if session.previews.len() == MAX_PREVIEWS {
            session.previews.remove(0);
        }
        session.previews.push((preview.clone(), Arc::new(csv)));
        Ok(Some(preview))
    }

    /// A kept CSV file, left in the session (to page through its preview).
    pub fn peek_preview(&self, id: &str, preview: &str) -> Option<Arc<Vec<u8>>> {
        let map = self.locked();
        let session = map.get(id)?;
        session
            .previews
            .iter()
            .find(|(p, _)| p == preview)
            .map(|(_, csv)| Arc::clone(csv))
    }

    /// Takes a kept CSV file out of the session.
    pub fn take_preview(&self, id: &str, preview: &str) -> Option<Vec<u8>> {
        let mut map = self.locked();
        let session = map.get_mut(id)?;
        let at = session.previews.iter().position(|(p, _)| p == preview)?;
        let csv = session.previews.remove(at).1;
        Some(Arc::try_unwrap(csv).unwrap_or_else(|shared| shared.as_ref().clone()))
    }
}

impl Session {
    /// Whether `presented` is this session's CSRF token (constant time).
    pub fn csrf_matches(&self, presented: &str) -> bool {
        same_secret(presented.as_bytes(), self.csrf.as_bytes())
    }

    /// The `Set-Cookie` value that gives the browser this session.
    pub fn cookie(&self) -> String {
        format!(
            "{COOKIE}={}; Path=/admin; HttpOnly; SameSite=Strict; Max-Age={}",
            self.id,
            IDLE.as_secs()
        )
    }
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn expired_cookie() -> String {
    format!("{COOKIE}=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0")
}

/// The session id in a `Cookie` header, if any.
pub fn id_in(cookie_header: &str) -> Option<&str> {
    cookie_header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_carry_csrf_and_previews_and_end() {
        let sessions = Sessions::default();
        let session = sessions.create(false).unwrap();
        assert_eq!(session.id.len(), 64);
        assert_ne!(session.id, session.csrf);
        assert!(session.csrf_matches(&session.csrf.clone()));
        assert!(!session.csrf_matches("guess"));
        let preview = sessions
            .keep_preview(&session.id, b"csv".to_vec())
            .unwrap()
            .unwrap();
        assert_eq!(
            sessions.take_preview(&session.id, &preview).unwrap(),
            b"csv"
        );
        assert!(
            sessions.take_preview(&session.id, &preview).is_none(),
            "once"
        );
        sessions.remove(&session.id);
        assert!(sessions.get(&session.id).is_none());
        let header = format!("a=b; {COOKIE}={}; c=d", session.id);
        assert_eq!(id_in(&header), Some(session.id.as_str()));
        assert!(session.cookie().contains("HttpOnly; SameSite=Strict"));
    }
}
