//! Passive data ports, bounded per session and per client address. Each `PASV`/`EPSV` makes the
//! FTP library listen on a port of the passive range until a data connection arrives or 15
//! seconds pass, even after its session is gone; a client that sends `PASV` over and over (the
//! phones' login is public) would otherwise hold the whole range and every phone's download
//! would fail. Each session hands the library a [`SessionPorts`] that binds its data ports:
//! a port counts against its session and address while something still listens on it (a
//! probe bind tells), and a request past a limit waits a moment for one to be let go, then is
//! refused (`425`).

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::ops::RangeInclusive;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use tokio::net::TcpSocket;

/// Default most passive ports one session listens on at once.
pub const DEFAULT_PORTS_PER_SESSION: usize = 2;
/// Default most passive ports one address listens on at once (over all its sessions).
pub const DEFAULT_PORTS_PER_ADDRESS: usize = 64;
/// How long a request over a limit waits for a port to be let go.
const WAIT_FOR_A_PORT: Duration = Duration::from_secs(2);
/// Random ports tried before the range is taken as full.
const BIND_TRIES: usize = 16;

/// The passive ports listening now, per client address (shared by every session).
#[derive(Debug)]
pub struct PassivePorts {
    by_address: Mutex<HashMap<IpAddr, Vec<SocketAddr>>>,
    per_session: usize,
    per_address: usize,
}

impl PassivePorts {
    /// At most `per_session` ports per session and `per_address` per address.
    pub fn new(per_session: usize, per_address: usize) -> PassivePorts {
        PassivePorts {
            by_address: Mutex::default(),
            per_session,
            per_address,
        }
    }

    /// The ports of one session from `client`; `limited` is false for an address of the
    /// allowed networks (no per-address limit there).
    pub fn session(self: &Arc<Self>, client: IpAddr, limited: bool) -> SessionPorts {
        SessionPorts {
            shared: Arc::clone(self),
            client: client.to_canonical(),
            limited,
            mine: Vec::new(),
        }
    }

    /// Ports `client`'s sessions still listen on.
    fn held_by(&self, client: IpAddr) -> usize {
        let mut by_address = self
            .by_address
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let Some(ports) = by_address.get_mut(&client) else {
            return 0;
        };
        ports.retain(|port| still_listening(*port));
        let held = ports.len();
        if held == 0 {
            by_address.remove(&client);
        }
        held
    }

    fn record(&self, client: IpAddr, port: SocketAddr) {
        self.by_address
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(client)
            .or_default()
            .push(port);
    }
}

impl Default for PassivePorts {
    fn default() -> Self {
        PassivePorts::new(DEFAULT_PORTS_PER_SESSION, DEFAULT_PORTS_PER_ADDRESS)
    }
}

/// Binds one session's passive data ports within the limits.
#[derive(Debug)]
pub struct SessionPorts {
    shared: Arc<PassivePorts>,
    client: IpAddr,
    limited: bool,
    mine: Vec<SocketAddr>,
}

impl SessionPorts {
    /// Whether one more port may listen for this session now.
    fn may_listen(&mut self) -> bool {
        self.mine.retain(|port| still_listening(*port));
        self.mine.len() < self.shared.per_session
            && (!self.limited || self.shared.held_by(self.client) < self.shared.per_address)
    }
}

#[async_trait]
impl libunftp::options::Binder for SessionPorts {
    async fn bind(&mut self, local: IpAddr, ports: RangeInclusive<u16>) -> io::Result<TcpSocket> {
        let mut waited = Duration::ZERO;
        while !self.may_listen() {
            if waited >= WAIT_FOR_A_PORT {
                tracing::warn!(
                    target: "audit",
                    client = %self.client,
                    "FTP passive port refused: too many listening for this session or address"
                );
                return Err(io::Error::other("too many passive ports"));
            }
            let step = Duration::from_millis(100);
            tokio::time::sleep(step).await;
            waited += step;
        }
        let socket = bind_in_range(local, &ports)?;
        let bound = socket.local_addr()?;
        self.mine.push(bound);
        // Only a limited address is counted (and so pruned) across its sessions.
        if self.limited {
            self.shared.record(self.client, bound);
        }
        Ok(socket)
    }
}

/// A socket bound to a random free port of `ports` on `local`.
fn bind_in_range(local: IpAddr, ports: &RangeInclusive<u16>) -> io::Result<TcpSocket> {
    let span = u32::from(ports.end() - ports.start()) + 1;
    for _ in 0..BIND_TRIES {
        let mut random = [0u8; 4];
        getrandom::fill(&mut random).map_err(io::Error::other)?;
        let offset = u32::from_ne_bytes(random) % span;
        let Ok(port) = u16::try_from(u32::from(*ports.start()) + offset) else {
            continue;
        };
        let socket = new_socket(local)?;
        if socket.bind(SocketAddr::new(local, port)).is_ok() {
            return Ok(socket);
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AddrInUse,
        "no free passive port",
    ))
}

fn new_socket(local: IpAddr) -> io::Result<TcpSocket> {
    let socket = match local {
        IpAddr::V4(_) => TcpSocket::new_v4()?,
        IpAddr::V6(_) => TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    Ok(socket)
}

/// Whether something still listens on `port`: with `SO_REUSEADDR`, a bind fails only while a
/// listening socket holds the address (a finished transfer's connections do not).
fn still_listening(port: SocketAddr) -> bool {
    new_socket(port.ip()).is_ok_and(|probe| probe.bind(port).is_err())
}

#[cfg(test)]
mod tests {
    use super::*;
    use libunftp::options::Binder;

    const LOCAL: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
    const RANGE: RangeInclusive<u16> = 42_000..=42_199;

    /// A passive port of `ports`, listening.
    async fn listen(ports: &mut SessionPorts) -> io::Result<tokio::net::TcpListener> {
        ports.bind(LOCAL, RANGE).await?.listen(4)
    }

    #[tokio::test]
    async fn ports_are_bounded_per_session_and_address_and_let_go_when_nothing_listens() {
        let shared = Arc::new(PassivePorts::new(2, 3));
        let client: IpAddr = "192.0.2.7".parse().unwrap();
        let mut first = shared.session(client, true);
        let a = listen(&mut first).await.unwrap();
        let _b = listen(&mut first).await.unwrap();
        assert!(listen(&mut first).await.is_err(), "per session");
        let mut second = shared.session(client, true);
        let _c = listen(&mut second).await.unwrap();
        assert!(listen(&mut second).await.is_err(), "per address");
        let mut elsewhere = shared.session("192.0.2.8".parse().unwrap(), true);
        assert!(
            elsewhere.bind(LOCAL, RANGE).await.is_ok(),
            "another address"
        );
        let mut allowed = shared.session(client, false);
        assert!(
            allowed.bind(LOCAL, RANGE).await.is_ok(),
            "an allowed network"
        );
        drop(a);
        assert!(
            first.bind(LOCAL, RANGE).await.is_ok(),
            "a closed listener frees its port"
        );
    }
}
