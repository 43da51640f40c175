//! Where phoneprov keeps its data: the data folder (default `./phoneprov-data`) and the database
//! URL derived from it (SQLite file `phoneprov.db` inside), unless `--database-url` names another
//! database (e.g. `postgres://...`).

use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::handset::polycom::firmware::FirmwarePins;
use crate::store::secrets::SecretKey;
use crate::store::{SqlStore, StoreError};

/// Default data folder, relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "phoneprov-data";
/// The data folder of `serve --demo` when no `--data-dir` is given: the demo lives apart from
/// the real deployment, which a `serve` without `--demo` keeps in [`DEFAULT_DATA_DIR`].
pub const DEMO_DATA_DIR: &str = "phoneprov-demo";
/// File name of the embedded SQLite database inside the data folder.
pub const SQLITE_FILE: &str = "phoneprov.db";

/// Why storage could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The data folder could not be created.
    #[error("cannot create the data folder {path}: {source}{advice}")]
    DataDir {
        /// The folder.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
        /// What to do about it ([`access_advice`]).
        advice: String,
    },
    /// The data folder's path cannot be written in a database URL.
    #[error("the data folder {0} has a '?' or '#' in its path; choose another --data-dir")]
    UnusablePath(PathBuf),
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Another `phoneprov serve` holds the data folder's SQLite database.
    #[error(
        "another phoneprov serve is running on the data folder {0} (an SQLite database is served by \
         one process); stop it first, or give this one its own --data-dir"
    )]
    InUse(PathBuf),
    /// The serve lock file could not be opened.
    #[error("cannot open the lock file {path}: {source}{advice}")]
    Lock {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
        /// What to do about it ([`access_advice`]).
        advice: String,
    },
}

/// Name of the lock file `phoneprov serve` holds in the data folder while it serves an SQLite
/// database.
pub const SERVE_LOCK_FILE: &str = "serve.lock";

/// The data folder and database.
#[derive(Debug, Clone)]
pub struct Storage {
    /// Folder for the SQLite database and, later, firmware, templates and keys.
    pub data_dir: PathBuf,
    /// Database URL; `None` uses SQLite in the data folder.
    pub database_url: Option<String>,
}

impl Storage {
    /// The database URL in use.
    pub fn url(&self) -> Result<String, StorageError> {
        if let Some(url) = &self.database_url {
            return Ok(url.clone());
        }
        let path = self.data_dir.join(SQLITE_FILE);
        let text = path.to_string_lossy();
        if text.contains(['?', '#']) {
            return Err(StorageError::UnusablePath(self.data_dir.clone()));
        }
        Ok(format!("sqlite://{text}?mode=rwc"))
    }

    /// Whether the database exists: always for a database URL, else the data folder's SQLite
    /// file.
    pub fn exists(&self) -> bool {
        self.database_url.is_some() || self.data_dir.join(SQLITE_FILE).exists()
    }

    /// Creates the data folder if needed (mode 0700) and opens (and migrates) the database, with
    /// the secret key SIP passwords are sealed with ([`SecretKey::load_or_create`]). The embedded
    /// SQLite database and its journal files are made the owner's alone (0600).
    pub async fn open(&self) -> Result<SqlStore, StorageError> {
        create_dir(&self.data_dir)?;
        let key = SecretKey::load_or_create(&self.data_dir).map_err(StoreError::from)?;
        let store = SqlStore::open(&self.url()?, key).await?;
        if self.database_url.is_none() {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let path = self.data_dir.join(format!("{SQLITE_FILE}{suffix}"));
                if path.exists() {
                    let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
                }
            }
        }
        Ok(store)
    }

    /// For `phoneprov serve` on an SQLite database: an exclusive lock on the data folder's
    /// [`SERVE_LOCK_FILE`], held as long as the returned file is open, so a second `serve` on the
    /// same folder stops with a clear message instead of sharing the database file. `None` for
    /// PostgreSQL, which several nodes share by design.
    pub fn lock_for_serving(&self) -> Result<Option<std::fs::File>, StorageError> {
        let sqlite = self
            .database_url
            .as_deref()
            .is_none_or(|url| url.starts_with("sqlite:"));
        if !sqlite {
            return Ok(None);
        }
        create_dir(&self.data_dir)?;
        let path = self.data_dir.join(SERVE_LOCK_FILE);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|source| StorageError::Lock {
                advice: access_advice(&self.data_dir, &source),
                path: path.clone(),
                source,
            })?;
        match file.try_lock() {
            Ok(()) => Ok(Some(file)),
            Err(std::fs::TryLockError::WouldBlock) => {
                Err(StorageError::InUse(self.data_dir.clone()))
            }
            Err(std::fs::TryLockError::Error(source)) => Err(StorageError::Lock {
                advice: access_advice(&self.data_dir, &source),
                path,
                source,
            }),
        }
    }
}

