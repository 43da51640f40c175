//! The FTP storage backend: a thin adapter over [`PhoneFiles`], so FTP serves exactly what HTTP
//! serves. RETR/SIZE/MDTM of rendered files, read-back uploads and firmware (with REST); STOR/APPE
//! only of a known phone's own upload names within the size limit (anything else 553, too large
//! 552, nothing written); LIST/NLST of the root shows the firmware folder and those files of the
//! phone last served at the client's address that the client may fetch (the same checks as
//! RETR), never other phones' files; SIZE, MDTM and LIST are probes that commit nothing
//! (no binding, no sighting); CWD into firmware
//! folders; DELE, MKD, RMD and RNFR are refused.

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use async_trait::async_trait;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt};
use unftp_core::storage::{
    Error, ErrorKind, FEATURE_RESTART, Fileinfo, Metadata, Permissions, Result, StorageBackend,
};

use crate::domain::Transport;
use crate::policy::access::Requester;
use crate::policy::firmware;
use crate::policy::phone_files::{Delivery, Found, PhoneFiles};
use crate::policy::refused::Refused;
use crate::provision::file_name::FileName;
use crate::transport::ftp::auth::SessionUser;

/// What SIZE, MDTM and LIST tell about an entry.
#[derive(Debug, Clone)]
pub struct Entry {
    len: u64,
    dir: bool,
    modified: SystemTime,
}

impl Metadata for Entry {
    fn len(&self) -> u64 {
        self.len
    }
    fn is_dir(&self) -> bool {
        self.dir
    }
    fn is_file(&self) -> bool {
        !self.dir
    }
    fn is_symlink(&self) -> bool {
        false
    }
    fn modified(&self) -> Result<SystemTime> {
        Ok(self.modified)
    }
    fn gid(&self) -> u32 {
        0
    }
    fn uid(&self) -> u32 {
        0
    }
    fn permissions(&self) -> Permissions {
        Permissions(if self.dir { 0o755 } else { 0o644 })
    }
}

impl Entry {
    fn file(len: usize) -> Entry {
        Entry {
            len: len as u64,
            dir: false,
            modified: SystemTime::now(),
        }
    }

    fn of(metadata: &std::fs::Metadata) -> Entry {
        Entry {
            len: metadata.len(),
            dir: metadata.is_dir(),
            modified: metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH),
        }
    }
}

/// The phone files, as one FTP session sees them.
#[derive(Clone)]
pub struct PhoneStorage {
    files: Arc<PhoneFiles>,
}

impl fmt::Debug for PhoneStorage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PhoneStorage")
    }
}

impl PhoneStorage {
    /// Storage over the shared phone-file service.
    pub fn new(files: Arc<PhoneFiles>) -> PhoneStorage {
        PhoneStorage { files }
    }

    /// The firmware folder's entries and, for a known phone at `client`, those of its own
    /// files the client may fetch (the checks of a fetch, as a probe).
    fn listing(&self, client: Option<IpAddr>) -> Vec<Fileinfo<PathBuf, Entry>> {
        let mut listing: Vec<Fileinfo<PathBuf, Entry>> = Vec::new();
        let phone = client.and_then(|ip| self.files.phone_at(ip));
        let requester = Requester::at(client, Transport::Ftp).probing();
        if let Some(names) = phone.and_then(|mac| self.files.live().files_of_phone(&mac)) {
            for name in names {
                let Ok(parsed) = FileName::parse(&name) else {
                    continue;
                };
                if let Some(size) = self.files.listed_size(&requester, &parsed) {
                    listing.push(Fileinfo {
                        path: PathBuf::from(name),
                        metadata: Entry::file(size),
                    });
                }
            }
        }
        for (name, metadata) in firmware::entries(self.files.firmware_dir()) {
            listing.push(Fileinfo {
                path: PathBuf::from(name),
                metadata: Entry::of(&metadata),
            });
        }
        listing
    }
}

/// The name a path asks for, relative to the root: `/201.cfg` and `201.cfg` are `201.cfg`
/// ([`FileName::parse`]). Everything else about the name is judged by [`PhoneFiles`] and the
/// firmware folder's rules.
pub fn name_of(path: &Path) -> Result<FileName> {
    path.to_str()
        .and_then(|text| FileName::parse(text).ok())
        .ok_or_else(|| Error::from(ErrorKind::PermanentFileNotAvailable))
}

fn refused(refusal: Refused) -> Error {
    Error::from(match refusal {
        Refused::NotFound => ErrorKind::PermanentFileNotAvailable,
        Refused::Forbidden(_)
        | Refused::Banned
        | Refused::Unauthorized { .. }
        | Refused::WrongLogin(_)
        | Refused::LoginsLocked(_) => ErrorKind::FileNameNotAllowedError,
        Refused::TooLarge(_) => ErrorKind::ExceededStorageAllocationError,
        Refused::Failed(_) => ErrorKind::LocalError,
    })
}

/// An upload's refusal: a name phones may not upload, or an unknown phone's, is 553.
fn upload_refused(refusal: Refused) -> Error {
    match refusal {
        Refused::NotFound => Error::from(ErrorKind::FileNameNotAllowedError),
        other => refused(other),
    }
}

#[async_trait]
impl<User: SessionUser> StorageBackend<User> for PhoneStorage {
    type Metadata = Entry;

