//! Phone-facing TFTP (async-tftp), the way Aastra/Mitel phones boot by default: read requests
//! for every file the shared phone-file service finds, with the block size and transfer size
//! options (RFC 2347-2349) so large firmware transfers work. Write requests are refused: TFTP has
//! no login and no way to cap an upload before it is sent.

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use async_tftp::packet;
use async_tftp::server::{Handler, TftpServerBuilder};
use futures_lite::AsyncRead;
use tokio::task::JoinHandle;

use crate::domain::Transport;
use crate::policy::access::Requester;
use crate::policy::phone_files::{Delivery, PhoneFiles};
use crate::policy::refused::Refused;
use crate::provision::file_name::FileName;

/// Answers read requests from the phone files.
pub struct TftpFiles {
    files: Arc<PhoneFiles>,
}

impl Handler for TftpFiles {
    type Reader = Box<dyn AsyncRead + Unpin + Send>;
    type Writer = futures_lite::io::Sink;

    async fn read_req_open(
        &mut self,
        client: &SocketAddr,
        path: &Path,
    ) -> Result<(Self::Reader, Option<u64>), packet::Error> {
        let name = path
            .to_str()
            .and_then(|text| FileName::parse(text).ok())
            .ok_or(packet::Error::FileNotFound)?;
        let Delivery { found, receipt } = self
            .files
            .find(&Requester::at(Some(client.ip()), Transport::Tftp), &name)
            .await
            .map_err(|refused| match refused {
                Refused::NotFound => packet::Error::FileNotFound,
                Refused::Forbidden(_)
                | Refused::Banned
                | Refused::Unauthorized { .. }
                | Refused::WrongLogin(_)
                | Refused::LoginsLocked(_) => packet::Error::PermissionDenied,
                Refused::TooLarge(_) | Refused::Failed(_) => packet::Error::UnknownError,
            })?;
        let (reader, size): (Self::Reader, u64) = match found.into_bytes() {
            Ok(bytes) => {
                let size = bytes.len() as u64;
                (Box::new(futures_lite::io::Cursor::new(bytes)), size)
            }
            Err(path) => {
                let file = std::fs::File::open(path).map_err(|_| packet::Error::FileNotFound)?;
                let size = file
                    .metadata()
                    .map_err(|_| packet::Error::UnknownError)?
                    .len();
                (Box::new(blocking::Unblock::new(file)), size)
            }
        };
        receipt.record(&name, None, None);
        Ok((reader, Some(size)))
    }

    async fn write_req_open(
        &mut self,
        client: &SocketAddr,
        path: &Path,
        _size: Option<u64>,
    ) -> Result<Self::Writer, packet::Error> {
        tracing::info!(client = %client, file = %path.display(), "TFTP write refused");
        Err(packet::Error::PermissionDenied)
    }
}

/// A running TFTP server.
pub struct TftpServer {
    serving: JoinHandle<()>,
    address: SocketAddr,
}

impl TftpServer {
    /// Binds `address` and serves read requests until [`TftpServer::stop`].
    pub async fn start(address: SocketAddr, files: Arc<PhoneFiles>) -> io::Result<TftpServer> {
        let server = TftpServerBuilder::with_handler(TftpFiles { files })
            .bind(address)
            .build()
            .await
            .map_err(io::Error::other)?;
        let address = server.listen_addr().map_err(io::Error::other)?;
        let serving = tokio::spawn(async move {
            if let Err(e) = server.serve().await {
                tracing::error!("the TFTP server failed: {e}");
            }
        });
        Ok(TftpServer { serving, address })
    }

    /// The bound address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops serving.
    pub fn stop(self) {
        self.serving.abort();
    }
}