/// Creates a missing data folder, the owner's alone (0700), and makes an existing one so: it
/// holds the database, the secret key and the admin token.
fn create_dir(path: &Path) -> Result<(), StorageError> {
    let failed = |source: std::io::Error| StorageError::DataDir {
        path: path.to_path_buf(),
        advice: access_advice(path, &source),
        source,
    };
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(path)
        .map_err(failed)?;
    if let Some(mode) = crate::private_file::open_to_others(path).map_err(failed)? {
        match std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)) {
            Ok(()) => tracing::warn!(
                folder = %path.display(),
                "the data folder was open to other users (mode {mode:04o}); it is now the owner's alone (0700)"
            ),
            // Another user's folder (a shared mount, say): say so and go on.
            Err(e) => tracing::warn!(
                folder = %path.display(),
                "the data folder is open to other users (mode {mode:04o}) and cannot be made private ({e}); run chmod 700 on it as its owner"
            ),
        }
    }
    Ok(())
}

/// The user this process runs as (its effective user): its name from `/etc/passwd` when
/// there is one, else `uid N`.
pub fn running_user() -> String {
    let uid = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("Uid:"))
                .and_then(|ids| ids.split_whitespace().nth(1).map(str::to_string))
        });
    let Some(uid) = uid else {
        return "this user".to_string();
    };
    std::fs::read_to_string("/etc/passwd")
        .ok()
        .and_then(|passwd| {
            passwd.lines().find_map(|line| {
                let mut fields = line.split(':');
                let name = fields.next()?;
                (fields.nth(1)? == uid).then(|| name.to_string())
            })
        })
        .unwrap_or_else(|| format!("uid {uid}"))
}

/// What to do about a data folder `folder` that could not be used because of `error`: for a
/// refused permission, which user phoneprov runs as and how to give it the folder; for a path
/// that is a file, that it is one. Empty for other errors.
pub fn access_advice(folder: &Path, error: &std::io::Error) -> String {
    if folder.is_file() {
        return format!(
            "; {} is a file, not a folder: give --data-dir a folder (it is created if missing)",
            folder.display()
        );
    }
    if error.kind() != std::io::ErrorKind::PermissionDenied {
        return String::new();
    }
    let user = running_user();
    let existing = folder
        .ancestors()
        .find(|a| a.exists())
        .unwrap_or(folder)
        .display()
        .to_string();
    format!(
        "; phoneprov runs as {user}, which may not write there: run it as the folder's owner, \
         give the folder to {user} (e.g. chown -R {user} {existing}), or choose a --data-dir \
         that {user} may write"
    )
}

/// Where templates come from and which address phones are given for phoneprov itself.
#[derive(Debug, Clone)]
pub struct Serving {
    /// Folder of template overrides (default `<data-dir>/templates`).
    pub templates_dir: PathBuf,
    /// phoneprov's own address as phones reach it: the call server of sites that have none set.
    pub server_address: String,
    /// True when `server_address` was found on a network interface, not given by the admin.
    pub server_address_detected: bool,
    /// The interface it was found on, when detected (`None` also when none was found).
    pub server_address_interface: Option<String>,
    /// Folder of firmware and vendor files (default `<data-dir>/firmware`).
    pub firmware_dir: PathBuf,
    /// The admin's firmware image per Polycom model.
    pub firmware_pins: FirmwarePins,
}

impl Serving {
    /// Settings from the command line: a missing templates folder defaults to
    /// `<data_dir>/templates`, a missing address to this host's first non-loopback IPv4 address
    /// (or 127.0.0.1 if it has none).
    pub fn new(
        data_dir: &Path,
        templates_dir: Option<PathBuf>,
        server_address: Option<String>,
    ) -> Serving {
        let detected = server_address.is_none();
        let (server_address, interface) = match server_address {
            Some(address) => (address, None),
            None => detect_server_address(),
        };
        Serving {
            templates_dir: templates_dir.unwrap_or_else(|| data_dir.join("templates")),
            server_address,
            server_address_detected: detected,
            server_address_interface: interface,
            firmware_dir: data_dir.join("firmware"),
            firmware_pins: FirmwarePins::default(),
        }
    }

    /// These settings with the firmware folder (when given) and the firmware pins.
    pub fn with_firmware(self, firmware_dir: Option<PathBuf>, pins: FirmwarePins) -> Serving {
        Serving {
            firmware_dir: firmware_dir.unwrap_or(self.firmware_dir),
            firmware_pins: pins,
            ..self
        }
    }
}

/// The first non-loopback IPv4 address of this host's interfaces and the interface's name
/// (127.0.0.1 and none when there is no such address).
fn detect_server_address() -> (String, Option<String>) {
    let addresses = if_addrs::get_if_addrs().unwrap_or_default();
    addresses
        .iter()
        .filter(|i| !i.is_loopback() && i.ip().is_ipv4())
        .map(|i| (i.ip().to_string(), Some(i.name.clone())))
        .next()
        .unwrap_or_else(|| ("127.0.0.1".to_string(), None))
}
