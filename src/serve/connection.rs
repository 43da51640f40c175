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
use hyper_util::server::graceful::Watcher;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tower::ServiceExt;

use crate::serve::http::TlsConnection;

/// Default time a client has to send a request's headers, in seconds.
pub const DEFAULT_HEADER_TIMEOUT_SECONDS: u64 = 30;
/// Most bytes of one request's headers (hyper's smallest buffer is 8 KiB).
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
        .max_buf_size(MAX_HEADER_BYTES.max(8192))
        .max_headers(MAX_HEADER_LINES);
    let connection = builder.serve_connection(TokioIo::new(io), TowerToHyperService::new(service));
    if let Err(e) = watcher.watch(connection).await {
        tracing::debug!(client = %peer.ip(), "HTTP connection ended: {e}");
    }
}
