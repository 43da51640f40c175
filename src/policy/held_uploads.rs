//! Boot logs held until their phone proves its address. A Polycom phone's Updater uploads
//! `<mac>-boot.log` before it fetches its master file, so at a phone's first boot from an
//! address that address does not act for the phone yet ([`crate::policy::followers`]). Refusing
//! the log would turn every first boot into a refusal, and answering differently for known and
//! unknown MACs would tell which phones exist. So a boot log from an address that does not act
//! for its phone (known or not) is answered as stored and held in memory; it is written when
//! that phone's master file is served to the same address within [`HOLD_FOR`], and dropped
//! otherwise. A forged boot log is thus never stored.
//!
//! Memory is bounded: each held log keeps its newest [`MAX_HELD_BYTES`], and at most
//! [`MAX_HELD`] logs are held (the oldest make room).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::domain::{Mac, UploadWrite};
use crate::policy::guard::client_key;

/// How long a held boot log waits for its phone's master-file fetch.
pub const HOLD_FOR: Duration = Duration::from_secs(120);
/// The newest bytes of a held log that are kept.
pub const MAX_HELD_BYTES: usize = 32 * 1024;
/// Most logs held at once.
pub const MAX_HELD: usize = 1024;

/// Boot logs waiting for their phone's master-file fetch, by client address and phone.
#[derive(Debug, Default)]
pub struct HeldUploads {
    held: Mutex<HashMap<(IpAddr, Mac), (Instant, UploadWrite)>>,
}

impl HeldUploads {
    fn held(&self) -> std::sync::MutexGuard<'_, HashMap<(IpAddr, Mac), (Instant, UploadWrite)>> {
        self.held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Holds `write` (a boot log sent from `client`) until its phone's master file is served
    /// there; a later log of the same phone from the same address replaces it.
    pub fn hold(&self, client: IpAddr, mut write: UploadWrite) {
        let content = &mut write.upload.content;
        if content.len() > MAX_HELD_BYTES {
            content.drain(..content.len() - MAX_HELD_BYTES);
        }
        let now = Instant::now();
        let mut held = self.held();
        held.retain(|_, (at, _)| now.duration_since(*at) < HOLD_FOR);
        if held.len() >= MAX_HELD
            && let Some(oldest) = held.iter().min_by_key(|(_, (at, _))| *at).map(|(k, _)| *k)
        {
            held.remove(&oldest);
        }
        held.insert((client_key(client), write.upload.mac), (now, write));
    }

    /// The boot log held for `phone` from `client`, if one is waiting (taken).
    pub fn release(&self, client: IpAddr, phone: Mac) -> Option<UploadWrite> {
        let mut held = self.held();
        if held.is_empty() {
            return None;
        }
        let (at, write) = held.remove(&(client_key(client), phone))?;
        (at.elapsed() < HOLD_FOR).then_some(write)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Upload;

    fn boot_log(mac: Mac, bytes: usize) -> UploadWrite {
        UploadWrite {
            upload: Upload {
                mac,
                name: format!("{}-boot.log", mac.polycom_name()),
                content: vec![b'x'; bytes],
                updated_at_ms: 0,
            },
            log_keep: Some(1024),
        }
    }

    #[test]
    fn a_held_log_goes_only_to_its_phone_at_its_address_and_memory_stays_bounded() {
        let held = HeldUploads::default();
        let phone = Mac::parse("0004f2000001").unwrap();
        let office: IpAddr = "192.0.2.1".parse().unwrap();
        held.hold(office, boot_log(phone, MAX_HELD_BYTES * 3));
        assert!(held.release("192.0.2.2".parse().unwrap(), phone).is_none());
        let other = Mac::parse("0004f2000002").unwrap();
        assert!(held.release(office, other).is_none());
        let released = held.release(office, phone).expect("held");
        assert_eq!(released.upload.content.len(), MAX_HELD_BYTES);
        assert!(held.release(office, phone).is_none(), "taken once");
        for n in 0..(MAX_HELD as u32 + 10) {
            let mac = Mac::parse(&format!("0004f2{n:06x}")).unwrap_or(phone);
            held.hold(office, boot_log(mac, 10));
        }
        assert!(held.held().len() <= MAX_HELD);
    }
}
