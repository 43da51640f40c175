//! Phone-facing TFTP (async-tftp), the way Aastra/Mitel phones boot by default: read requests
//! for every file the shared phone-file service finds, with the block size and transfer size
//! options (RFC 2347-2349) so large firmware transfers work. Write requests are refused: TFTP has
//! no login and no way to cap an upload before it is sent.
//!
//! A read request is one UDP packet whose source anyone can forge, so nothing it starts may
//! outlive an unanswered first block by more than seconds: transfers are bounded in number (in
//! all and per source address, see [`sessions`](crate::transport::tftp_sessions)), the server's
//! retransmission timeout is its own (a client's `timeout` option is ignored), retries are few,
//! and a firmware file is read a block window at a time, never ahead in bulk.

use std::io;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_tftp::packet;
use async_tftp::server::{Handler, TftpServerBuilder};
use futures_lite::AsyncRead;
use tokio::task::JoinHandle;

use crate::domain::Transport;
use crate::policy::access::Requester;
use crate::policy::phone_files::{Delivery, PhoneFiles};
use crate::policy::refused::Refused;
use crate::provision::file_name::FileName;
use crate::transport::tftp_sessions::{SessionSlot, TftpSessions};

/// How long the server waits for a block's acknowledgement before sending it again.
pub const RETRANSMIT_TIMEOUT: Duration = Duration::from_secs(2);
/// How often a block is sent again before the transfer is given up: an unanswered first block
/// frees its socket and slot after (1 + retries) × the timeout, 10 seconds.
pub const MAX_RETRIES: u32 = 4;
/// Largest block a client may ask for (RFC 2348); above an Ethernet frame gains nothing.
pub const MAX_BLOCK_SIZE: u16 = 8192;
/// Most blocks sent before an acknowledgement (RFC 7440); with the block size, what one
/// transfer holds in memory at most.
pub const MAX_WINDOW: u16 = 4;
/// What a firmware file's reader buffers ahead: one window of the largest blocks.
const READ_AHEAD_BYTES: usize = MAX_BLOCK_SIZE as usize * MAX_WINDOW as usize;

/// Answers read requests from the phone files.
pub struct TftpFiles {
    files: Arc<PhoneFiles>,
    sessions: TftpSessions,
}

/// A file being sent, holding its session slot until the transfer ends (the library drops the
/// reader when the last block is acknowledged or the retries run out).
pub struct Transfer {
    reader: Box<dyn AsyncRead + Unpin + Send>,
    _slot: SessionSlot,
}

impl AsyncRead for Transfer {
    fn poll_read(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut [u8],
    ) -> std::task::Poll<io::Result<usize>> {
        std::pin::Pin::new(&mut self.reader).poll_read(cx, buf)
    }
}

impl Handler for TftpFiles {
    type Reader = Transfer;
    type Writer = futures_lite::io::Sink;

    async fn read_req_open(
        &mut self,
        client: &SocketAddr,
        path: &Path,
    ) -> Result<(Self::Reader, Option<u64>), packet::Error> {
        let Some(slot) = self.sessions.open(client.ip()) else {
            tracing::debug!(client = %client.ip(), "TFTP request refused: too many transfers");
            return Err(packet::Error::Msg(
                "server busy: too many transfers; try again".into(),
            ));
        };
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
        let (reader, size): (Box<dyn AsyncRead + Unpin + Send>, u64) = match found.into_bytes() {
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
                let reader = blocking::Unblock::with_capacity(READ_AHEAD_BYTES, file);
                (Box::new(reader), size)
            }
        };
        receipt
            .commit(&name, None, None)
            .map_err(|_| packet::Error::FileNotFound)?;
        let transfer = Transfer {
            reader,
            _slot: slot,
        };
        Ok((transfer, Some(size)))
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
    /// Binds `address` and serves read requests until [`TftpServer::stop`], at most as many
    /// at once as `sessions` allows.
    pub async fn start(
        address: SocketAddr,
        files: Arc<PhoneFiles>,
        sessions: TftpSessions,
    ) -> io::Result<TftpServer> {
        let server = TftpServerBuilder::with_handler(TftpFiles { files, sessions })
            .bind(address)
            .timeout(RETRANSMIT_TIMEOUT)
            .ignore_client_timeout()
            .max_send_retries(MAX_RETRIES)
            .block_size_limit(MAX_BLOCK_SIZE)
            .window_size_limit(MAX_WINDOW)
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
