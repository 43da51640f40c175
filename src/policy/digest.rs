//! Phone logins over HTTP: Digest (RFC 7616 with MD5 or SHA-256, `qop=auth`, and the older
//! RFC 2069 form without `qop`), and Basic, accepted only over TLS. Nonces are stateless: the time
//! they were made and a keyed hash of it (a key drawn when phoneprov starts), valid for five
//! minutes; an expired but genuine nonce is answered with `stale=true` so the phone retries
//! without asking anyone for a password. Any of a phone's accepted passwords passes.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac as _};
use md5::Md5;
use sha2::{Digest, Sha256};

use crate::domain::PhoneLogin;

/// The realm phones are told.
pub const REALM: &str = "phoneprov";
/// How long a nonce is good for, in seconds.
const NONCE_LIFETIME_SECONDS: u64 = 300;
/// Bytes of the keyed hash kept in a nonce.
const NONCE_TAG_BYTES: usize = 16;

/// The outcome of checking an `Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginVerdict {
    /// A right user name and one of the accepted passwords.
    Accepted,
    /// Right in every way but an expired nonce: challenge again with `stale=true`.
    Stale,
    /// Wrong, and why (for the audit log, never for the phone).
    Rejected(&'static str),
}

/// Makes challenges and checks answers.
pub struct Challenger {
    key: [u8; 32],
}

impl std::fmt::Debug for Challenger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Challenger")
    }
}

fn now_seconds() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Equal strings, compared in time that does not depend on where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The hash algorithms of Digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Algorithm {
    Md5,
    Sha256,
}

impl Algorithm {
    fn parse(name: Option<&str>) -> Option<Algorithm> {
        match name.map(str::to_ascii_uppercase).as_deref() {
            None | Some("MD5") => Some(Algorithm::Md5),
            Some("SHA-256") => Some(Algorithm::Sha256),
            _ => None,
        }
    }

    fn hash(self, text: &str) -> String {
        match self {
            Algorithm::Md5 => hex(&Md5::digest(text.as_bytes())),
            Algorithm::Sha256 => hex(&Sha256::digest(text.as_bytes())),
        }
    }
}

/// The `key=value` parameters of a Digest header, values unquoted.
fn parameters(text: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let (name, after) = rest.split_once('=')?;
        let name = name.trim().to_ascii_lowercase();
        let after = after.trim_start();
        let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            let mut value = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => value.push(chars.next()?.1),
                    '"' => {
                        end = Some(i + 1);
                        break;
                    }
                    c => value.push(c),
                }
            }
            (value, &quoted[end?..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_string(), &after[end..])
        };
        out.push((name, value));
        rest = remaining.trim_start();
        rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
    }
    Some(out)
}

