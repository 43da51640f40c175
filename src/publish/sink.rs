//! Writing to a target: a [`Sink`] reads the manifest, puts a file so that no reader ever sees
//! half of it (written under a temporary name in the same folder, then renamed into place),
//! and removes a file. [`DirSink`] writes a local folder; [`FtpSink`] an FTP or FTPS server
//! (suppaftp's blocking client, run on a blocking thread by the caller).

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use suppaftp::types::FileType;
use suppaftp::{FtpError, FtpStream, Mode, RustlsConnector, RustlsFtpStream};

use crate::publish::target::FtpTarget;

/// What went wrong with one operation on a target.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// A local file operation.
    #[error("{what} {path}: {source}")]
    Io {
        /// What was being done.
        what: &'static str,
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The FTP server refused or failed.
    #[error("{what}: {detail}")]
    Ftp {
        /// What was being done.
        what: String,
        /// What the server or the connection said.
        detail: String,
    },
}

impl SinkError {
    fn ftp(what: impl Into<String>, error: &FtpError) -> SinkError {
        SinkError::Ftp {
            what: what.into(),
            detail: error.to_string(),
        }
    }
}

/// A target files are written to.
pub trait Sink {
    /// The manifest's content, `None` when there is none yet.
    fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, SinkError>;
    /// Writes `name` whole: under a temporary name, then renamed into place.
    fn put(&mut self, name: &str, content: &[u8]) -> Result<(), SinkError>;
    /// Removes `name` (gone already is fine).
    fn remove(&mut self, name: &str) -> Result<(), SinkError>;
}

/// The temporary name `name` is written under, in the same folder.
pub fn temporary_name(name: &str) -> String {
    match name.rsplit_once('/') {
        Some((folder, file)) => format!("{folder}/.{file}.phoneprov-part"),
        None => format!(".{name}.phoneprov-part"),
    }
}

/// The permission bits of a file published to a folder.
pub const PUBLISHED_FILE_MODE: u32 = 0o640;

/// A local folder.
pub struct DirSink {
    root: PathBuf,
}

impl DirSink {
    /// The folder `root` (created if missing).
    pub fn open(root: &Path) -> Result<DirSink, SinkError> {
        std::fs::create_dir_all(root).map_err(|source| SinkError::Io {
            what: "cannot create the folder",
            path: root.display().to_string(),
            source,
        })?;
        Ok(DirSink {
            root: root.to_path_buf(),
        })
    }

    fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> SinkError {
        let path = path.display().to_string();
        move |source| SinkError::Io { what, path, source }
    }
}

impl Sink for DirSink {
    fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, SinkError> {
        let path = self.root.join(name);
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(DirSink::io("cannot read", &path)(e)),
        }
    }

    fn put(&mut self, name: &str, content: &[u8]) -> Result<(), SinkError> {
        let path = self.root.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(DirSink::io("cannot create", parent))?;
        }
        let part = self.root.join(temporary_name(name));
        // Credential files: the owner writes, the group of the server that serves the folder
        // reads, others nothing (whatever the umask).
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(PUBLISHED_FILE_MODE)
            .open(&part)
            .and_then(|file| {
                file.set_permissions(std::fs::Permissions::from_mode(PUBLISHED_FILE_MODE))?;
                Ok(file)
            })
            .map_err(DirSink::io("cannot create", &part))?;
        file.write_all(content)
            .and_then(|()| file.sync_all())
            .map_err(DirSink::io("cannot write", &part))?;
        std::fs::rename(&part, &path).map_err(DirSink::io("cannot rename into", &path))
    }

    fn remove(&mut self, name: &str) -> Result<(), SinkError> {
        let path = self.root.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(DirSink::io("cannot remove", &path)(e)),
        }
    }
}

/// How long an FTP connection or reply may take.
const FTP_TIMEOUT: Duration = Duration::from_secs(20);

/// The control connection, plain or over TLS.
enum Connection {
    Plain(FtpStream),
    Secure(Box<RustlsFtpStream>),
}

/// Runs the same call on either kind of connection.
macro_rules! on {
    ($connection:expr, $stream:ident => $call:expr) => {
        match $connection {
            Connection::Plain($stream) => $call,
            Connection::Secure($stream) => $call,
        }
    };
}

/// An FTP or FTPS server, logged in and in the target's folder.
pub struct FtpSink {
    connection: Connection,
    /// Folders made (or found) during this publish.
    folders: std::collections::HashSet<String>,
}

