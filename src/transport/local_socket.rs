//! The admin API on a Unix socket in the data folder ([`SOCKET_NAME`], the owner's alone, in a
//! folder that is the owner's alone): whoever can reach it is on the server with the data
//! folder's rights, so its requests are never locked out by failed logins elsewhere; the right
//! token always works there (`curl --unix-socket DATA/admin.sock -H "Authorization: Bearer …"
//! http://localhost/api/v1/status`).

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use axum::{Extension, Router};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::UnixListener;
use tokio::task::JoinHandle;

use crate::http_common::LocalAdmin;
use crate::transport::connection::{self, HttpLimits};

/// The socket's file name in the data folder.
pub const SOCKET_NAME: &str = "admin.sock";

/// The serving socket; removed when stopped.
pub struct LocalSocket {
    serving: JoinHandle<()>,
    path: PathBuf,
}

impl LocalSocket {
    /// Serves `api` (the admin API router, nested under its prefix) on `data_dir/admin.sock`,
    /// replacing a socket file a stopped server left.
    pub fn start(data_dir: &Path, api: Router, limits: HttpLimits) -> io::Result<LocalSocket> {
        let path = data_dir.join(SOCKET_NAME);
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        let listener = UnixListener::bind(&path)?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        let router = api.layer(Extension(LocalAdmin));
        let serving = tokio::spawn(async move {
            let graceful = GracefulShutdown::new();
            // Requests need an address; the lockouts never look at it (see `LocalAdmin`).
            let peer = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
            loop {
                let stream = match listener.accept().await {
                    Ok((stream, _)) => stream,
                    Err(e) => {
                        tracing::warn!("admin socket: cannot accept a connection: {e}");
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let router = router.clone();
                let watcher = graceful.watcher();
                tokio::spawn(connection::serve(
                    stream, peer, router, None, limits, watcher,
                ));
            }
        });
        Ok(LocalSocket { serving, path })
    }

    /// Stops serving and removes the socket file.
    pub fn stop(self) {
        self.serving.abort();
        let _ = std::fs::remove_file(&self.path);
    }
}