impl Challenger {
    /// A challenger with a fresh random key.
    pub fn new() -> Result<Challenger, getrandom::Error> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key)?;
        Ok(Challenger { key })
    }

    fn tag(&self, stamp: &str) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.key)
            .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
        mac.update(stamp.as_bytes());
        hex(&mac.finalize().into_bytes()[..NONCE_TAG_BYTES])
    }

    fn nonce_at(&self, seconds: u64) -> String {
        let stamp = format!("{seconds:016x}");
        let tag = self.tag(&stamp);
        format!("{stamp}{tag}")
    }

    /// `Some(true)` for a nonce this challenger made that is still fresh, `Some(false)` for an
    /// expired one, `None` for one it never made.
    fn nonce_fresh(&self, nonce: &str, now: u64) -> Option<bool> {
        let (stamp, tag) = (nonce.get(..16)?, nonce.get(16..)?);
        if !same(tag, &self.tag(stamp)) {
            return None;
        }
        let made = u64::from_str_radix(stamp, 16).ok()?;
        Some(made <= now && now - made <= NONCE_LIFETIME_SECONDS)
    }

    /// The `WWW-Authenticate` values of a 401: Digest with SHA-256 and with MD5, and Basic over
    /// TLS only.
    pub fn challenges(&self, secure: bool, stale: bool) -> Vec<String> {
        let nonce = self.nonce_at(now_seconds());
        let stale = if stale { ", stale=true" } else { "" };
        let mut out: Vec<String> = ["SHA-256", "MD5"]
            .iter()
            .map(|algorithm| {
                format!(
                    "Digest realm=\"{REALM}\", qop=\"auth\", algorithm={algorithm}, \
                     nonce=\"{nonce}\"{stale}"
                )
            })
            .collect();
        if secure {
            out.push(format!("Basic realm=\"{REALM}\", charset=\"UTF-8\""));
        }
        out
    }

    /// Checks an `Authorization` header of a request (`method`, `uri` as sent) against `login`.
    pub fn verify(
        &self,
        header: &str,
        method: &str,
        uri: &str,
        login: &PhoneLogin,
        secure: bool,
    ) -> LoginVerdict {
        self.verify_at(header, method, uri, login, secure, now_seconds())
    }

    fn verify_at(
        &self,
        header: &str,
        method: &str,
        uri: &str,
        login: &PhoneLogin,
        secure: bool,
        now: u64,
    ) -> LoginVerdict {
        let (scheme, rest) = header.trim().split_once(' ').unwrap_or((header, ""));
        if scheme.eq_ignore_ascii_case("basic") {
            return verify_basic(rest, login, secure);
        }
        if !scheme.eq_ignore_ascii_case("digest") {
            return LoginVerdict::Rejected("an unknown authentication scheme");
        }
        let Some(params) = parameters(rest) else {
            return LoginVerdict::Rejected("a malformed Digest header");
        };
        let get = |name: &str| {
            params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        };
        let (Some(username), Some(nonce), Some(answer_uri), Some(response)) =
            (get("username"), get("nonce"), get("uri"), get("response"))
        else {
            return LoginVerdict::Rejected(
                "a Digest header without username, nonce, uri or response",
            );
        };
        let Some(algorithm) = Algorithm::parse(get("algorithm")) else {
            return LoginVerdict::Rejected("an unsupported Digest algorithm");
        };
        if get("realm") != Some(REALM) {
            return LoginVerdict::Rejected("another realm");
        }
        if answer_uri != uri {
            return LoginVerdict::Rejected("a Digest answer for another URI");
        }
        if !same(username, &login.username) {
            return LoginVerdict::Rejected("a wrong user name");
        }
        let fresh = match self.nonce_fresh(nonce, now) {
            Some(fresh) => fresh,
            None => return LoginVerdict::Rejected("a nonce phoneprov did not make"),
        };
        let ha2 = algorithm.hash(&format!("{method}:{uri}"));
        let qop = get("qop");
        let matches = login.passwords.iter().any(|password| {
            let ha1 = algorithm.hash(&format!("{username}:{REALM}:{password}"));
            let expected = match qop {
                Some(qop) => {
                    let (Some(nc), Some(cnonce)) = (get("nc"), get("cnonce")) else {
                        return false;
                    };
                    algorithm.hash(&format!("{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}"))
                }
                None => algorithm.hash(&format!("{ha1}:{nonce}:{ha2}")),
            };
            same(&expected, &response.to_ascii_lowercase())
        });
        match (matches, fresh) {
            (false, _) => LoginVerdict::Rejected("a wrong password"),
            (true, false) => LoginVerdict::Stale,
            (true, true) if qop.is_some_and(|q| q != "auth") => {
                LoginVerdict::Rejected("an unsupported qop")
            }
            (true, true) => LoginVerdict::Accepted,
        }
    }
}

