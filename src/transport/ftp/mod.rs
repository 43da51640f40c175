//! Phone-facing FTP (libunftp), the way Polycom phones boot out of the box: logins from the
//! configured accounts ([`auth`]), files from the shared phone-file service ([`backend`]), passive
//! (PASV/EPSV) data connections bounded per session and address ([`passive`]), active
//! (PORT/EPRT) ones only when turned on (the server would connect wherever a client says), a
//! configurable passive port range and announced passive address (for NAT). phoneprov accepts
//! the control connections itself, so it can listen on port 0 in tests and stop cleanly; each
//! session is served by libunftp.

pub mod auth;
pub mod backend;
pub mod passive;

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::time::Duration;

use libunftp::ServerBuilder;
use libunftp::options::{ActivePassiveMode, FtpsRequired, PassiveHost};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::policy::login_limit::Lockout;
use crate::transport::address_slots::{AddressSlots, DEFAULT_SESSIONS_PER_ADDRESS};
use crate::transport::ftp::auth::{Account, Accounts, Sessions};
use crate::transport::ftp::backend::PhoneStorage;
use crate::transport::ftp::passive::{PassivePorts, SessionPorts};

use crate::policy::phone_files::PhoneFiles;

/// Default passive data ports.
pub const DEFAULT_PASSIVE_PORTS: RangeInclusive<u16> = 30000..=30999;

/// How the FTP server is set up.
#[derive(Debug, Clone)]
pub struct FtpConfig {
    /// Valid logins (at least one).
    pub accounts: Vec<Account>,
    /// Ports for passive data connections.
    pub passive_ports: RangeInclusive<u16>,
    /// The address announced in PASV answers (behind NAT); default: the address the client
    /// connected to.
    pub passive_host: Option<Ipv4Addr>,
    /// Allow active mode (PORT/EPRT): the server then connects to any host and port a logged-in
    /// client names.
    pub active: bool,
    /// Slowing down and locking out failed logins.
    pub lockout: Lockout,
    /// An idle session is closed after this long.
    pub idle_timeout: Duration,
    /// Most sessions one address may hold at once (allowed networks: no limit).
    pub sessions_per_address: usize,
    /// Explicit FTPS (`AUTH TLS`) with this configuration, if set.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Refuse logins and transfers that are not over TLS.
    pub tls_required: bool,
}

impl Default for FtpConfig {
    fn default() -> Self {
        FtpConfig {
            accounts: vec![Account::polycom_factory()],
            passive_ports: DEFAULT_PASSIVE_PORTS,
            passive_host: None,
            active: false,
            lockout: Lockout::default(),
            idle_timeout: Duration::from_secs(120),
            sessions_per_address: DEFAULT_SESSIONS_PER_ADDRESS,
            tls: None,
            tls_required: false,
        }
    }
}

/// Parses a passive port range, `30000-30999`.
pub fn parse_port_range(text: &str) -> Result<RangeInclusive<u16>, String> {
    let (low, high) = text
        .split_once('-')
        .ok_or_else(|| format!("{text:?} is not a port range like 30000-30999"))?;
    let low: u16 = low
        .trim()
        .parse()
        .map_err(|_| format!("{low:?} is not a port"))?;
    let high: u16 = high
        .trim()
        .parse()
        .map_err(|_| format!("{high:?} is not a port"))?;
    if low == 0 || low > high {
        return Err(format!("{text:?}: the range must run from 1 up"));
    }
    Ok(low..=high)
}

/// A running FTP server.
pub struct FtpServer {
    accepting: JoinHandle<()>,
    address: SocketAddr,
}

impl FtpServer {
    /// Binds the control port.
    pub async fn bind(address: SocketAddr) -> io::Result<TcpListener> {
        TcpListener::bind(address).await
    }

