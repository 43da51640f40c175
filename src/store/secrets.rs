//! SIP passwords at rest: sealed with XChaCha20-Poly1305 (a random 192-bit nonce per value) under
//! a 256-bit key before they reach the database, opened when read. Stored as
//! `sealed1:<hex nonce><hex ciphertext and tag>`; a value without the prefix is an older clear one,
//! sealed when the store opens.
//!
//! The key comes from `PHONEPROV_SECRET_KEY` (64 hex digits; every node of a shared database
//! needs the same), else from the data folder's `secret-key` file (mode 0600), made on first start.
//! Without the key the passwords cannot be read back: back the key up with the database.

use std::fmt;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use chacha20poly1305::aead::Aead;
use chacha20poly1305::{Key, KeyInit, XChaCha20Poly1305, XNonce};

/// The environment variable that gives the key.
pub const KEY_ENV: &str = "PHONEPROV_SECRET_KEY";
/// The key file in the data folder.
pub const KEY_FILE: &str = "secret-key";
/// The prefix of a sealed value.
const PREFIX: &str = "sealed1:";
const NONCE_LEN: usize = 24;

/// Why a key or a value cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    /// The key file cannot be read or written.
    #[error("cannot read or write the secret key file {path}: {source}")]
    File {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The key is not 64 hex digits.
    #[error("the secret key in {0} is not 64 hex digits")]
    BadKey(String),
    /// No random numbers.
    #[error("no random numbers for the secret key or a nonce: {0}")]
    Random(String),
    /// A sealed value does not open with this key (another key, or damaged).
    #[error(
        "a sealed password does not open with the secret key from {0} (a different key than the \
         data was sealed with, or damaged data): every node and every command on one database \
         needs the same key; copy the secret-key file of the data folder that first used the \
         database, or set PHONEPROV_SECRET_KEY to it"
    )]
    Unsealable(String),
    /// The key file can be read or written by other users.
    #[error(transparent)]
    Exposed(#[from] crate::private_file::ExposedFile),
}

