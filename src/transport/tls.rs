//! HTTPS for phones and admins: rustls (ring) with a certificate chain and key from PEM files,
//! and optionally client certificates (mutual TLS) checked against a CA bundle such as a phone
//! vendor's device CA. Client certificates are asked for but not demanded at the handshake, so
//! admins' browsers still reach the API and pages; phone files then go only to clients whose
//! verified certificate names the phone's MAC ([`crate::policy::access`]). Each connection is
//! served by the same router as plain HTTP, with its client address and what was learnt of its
//! certificate attached to every request. Handshakes have a time limit, and each connection the
//! limits of [`connection`], so a slow client cannot hold a connection open for nothing.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use rustls::ServerConfig;
use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use thiserror::Error;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::domain::Mac;
use crate::http_common::TlsConnection;
use crate::policy::access::ClientCertificate;
use crate::transport::address_slots::ConnectionLimit;
use crate::transport::connection::{self, HttpLimits};

/// Longest a TLS handshake may take.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The files TLS is set up from.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// The server's certificate chain (PEM), leaf first.
    pub certificate: PathBuf,
    /// The server's private key (PEM).
    pub key: PathBuf,
    /// CA certificates (PEM) client certificates are verified against; none: not asked for.
    pub client_ca: Option<PathBuf>,
}