    /// Serves phones on `listener` until [`FtpServer::stop`].
    pub fn start(
        listener: TcpListener,
        files: Arc<PhoneFiles>,
        config: FtpConfig,
    ) -> io::Result<FtpServer> {
        let address = listener.local_addr()?;
        let storage = PhoneStorage::new(Arc::clone(&files));
        let accounts = Arc::new(Accounts::new(config.accounts.clone(), config.lockout));
        let counts = Arc::new(AddressSlots::default());
        let passive = Arc::new(PassivePorts::default());
        let accepting = tokio::spawn(async move {
            loop {
                let (stream, peer) = match listener.accept().await {
                    Ok(accepted) => accepted,
                    Err(e) => {
                        tracing::warn!("FTP: cannot accept a connection: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                // Replies go out at once: with Nagle's algorithm, the "226" after a transfer
                // waits for the client's delayed ACK of the "150" (40 ms per file).
                if let Err(e) = stream.set_nodelay(true) {
                    tracing::debug!(client = %peer, "FTP: cannot set TCP_NODELAY: {e}");
                }
                let exempt = files.guard().is_exempt(peer.ip());
                let slot = if exempt {
                    None
                } else {
                    match counts.open(peer.ip(), config.sessions_per_address) {
                        Some(slot) => Some(slot),
                        None => {
                            turn_away(stream, peer).await;
                            continue;
                        }
                    }
                };
                let ports = passive.session(peer.ip(), !exempt);
                let server = match session_server(&storage, &accounts, &config, ports) {
                    Ok(server) => server,
                    Err(e) => {
                        tracing::error!("FTP: cannot set up a session: {e}");
                        continue;
                    }
                };
                tokio::spawn(async move {
                    if let Err(e) = server.service(stream).await {
                        tracing::debug!(client = %peer, "FTP session ended: {e}");
                    }
                    drop(slot);
                });
            }
        });
        Ok(FtpServer { accepting, address })
    }

    /// The control address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops accepting sessions (open sessions finish on their own).
    pub fn stop(self) {
        self.accepting.abort();
    }
}

/// Answers a session over the per-address limit with `421` and closes it.
async fn turn_away(mut stream: tokio::net::TcpStream, peer: SocketAddr) {
    use tokio::io::AsyncWriteExt;
    tracing::warn!(
        target: "audit",
        client = %peer.ip(),
        "FTP session refused: too many sessions from this address"
    );
    let _ = stream
        .write_all(b"421 Too many sessions from your address; try again later.\r\n")
        .await;
    let _ = stream.shutdown().await;
}

/// The libunftp server of one control connection.
fn session_server(
    storage: &PhoneStorage,
    accounts: &Arc<Accounts>,
    config: &FtpConfig,
    ports: SessionPorts,
) -> Result<libunftp::Server<PhoneStorage, auth::Session>, libunftp::ServerError> {
    let storage = storage.clone();
    let authenticator: Arc<Accounts> = Arc::clone(accounts);
    let mut builder =
        ServerBuilder::with_authenticator(Box::new(move || storage.clone()), authenticator)
            .user_detail_provider(Arc::new(Sessions))
            .greeting("phoneprov FTP ready")
            .passive_ports(config.passive_ports.clone())
            .binder(ports)
            .idle_session_timeout(config.idle_timeout.as_secs())
            .active_passive_mode(if config.active {
                ActivePassiveMode::ActiveAndPassive
            } else {
                ActivePassiveMode::PassiveOnly
            });
    if let Some(host) = config.passive_host {
        builder = builder.passive_host(PassiveHost::Ip(host));
    }
    if let Some(tls) = &config.tls {
        builder = builder.ftps_manual::<std::path::PathBuf>(Arc::clone(tls));
        if config.tls_required {
            builder = builder.ftps_required(FtpsRequired::All, FtpsRequired::All);
        }
    }
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::parse_port_range;

    #[test]
    fn port_ranges() {
        assert_eq!(parse_port_range("30000-30999"), Ok(30000..=30999));
        assert_eq!(parse_port_range("2121-2121"), Ok(2121..=2121));
        for bad in ["30000", "0-10", "10-5", "a-b", "1-70000"] {
            assert!(parse_port_range(bad).is_err(), "{bad}");
        }
    }
}
