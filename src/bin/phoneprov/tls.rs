//! (Part of the `phoneprov` binary, not the library.) The `serve` flags of HTTPS and FTPS
//! ([`phoneprov::transport::tls`]).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;

use phoneprov::transport::tls::{TlsFiles, TlsSetup, server_config};

/// Where and how TLS is served.
#[derive(Debug, Clone, Args)]
pub struct TlsFlags {
    /// Address and port of the HTTPS server (phone files, API and admin pages, as over HTTP);
    /// needs --tls-cert and --tls-key.
    #[arg(long, env = "PHONEPROV_HTTPS_LISTEN")]
    https_listen: Option<SocketAddr>,
    /// The server's certificate chain, PEM, leaf first (HTTPS, and FTPS on the FTP port).
    #[arg(long, env = "PHONEPROV_TLS_CERT", value_name = "FILE")]
    tls_cert: Option<PathBuf>,
    /// The server's private key, PEM.
    #[arg(long, env = "PHONEPROV_TLS_KEY", value_name = "FILE")]
    tls_key: Option<PathBuf>,
    /// CA certificates (PEM) that phones' client certificates must chain to (mutual TLS, e.g.
    /// the vendor's device CA). Phone files over HTTPS then go only to a client whose
    /// certificate names the phone's MAC; files of no phone to any verified client.
    #[arg(long, env = "PHONEPROV_TLS_CLIENT_CA", value_name = "FILE")]
    tls_client_ca: Option<PathBuf>,
    /// Refuse FTP sessions that do not switch to TLS (AUTH TLS) for logins and transfers.
    #[arg(long, env = "PHONEPROV_FTPS_REQUIRED")]
    ftps_required: bool,
}

/// What TLS serves.
pub struct TlsChoice {
    /// The HTTPS address and setup, if HTTPS is on.
    pub https: Option<(SocketAddr, TlsSetup)>,
    /// The FTPS configuration, when a certificate is given.
    pub ftp: Option<Arc<rustls::ServerConfig>>,
    /// Whether FTP sessions must use TLS.
    pub ftps_required: bool,
}

impl TlsFlags {
    /// HTTPS and FTPS as asked for; a clear error for a missing or bad file.
    pub fn setup(self) -> anyhow::Result<TlsChoice> {
        let files = match (self.tls_cert, self.tls_key) {
            (Some(certificate), Some(key)) => Some(TlsFiles {
                certificate,
                key,
                client_ca: self.tls_client_ca,
            }),
            (None, None) => {
                if self.tls_client_ca.is_some() {
                    anyhow::bail!("--tls-client-ca needs --tls-cert and --tls-key");
                }
                None
            }
            _ => anyhow::bail!("--tls-cert and --tls-key go together"),
        };
        if self.ftps_required && files.is_none() {
            anyhow::bail!("--ftps-required needs --tls-cert and --tls-key");
        }
        let setup = files
            .as_ref()
            .map(server_config)
            .transpose()
            .context("cannot set up TLS")?;
        let https = match (self.https_listen, &setup) {
            (Some(address), Some(setup)) => Some((address, setup.clone())),
            (Some(_), None) => anyhow::bail!("--https-listen needs --tls-cert and --tls-key"),
            (None, _) => None,
        };
        let ftp = setup.as_ref().map(TlsSetup::ftp);
        Ok(TlsChoice {
            https,
            ftp,
            ftps_required: self.ftps_required,
        })
    }
}