/// Why TLS cannot be set up.
#[derive(Debug, Error)]
pub enum TlsError {
    /// A PEM file cannot be read or holds nothing usable.
    #[error("{path}: {reason}")]
    File {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// rustls refused the certificates or key.
    #[error("TLS setup: {0}")]
    Rustls(#[from] rustls::Error),
    /// The client CA bundle cannot be used.
    #[error("client CA: {0}")]
    ClientCa(String),
}

fn file_error(path: &Path, reason: impl ToString) -> TlsError {
    TlsError::File {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certificates = CertificateDer::pem_file_iter(path)
        .map_err(|e| file_error(path, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| file_error(path, e))?;
    if certificates.is_empty() {
        return Err(file_error(path, "holds no PEM certificate"));
    }
    Ok(certificates)
}

/// The TLS server configurations of one certificate: HTTPS (with client certificates when a CA
/// is given), and explicit FTPS (`AUTH TLS`: no client certificates, no ALPN).
#[derive(Debug, Clone)]
pub struct TlsSetup {
    config: Arc<ServerConfig>,
    ftp: Arc<ServerConfig>,
    asks_certificates: bool,
}

impl TlsSetup {
    /// Whether HTTPS asks phones for client certificates (a client CA is set).
    pub fn asks_certificates(&self) -> bool {
        self.asks_certificates
    }

    /// The configuration of explicit FTPS.
    pub fn ftp(&self) -> Arc<ServerConfig> {
        Arc::clone(&self.ftp)
    }
}

/// The rustls configurations of `files`, read once.
pub fn server_config(files: &TlsFiles) -> Result<TlsSetup, TlsError> {
    let chain = certificates(&files.certificate)?;
    let key = PrivateKeyDer::from_pem_file(&files.key).map_err(|e| file_error(&files.key, e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = || {
        ServerConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
    };
    let ftp = builder()?
        .with_no_client_auth()
        .with_single_cert(chain.clone(), key.clone_key())?;
    let mut config = match &files.client_ca {
        Some(path) => {
            let mut roots = rustls::RootCertStore::empty();
            for certificate in certificates(path)? {
                roots.add(certificate).map_err(|e| file_error(path, e))?;
            }
            let verifier =
                WebPkiClientVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
                    .allow_unauthenticated()
                    .build()
                    .map_err(|e| TlsError::ClientCa(e.to_string()))?;
            builder()?
                .with_client_cert_verifier(verifier)
                .with_single_cert(chain, key)?
        }
        None => builder()?
            .with_no_client_auth()
            .with_single_cert(chain, key)?,
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsSetup {
        config: Arc::new(config),
        ftp: Arc::new(ftp),
        asks_certificates: files.client_ca.is_some(),
    })
}

/// The MAC a client certificate names: in its subject's common name (as phone vendors' device
/// certificates do) or a DNS name of its subject alternative names.
pub fn mac_in_certificate(der: &[u8]) -> Option<Mac> {
    let (_, certificate) = x509_parser::parse_x509_certificate(der).ok()?;
    let from_subject = certificate
        .subject()
        .iter_common_name()
        .filter_map(|name| name.as_str().ok())
        .find_map(mac_in_text);
    from_subject.or_else(|| {
        let names = certificate.subject_alternative_name().ok()??;
        names
            .value
            .general_names
            .iter()
            .find_map(|name| match name {
                x509_parser::extensions::GeneralName::DNSName(text) => mac_in_text(text),
                _ => None,
            })
    })
}

/// A MAC written as the whole text, or as its last word (`Polycom VVX 0004f2abcdef`).
fn mac_in_text(text: &str) -> Option<Mac> {
    let text = text.trim();
    Mac::parse(text).ok().or_else(|| {
        text.rsplit([' ', '/', '='])
            .next()
            .and_then(|w| Mac::parse(w).ok())
    })
}

/// A running HTTPS listener.
pub struct TlsServer {
    address: SocketAddr,
    task: JoinHandle<()>,
    stop: watch::Sender<bool>,
}

impl TlsServer {
    /// Listens on `address` and serves `router` over TLS within `limits`.
    pub async fn start(
        address: SocketAddr,
        setup: TlsSetup,
        router: Router,
        limits: HttpLimits,
        per_address: ConnectionLimit,
    ) -> io::Result<TlsServer> {
        let listener = TcpListener::bind(address).await?;
        let address = listener.local_addr()?;
        let asks_certificates = setup.asks_certificates;
        let acceptor = TlsAcceptor::from(setup.config);
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(connection::accept_until_stopped(
            listener,
            stopped,
            "HTTPS",
            per_address,
            move |stream, peer, watcher, slot| {
                let acceptor = acceptor.clone();
                let router = router.clone();
                tokio::spawn(async move {
                    let Some((tls, connection)) =
                        handshake(acceptor, stream, peer, asks_certificates).await
                    else {
                        return;
                    };
                    connection::serve(tls, peer, router, Some(connection), limits, watcher).await;
                    drop(slot);
                });
            },
        ));
        Ok(TlsServer {
            address,
            task,
            stop,
        })
    }

    /// The address listened on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Stops accepting connections and lets requests in flight finish (for a few seconds).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// The TLS handshake, within its time limit, and what it learnt of the client's certificate.
async fn handshake(
    acceptor: TlsAcceptor,
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    asks_certificates: bool,
) -> Option<(
    tokio_rustls::server::TlsStream<tokio::net::TcpStream>,
    TlsConnection,
)> {
    let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
        Ok(Ok(tls)) => tls,
        Ok(Err(e)) => {
            tracing::info!(client = %peer.ip(), "TLS handshake failed: {e}");
            return None;
        }
        Err(_) => {
            tracing::info!(client = %peer.ip(), "TLS handshake timed out");
            return None;
        }
    };
    let certificate = if asks_certificates {
        match tls.get_ref().1.peer_certificates().and_then(|c| c.first()) {
            Some(leaf) => ClientCertificate::Verified(mac_in_certificate(leaf)),
            None => ClientCertificate::Missing,
        }
    } else {
        ClientCertificate::NotAsked
    };
    Some((tls, TlsConnection { certificate }))
}

#[cfg(test)]
mod tests {
    use super::mac_in_text;

    #[test]
    fn macs_are_found_in_certificate_names() {
        let mac = "0004f2abcdef";
        for text in [mac, "00:04:F2:AB:CD:EF", "Polycom VVX 0004f2abcdef"] {
            assert_eq!(
                mac_in_text(text).map(|m| m.polycom_name()).as_deref(),
                Some(mac),
                "{text}"
            );
        }
        assert_eq!(mac_in_text("phones.example.com"), None);
    }
}