impl FtpSink {
    /// Connects, secures (FTPS) with `tls`, logs in, switches to binary and to the target's
    /// folder.
    pub fn connect(
        target: &FtpTarget,
        tls: Option<Arc<rustls::ClientConfig>>,
    ) -> Result<FtpSink, SinkError> {
        use std::net::ToSocketAddrs;
        let address = (target.host.as_str(), target.port)
            .to_socket_addrs()
            .map_err(|e| SinkError::Ftp {
                what: format!("cannot resolve {}", target.host),
                detail: e.to_string(),
            })?
            .next()
            .ok_or_else(|| SinkError::Ftp {
                what: format!("cannot resolve {}", target.host),
                detail: "no address".into(),
            })?;
        let reach = |e: FtpError| SinkError::ftp(format!("cannot connect to {address}"), &e);
        let mode = if target.active {
            Mode::Active
        } else {
            Mode::Passive
        };
        let mut connection = match tls {
            Some(config) => {
                let stream =
                    RustlsFtpStream::connect_timeout(address, FTP_TIMEOUT).map_err(reach)?;
                let secure = stream
                    .into_secure(RustlsConnector::from(config), &target.host)
                    .map_err(|e| SinkError::ftp("TLS (AUTH TLS) failed", &e))?;
                Connection::Secure(Box::new(secure))
            }
            None => {
                Connection::Plain(FtpStream::connect_timeout(address, FTP_TIMEOUT).map_err(reach)?)
            }
        };
        on!(&mut connection, s => {
            s.set_mode(mode);
            let _ = s.get_ref().set_read_timeout(Some(FTP_TIMEOUT));
            s.login(target.user.as_str(), target.password.as_str())
                .map_err(|e| SinkError::ftp(format!("login as {} refused", target.user), &e))?;
            s.transfer_type(FileType::Binary)
                .map_err(|e| SinkError::ftp("binary mode refused", &e))?;
            if !target.folder.is_empty() {
                s.cwd(target.folder.as_str())
                    .map_err(|e| SinkError::ftp(format!("cannot change to folder {}", target.folder), &e))?;
            }
        });
        Ok(FtpSink {
            connection,
            folders: std::collections::HashSet::new(),
        })
    }

    /// Makes the folders `name` needs (each tried once per publish).
    fn make_folders(&mut self, name: &str) {
        let Some((folder, _)) = name.rsplit_once('/') else {
            return;
        };
        let mut path = String::new();
        for segment in folder.split('/') {
            if !path.is_empty() {
                path.push('/');
            }
            path.push_str(segment);
            if self.folders.insert(path.clone()) {
                // Exists already is the usual answer.
                on!(&mut self.connection, s => { let _ = s.mkdir(path.as_str()); });
            }
        }
    }

    /// Logs out.
    pub fn close(mut self) {
        on!(&mut self.connection, s => { let _ = s.quit(); });
    }
}

impl Sink for FtpSink {
    fn read(&mut self, name: &str) -> Result<Option<Vec<u8>>, SinkError> {
        let got = on!(&mut self.connection, s => s.retr_as_buffer(name));
        match got {
            Ok(buffer) => Ok(Some(buffer.into_inner())),
            Err(FtpError::UnexpectedResponse(response)) if response.status.code() == 550 => {
                Ok(None)
            }
            Err(e) => Err(SinkError::ftp(format!("cannot read {name}"), &e)),
        }
    }

    fn put(&mut self, name: &str, content: &[u8]) -> Result<(), SinkError> {
        self.make_folders(name);
        let part = temporary_name(name);
        let mut reader = content;
        on!(&mut self.connection, s => s.put_file(part.as_str(), &mut reader))
            .map_err(|e| SinkError::ftp(format!("cannot upload {part}"), &e))?;
        let renamed = on!(&mut self.connection, s => s.rename(part.as_str(), name));
        if renamed.is_err() {
            // Some servers (FileZilla, IIS) do not rename over an existing file: remove it, then
            // rename (phones may get "not found" for that instant, never half a file).
            on!(&mut self.connection, s => { let _ = s.rm(name); });
            on!(&mut self.connection, s => s.rename(part.as_str(), name))
                .map_err(|e| SinkError::ftp(format!("cannot rename {part} to {name}"), &e))?;
        }
        Ok(())
    }

    fn remove(&mut self, name: &str) -> Result<(), SinkError> {
        match on!(&mut self.connection, s => s.rm(name)) {
            Ok(()) => Ok(()),
            Err(FtpError::UnexpectedResponse(response)) if response.status.code() == 550 => Ok(()),
            Err(e) => Err(SinkError::ftp(format!("cannot remove {name}"), &e)),
        }
    }
}
