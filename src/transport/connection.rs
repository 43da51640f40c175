//! One HTTP/1.1 connection, plain or over TLS, served by the one router with limits a slow or
//! greedy client cannot get around: the request headers must arrive within a time limit (also
//! when a kept-alive connection waits for its next request), and the headers of one request may
//! hold only so many bytes and lines. Each request carries the client's address (`ConnectInfo`)
//! and, over TLS, what the handshake learnt ([`TlsConnection`]). Connections are watched so a
//! stopping server lets requests in flight finish.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::{ConnectInfo, Request};
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

use crate::http_common::TlsConnection;
use crate::transport::address_slots::{AddressSlot, ConnectionLimit};

/// Default time a client has to send a request's headers, in seconds.
pub const DEFAULT_HEADER_TIMEOUT_SECONDS: u64 = 30;
/// Most bytes of one request's headers (the read buffer's size; hyper allows no less than 8 KiB).
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Most header lines of one request.
pub const MAX_HEADER_LINES: usize = 64;

/// The limits of every connection.
#[derive(Debug, Clone, Copy)]
pub struct HttpLimits {
    /// Time to send a request's headers.
    pub header_timeout: Duration,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            header_timeout: Duration::from_secs(DEFAULT_HEADER_TIMEOUT_SECONDS),
        }
    }
}

/// Longest a stopping server waits for requests in flight.
const STOP_WAIT: Duration = Duration::from_secs(5);

/// Accepts connections on `listener` until `stopped` changes, handing each (with `TCP_NODELAY`),
/// a watcher of the graceful stop and its per-address slot (to keep while it lasts) to `handle`;
/// then lets requests in flight finish, for a few seconds at most. A connection from an address
/// that holds its limit already is closed at once. An accept error (out of descriptors) waits
/// briefly instead of spinning.
pub async fn accept_until_stopped(
    listener: TcpListener,
    mut stopped: watch::Receiver<bool>,
    server: &'static str,
    limit: ConnectionLimit,
    mut handle: impl FnMut(TcpStream, SocketAddr, Watcher, Option<AddressSlot>),
) {
    let graceful = GracefulShutdown::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    tracing::warn!("{server}: cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = stopped.changed() => break,
        };
        // An IPv4 client of a dual-stack listener is known by its IPv4 address everywhere.
        let peer = SocketAddr::new(peer.ip().to_canonical(), peer.port());
        let Some(slot) = limit.admit(peer.ip()) else {
            tracing::debug!(client = %peer.ip(), "{server}: too many connections from one address");
            crate::observe::metrics::connection_refused(server);
            drop(stream);
            continue;
        };
        let _ = stream.set_nodelay(true);
        handle(stream, peer, graceful.watcher(), slot);
    }
    drop(listener);
    let _ = tokio::time::timeout(STOP_WAIT, graceful.shutdown()).await;
}

/// Serves requests on `io` until the client closes it, a limit ends it, or a graceful shutdown
/// (after the request in flight).
pub async fn serve<I>(
    io: I,
    peer: SocketAddr,
    router: Router,
    tls: Option<TlsConnection>,
    limits: HttpLimits,
    watcher: Watcher,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = router.map_request(move |mut request: Request<hyper::body::Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        if let Some(tls) = tls {
            request.extensions_mut().insert(tls);
        }
        request
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(MAX_HEADER_BYTES)
        .max_headers(MAX_HEADER_LINES);
    let connection = builder.serve_connection(TokioIo::new(io), TowerToHyperService::new(service));
    if let Err(e) = watcher.watch(connection).await {
        tracing::debug!(client = %peer.ip(), "HTTP connection ended: {e}");
    }
}