    fn supported_features(&self) -> u32 {
        FEATURE_RESTART
    }

    async fn metadata<P: AsRef<Path> + Send + fmt::Debug>(
        &self,
        user: &User,
        path: P,
    ) -> Result<Entry> {
        let name = name_of(path.as_ref())?;
        // Files first: a rendered file's SIZE needs no filesystem call. A probe: it commits
        // nothing (its receipt is dropped).
        let found = self
            .files
            .find(
                &Requester::at(user.client(), Transport::Ftp).probing(),
                &name,
            )
            .await
            .map(|delivery| delivery.found);
        let path = match found {
            Ok(Found::Rendered(file)) => return Ok(Entry::file(file.content.len())),
            Ok(Found::Upload { content, .. }) => return Ok(Entry::file(content.len())),
            Ok(Found::Firmware(path)) => path,
            Err(Refused::NotFound) => {
                firmware::resolve_dir(self.files.firmware_dir(), name.as_str())
                    .ok_or(ErrorKind::PermanentFileNotAvailable)?
            }
            Err(other) => return Err(refused(other)),
        };
        let metadata = std::fs::metadata(path).map_err(|_| ErrorKind::LocalError)?;
        Ok(Entry::of(&metadata))
    }

    async fn list<P: AsRef<Path> + Send + fmt::Debug>(
        &self,
        user: &User,
        path: P,
    ) -> Result<Vec<Fileinfo<PathBuf, Entry>>> {
        let name = name_of(path.as_ref())?;
        if name.as_str().is_empty() {
            return Ok(self.listing(user.client()));
        }
        let dir = firmware::resolve_dir(self.files.firmware_dir(), name.as_str())
            .ok_or(ErrorKind::PermanentDirectoryNotAvailable)?;
        Ok(firmware::entries(&dir)
            .into_iter()
            .map(|(name, metadata)| Fileinfo {
                path: PathBuf::from(name),
                metadata: Entry::of(&metadata),
            })
            .collect())
    }

    async fn get<P: AsRef<Path> + Send + fmt::Debug>(
        &self,
        user: &User,
        path: P,
        start_pos: u64,
    ) -> Result<Box<dyn AsyncRead + Send + Sync + Unpin>> {
        let name = name_of(path.as_ref())?;
        let Delivery { found, receipt } = self
            .files
            .find(&Requester::at(user.client(), Transport::Ftp), &name)
            .await
            .map_err(refused)?;
        let reader: Box<dyn AsyncRead + Send + Sync + Unpin> = match found.into_bytes() {
            Ok(bytes) => {
                let mut reader = std::io::Cursor::new(bytes);
                reader.set_position(start_pos);
                Box::new(reader)
            }
            Err(path) => {
                let mut file = tokio::fs::File::open(path)
                    .await
                    .map_err(|_| ErrorKind::PermanentFileNotAvailable)?;
                file.seek(std::io::SeekFrom::Start(start_pos))
                    .await
                    .map_err(|_| ErrorKind::LocalError)?;
                Box::new(file)
            }
        };
        receipt.commit(&name, None, None).map_err(refused)?;
        Ok(reader)
    }

    async fn put<
        P: AsRef<Path> + Send + fmt::Debug,
        R: AsyncRead + Send + Sync + Unpin + 'static,
    >(
        &self,
        user: &User,
        input: R,
        path: P,
        _start_pos: u64,
    ) -> Result<u64> {
        let name = name_of(path.as_ref())?;
        let upload = self
            .files
            .accepts_upload(&Requester::at(user.client(), Transport::Ftp), &name)
            .map_err(upload_refused)?;
        let limit = self.files.upload_limits().max_bytes;
        let mut content = Vec::new();
        input
            .take(limit as u64 + 1)
            .read_to_end(&mut content)
            .await
            .map_err(|_| ErrorKind::ConnectionClosed)?;
        if content.len() > limit {
            return Err(refused(self.files.oversized(&upload)));
        }
        self.files
            .store_upload(upload, &content)
            .await
            .map_err(upload_refused)?;
        Ok(content.len() as u64)
    }

    async fn del<P: AsRef<Path> + Send + fmt::Debug>(&self, _user: &User, _path: P) -> Result<()> {
        Err(ErrorKind::PermissionDenied.into())
    }

    async fn mkd<P: AsRef<Path> + Send + fmt::Debug>(&self, _user: &User, _path: P) -> Result<()> {
        Err(ErrorKind::PermissionDenied.into())
    }

    async fn rename<P: AsRef<Path> + Send + fmt::Debug>(
        &self,
        _user: &User,
        _from: P,
        _to: P,
    ) -> Result<()> {
        Err(ErrorKind::PermissionDenied.into())
    }

    async fn rmd<P: AsRef<Path> + Send + fmt::Debug>(&self, _user: &User, _path: P) -> Result<()> {
        Err(ErrorKind::PermissionDenied.into())
    }

    async fn cwd<P: AsRef<Path> + Send + fmt::Debug>(&self, _user: &User, path: P) -> Result<()> {
        let name = name_of(path.as_ref())?;
        firmware::resolve_dir(self.files.firmware_dir(), name.as_str())
            .map(|_| ())
            .ok_or_else(|| ErrorKind::PermanentDirectoryNotAvailable.into())
    }
}