fn verify_basic(encoded: &str, login: &PhoneLogin, secure: bool) -> LoginVerdict {
    if !secure {
        return LoginVerdict::Rejected("Basic login over plain HTTP (accepted over TLS only)");
    }
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return LoginVerdict::Rejected("a malformed Basic header");
    };
    let Ok(text) = String::from_utf8(decoded) else {
        return LoginVerdict::Rejected("a malformed Basic header");
    };
    let Some((username, password)) = text.split_once(':') else {
        return LoginVerdict::Rejected("a malformed Basic header");
    };
    if !same(username, &login.username) {
        return LoginVerdict::Rejected("a wrong user name");
    }
    if login.passwords.iter().any(|p| same(p, password)) {
        LoginVerdict::Accepted
    } else {
        LoginVerdict::Rejected("a wrong password")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login() -> PhoneLogin {
        PhoneLogin::new(
            "0004f2000001",
            vec!["new-password".into(), "old-password".into()],
        )
        .unwrap()
    }

    /// The answer a client computes (RFC 7616 section 3.4.1).
    fn answer(algorithm: Algorithm, nonce: &str, password: &str, uri: &str) -> String {
        let ha1 = algorithm.hash(&format!("0004f2000001:{REALM}:{password}"));
        let ha2 = algorithm.hash(&format!("GET:{uri}"));
        let response = algorithm.hash(&format!("{ha1}:{nonce}:00000001:abc:auth:{ha2}"));
        let name = if algorithm == Algorithm::Md5 {
            "MD5"
        } else {
            "SHA-256"
        };
        format!(
            "Digest username=\"0004f2000001\", realm=\"{REALM}\", nonce=\"{nonce}\", \
             uri=\"{uri}\", algorithm={name}, qop=auth, nc=00000001, cnonce=\"abc\", \
             response=\"{response}\""
        )
    }

    #[test]
    fn known_md5_vector_of_rfc_2617() {
        // RFC 2617 section 3.5: Mufasa / Circle Of Life.
        let ha1 = Algorithm::Md5.hash("Mufasa:testrealm@host.com:Circle Of Life");
        let ha2 = Algorithm::Md5.hash("GET:/dir/index.html");
        let response = Algorithm::Md5.hash(&format!(
            "{ha1}:dcd98b7102dd2f0e8b11d0f600bfb0c093:00000001:0a4f113b:auth:{ha2}"
        ));
        assert_eq!(response, "6629fae49393a05397450978507c4ef1");
    }

    #[test]
    fn every_accepted_password_passes_and_others_fail() {
        let challenger = Challenger::new().unwrap();
        let now = 1_000_000;
        let nonce = challenger.nonce_at(now);
        for algorithm in [Algorithm::Md5, Algorithm::Sha256] {
            for password in ["new-password", "old-password"] {
                let header = answer(algorithm, &nonce, password, "/0004f2000001.cfg");
                assert_eq!(
                    challenger.verify_at(&header, "GET", "/0004f2000001.cfg", &login(), false, now),
                    LoginVerdict::Accepted
                );
            }
            let wrong = answer(algorithm, &nonce, "guessed-password", "/0004f2000001.cfg");
            assert_eq!(
                challenger.verify_at(&wrong, "GET", "/0004f2000001.cfg", &login(), false, now),
                LoginVerdict::Rejected("a wrong password")
            );
            let other_uri = answer(algorithm, &nonce, "new-password", "/201.cfg");
            assert!(matches!(
                challenger.verify_at(&other_uri, "GET", "/0004f2000001.cfg", &login(), false, now),
                LoginVerdict::Rejected(_)
            ));
        }
        let header = answer(Algorithm::Md5, &nonce, "new-password", "/x");
        assert_eq!(
            challenger.verify_at(&header, "GET", "/x", &login(), false, now + 301),
            LoginVerdict::Stale
        );
        let forged = answer(
            Algorithm::Md5,
            &format!("{now:016x}{}", "0".repeat(32)),
            "new-password",
            "/x",
        );
        assert_eq!(
            challenger.verify_at(&forged, "GET", "/x", &login(), false, now),
            LoginVerdict::Rejected("a nonce phoneprov did not make")
        );
    }

    #[test]
    fn basic_only_over_tls() {
        let challenger = Challenger::new().unwrap();
        let header = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("0004f2000001:old-password")
        );
        assert_eq!(
            challenger.verify(&header, "GET", "/x", &login(), true),
            LoginVerdict::Accepted
        );
        assert!(matches!(
            challenger.verify(&header, "GET", "/x", &login(), false),
            LoginVerdict::Rejected(_)
        ));
        assert_eq!(challenger.challenges(false, false).len(), 2);
        assert_eq!(challenger.challenges(true, true).len(), 3);
    }

    #[test]
    fn malformed_headers_are_rejected() {
        let challenger = Challenger::new().unwrap();
        for header in [
            "",
            "Digest",
            "Digest username=\"x",
            "Digest a",
            "Bearer x",
            "Basic %%%",
        ] {
            assert!(matches!(
                challenger.verify(header, "GET", "/x", &login(), true),
                LoginVerdict::Rejected(_)
            ));
        }
    }
}
