//! [`ServerError`]: why the server could not start or stop cleanly, each with what to do.

use std::net::SocketAddr;

/// Why the server could not start, or failed while stopping.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// A listener could not bind its address.
    #[error("{}", bind_message(server, *address, source, example))]
    Bind {
        /// Which server (`HTTP`, `FTP`, ...).
        server: &'static str,
        /// The address.
        address: SocketAddr,
        /// Why.
        source: std::io::Error,
        /// A flag that would work, for the message.
        example: String,
    },
    /// The settings do not go together.
    #[error("{0}")]
    Config(String),
    /// The admin token could not be read or written.
    #[error(transparent)]
    Token(#[from] crate::admin::token::TokenError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The data cannot be served.
    #[error(transparent)]
    Live(#[from] crate::provision::live::LiveError),
    /// The demo deployment could not be loaded.
    #[error("cannot load the demo deployment: {0}")]
    Demo(#[from] crate::import::ImportError),
    /// The config file's DHCP subnets are wrong.
    #[error(transparent)]
    Subnets(#[from] crate::dhcp::subnet::SubnetError),
    /// A folder or a server's I/O failed.
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// Why it failed.
        source: std::io::Error,
    },
    /// The metrics recorder could not be installed.
    #[error("cannot set up metrics: {0}")]
    Metrics(String),
    /// No random key for login nonces.
    #[error("cannot draw a random key for login nonces: {0}")]
    Random(getrandom::Error),
}

impl ServerError {
    /// An I/O failure while doing `what`.
    pub fn io(what: impl Into<String>, source: std::io::Error) -> ServerError {
        ServerError::Io {
            what: what.into(),
            source,
        }
    }
}

/// Why a server cannot listen, with how to fix a permission error or an address in use.
fn bind_message(
    server: &str,
    address: SocketAddr,
    error: &std::io::Error,
    example: &str,
) -> String {
    match error.kind() {
        std::io::ErrorKind::PermissionDenied => format!(
            "the {server} server cannot listen on {address}: permission denied. Ports below 1024 \
             need root or the capability (sudo setcap cap_net_bind_service=+ep \
             /path/to/phoneprov); or listen on a port above 1023, e.g. {example}"
        ),
        std::io::ErrorKind::AddrInUse => format!(
            "the {server} server cannot listen on {address}: another program (another phoneprov \
             serve?) already listens there; stop it or choose another address, e.g. {example}"
        ),
        _ => format!("the {server} server cannot listen on {address}: {error}"),
    }
}