/// The key passwords are sealed with, and the values derived from it (a site's generated phone
/// admin password).
#[derive(Clone)]
pub struct SecretKey {
    cipher: XChaCha20Poly1305,
    /// HMAC key for derived values: SHA-256 of a label and the key, so no derived value reveals
    /// anything of the sealing key.
    derivation: [u8; 32],
    /// Where the key came from (its file, or the environment variable), for errors.
    origin: String,
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

fn random(bytes: &mut [u8]) -> Result<(), SecretError> {
    getrandom::fill(bytes).map_err(|e| SecretError::Random(e.to_string()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

impl SecretKey {
    /// A key from 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> SecretKey {
        let mut hash = <sha2::Sha256 as sha2::Digest>::new();
        sha2::Digest::update(&mut hash, b"phoneprov derived values\0");
        sha2::Digest::update(&mut hash, bytes);
        SecretKey {
            cipher: XChaCha20Poly1305::new(&Key::from(bytes)),
            derivation: sha2::Digest::finalize(hash).into(),
            origin: "the key given".to_string(),
        }
    }

    /// This key, saying it came from `origin`.
    fn from(self, origin: &str) -> SecretKey {
        SecretKey {
            origin: origin.to_string(),
            ..self
        }
    }

    /// Where the key came from: its file, or the environment variable.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    fn from_hex(text: &str, origin: &str) -> Result<SecretKey, SecretError> {
        let bytes = unhex(text.trim())
            .and_then(|b| <[u8; 32]>::try_from(b).ok())
            .ok_or_else(|| SecretError::BadKey(origin.to_string()))?;
        Ok(SecretKey::from_bytes(bytes).from(origin))
    }

    /// The key from `PHONEPROV_SECRET_KEY`, else the data folder's key file, made if missing.
    pub fn load_or_create(data_dir: &Path) -> Result<SecretKey, SecretError> {
        if let Ok(text) = std::env::var(KEY_ENV)
            && !text.trim().is_empty()
        {
            return SecretKey::from_hex(&text, KEY_ENV);
        }
        let path = data_dir.join(KEY_FILE);
        crate::private_file::refuse_exposed(&path)?;
        let file_error = |source| SecretError::File {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => return SecretKey::from_hex(&text, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(file_error(e)),
        }
        let mut bytes = [0u8; 32];
        random(&mut bytes)?;
        std::fs::create_dir_all(data_dir).map_err(file_error)?;
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(file_error)?;
        writeln!(file, "{}", hex(&bytes)).map_err(file_error)?;
        file.sync_all().map_err(file_error)?;
        Ok(SecretKey::from_bytes(bytes).from(&path.display().to_string()))
    }

    /// A number of `digits` digits (no leading zero) derived from the key and `label`: the
    /// same for the same key and label on every node and after every restart, unguessable
    /// without the key.
    pub fn derive_digits(&self, label: &str, digits: u32) -> String {
        use hmac::{Hmac, Mac as _};
        let digits = digits.clamp(2, 18);
        let Ok(mut mac) = <Hmac<sha2::Sha256> as hmac::KeyInit>::new_from_slice(&self.derivation)
        else {
            // HMAC takes a key of any length; this branch cannot be taken.
            return "1".repeat(digits as usize);
        };
        mac.update(label.as_bytes());
        let tag = mac.finalize().into_bytes();
        let mut first = [0u8; 8];
        first.copy_from_slice(&tag[..8]);
        let low = 10u64.pow(digits - 1);
        let span = 9 * low;
        (low + u64::from_be_bytes(first) % span).to_string()
    }

    /// Seals a password for storage.
    pub fn seal(&self, clear: &str) -> Result<String, SecretError> {
        let mut nonce = [0u8; NONCE_LEN];
        random(&mut nonce)?;
        let sealed = self
            .cipher
            .encrypt(&XNonce::from(nonce), clear.as_bytes())
            .map_err(|_| self.unsealable())?;
        Ok(format!("{PREFIX}{}{}", hex(&nonce), hex(&sealed)))
    }

    /// Opens a stored password; a value that is not sealed is returned as it is.
    pub fn open(&self, stored: &str) -> Result<String, SecretError> {
        let Some(body) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_string());
        };
        let bytes = unhex(body).ok_or_else(|| self.unsealable())?;
        if bytes.len() < NONCE_LEN {
            return Err(self.unsealable());
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = <[u8; NONCE_LEN]>::try_from(nonce).map_err(|_| self.unsealable())?;
        let clear = self
            .cipher
            .decrypt(&XNonce::from(nonce), sealed)
            .map_err(|_| self.unsealable())?;
        String::from_utf8(clear).map_err(|_| self.unsealable())
    }

    fn unsealable(&self) -> SecretError {
        SecretError::Unsealable(self.origin.clone())
    }
}

/// Whether a stored value is sealed.
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(PREFIX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealing_round_trips_and_hides_the_password() {
        let key = SecretKey::from_bytes([7; 32]);
        let sealed = key.seal("alice-secret-201").unwrap();
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains("alice"));
        assert_ne!(
            sealed,
            key.seal("alice-secret-201").unwrap(),
            "a nonce per value"
        );
        assert_eq!(key.open(&sealed).unwrap(), "alice-secret-201");
        assert_eq!(
            key.open("clear").unwrap(),
            "clear",
            "older clear values pass"
        );
        let other = SecretKey::from_bytes([8; 32]);
        assert!(matches!(
            other.open(&sealed),
            Err(SecretError::Unsealable(_))
        ));
        let mut damaged = sealed.clone();
        damaged.replace_range(sealed.len() - 2.., "00");
        assert!(key.open(&damaged).is_err());
    }

    #[test]
    fn the_key_is_made_once_and_kept_private() {
        let dir = tempfile::tempdir().unwrap();
        let key = SecretKey::load_or_create(dir.path()).unwrap();
        let again = SecretKey::load_or_create(dir.path()).unwrap();
        assert_eq!(again.open(&key.seal("x").unwrap()).unwrap(), "x");
        let mode = std::fs::metadata(dir.path().join(KEY_FILE))
            .unwrap()
            .permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o600
        );
        std::fs::write(dir.path().join(KEY_FILE), "short").unwrap();
        assert!(matches!(
            SecretKey::load_or_create(dir.path()),
            Err(SecretError::BadKey(_))
        ));
    }
}
