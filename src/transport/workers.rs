//! The phone-facing HTTP listener in the nginx worker model: one single-threaded runtime per
//! core, each accepting on its own `SO_REUSEPORT` socket bound to the same address. The kernel
//! spreads connections over the workers, and a connection lives on one thread from accept to
//! close, so serving a phone never wakes another thread. Shared state (the render cache, the
//! last-seen batch, the database pool) is the same for all workers.

use std::io;
use std::net::SocketAddr;
use std::thread::JoinHandle;

use axum::Router;
use socket2::{Domain, Protocol, Socket, Type};
use tokio::sync::watch;

use crate::transport::address_slots::ConnectionLimit;
use crate::transport::connection::{self, HttpLimits};

/// Most threads each runtime starts for blocking work (firmware and FTP file reads, check-sync
/// fingerprints). Tokio's default of 512 let a boot storm of 10,000 phones start some 170
/// threads, each keeping its own allocator heap: the peak resident memory fell from about 260 to
/// about 190 MiB with this bound, and further reads wait in the queue.
pub const BLOCKING_THREADS: usize = 16;

/// Backlog of each worker's listening socket.
const BACKLOG: i32 = 1024;

/// Sockets bound and listening for the workers: connections queue in their backlogs from the
/// moment [`bind`] returns, before any worker thread runs.
pub struct Bound {
    sockets: Vec<std::net::TcpListener>,
    address: SocketAddr,
}

impl Bound {
    /// The address bound (with the real port when port 0 was asked for).
    pub fn address(&self) -> SocketAddr {
        self.address
    }
}

/// Binds `workers` listening sockets (at least one) to `address`. The port is first claimed by a
/// socket without `SO_REUSEPORT`, which fails (address in use) when any other socket, another
/// phoneprov's workers included, holds it: the port is shared among this server's workers only.
pub fn bind(address: SocketAddr, workers: usize) -> io::Result<Bound> {
    let address = claim(address)?;
    let first = reusable_socket(address)?;
    let address = first.local_addr()?;
    let mut sockets = vec![first];
    for _ in 1..workers.max(1) {
        sockets.push(reusable_socket(address)?);
    }
    Ok(Bound { sockets, address })
}

/// Binds a socket without `SO_REUSEPORT` to `address` and lets it go: the address (with the
/// port the kernel picked for port 0) if nobody else holds it.
fn claim(address: SocketAddr) -> io::Result<SocketAddr> {
    let socket = tcp_socket(address)?;
    socket.bind(&address.into())?;
    socket.listen(1)?;
    socket
        .local_addr()?
        .as_socket()
        .ok_or_else(|| io::Error::other("not an IP socket"))
}

fn reusable_socket(address: SocketAddr) -> io::Result<std::net::TcpListener> {
    let socket = tcp_socket(address)?;
    socket.set_reuse_port(true)?;
    socket.set_tcp_nodelay(true)?;
    socket.set_nonblocking(true)?;
    socket.bind(&address.into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}

/// A TCP socket for `address`'s family with `SO_REUSEADDR`.
fn tcp_socket(address: SocketAddr) -> io::Result<Socket> {
    let socket = Socket::new(
        Domain::for_address(address),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    socket.set_reuse_address(true)?;
    Ok(socket)
}

/// Running workers.
pub struct Workers {
    threads: Vec<JoinHandle<io::Result<()>>>,
    stop: watch::Sender<bool>,
}

/// Serves `router` (with client addresses) on every bound socket, one thread each, within
/// `limits`.
pub fn start(
    bound: Bound,
    router: Router,
    limits: HttpLimits,
    per_address: ConnectionLimit,
) -> io::Result<Workers> {
    let (stop, stopped) = watch::channel(false);
    let mut threads = Vec::new();
    for (index, socket) in bound.sockets.into_iter().enumerate() {
        let router = router.clone();
        let stopped = stopped.clone();
        let per_address = per_address.clone();
        let thread = std::thread::Builder::new()
            .name(format!("http-{index}"))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .max_blocking_threads(BLOCKING_THREADS)
                    .build()?;
                runtime.block_on(accept(socket, router, limits, per_address, stopped))
            })?;
        threads.push(thread);
    }
    Ok(Workers { threads, stop })
}

/// One worker's accept loop, until told to stop; then requests in flight may finish.
async fn accept(
    socket: std::net::TcpListener,
    router: Router,
    limits: HttpLimits,
    per_address: ConnectionLimit,
    stopped: watch::Receiver<bool>,
) -> io::Result<()> {
    let listener = tokio::net::TcpListener::from_std(socket)?;
    connection::accept_until_stopped(
        listener,
        stopped,
        "HTTP",
        per_address,
        |stream, peer, watcher, slot| {
            let router = router.clone();
            tokio::spawn(async move {
                connection::serve(stream, peer, router, None, limits, watcher).await;
                drop(slot);
            });
        },
    )
    .await;
    Ok(())
}

impl Workers {
    /// Stops accepting, lets open requests finish, and waits for every worker.
    pub fn stop(self) -> io::Result<()> {
        let _ = self.stop.send(true);
        for thread in self.threads {
            thread
                .join()
                .map_err(|_| io::Error::other("an HTTP worker panicked"))??;
        }
        Ok(())
    }
}
