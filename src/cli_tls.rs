//! (Part of the `phoneprov` binary, not the library.) The `serve` flags of HTTPS
//! ([`phoneprov::serve::tls`]).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;

use phoneprov::serve::tls::{TlsFiles, TlsSetup, server_config};

/// Where and how HTTPS is served.
#[derive(Debug, Clone, Args)]
pub struct TlsFlags {
    /// Address and port of the HTTPS server (phone files, API and admin pages, as over HTTP);
    /// needs --tls-cert and --tls-key.
    #[arg(long, env = "PHONEPROV_HTTPS_LISTEN")]
    https_listen: Option<SocketAddr>,
    /// The server's certificate chain, PEM, leaf first.
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
}

impl TlsFlags {
    /// The HTTPS address and TLS setup, if HTTPS is asked for; a clear error for a missing or
    /// bad file.
    pub fn setup(self) -> anyhow::Result<Option<(SocketAddr, TlsSetup)>> {
        let Some(address) = self.https_listen else {
            if self.tls_cert.is_some() || self.tls_key.is_some() || self.tls_client_ca.is_some() {
                anyhow::bail!("--tls-cert, --tls-key and --tls-client-ca need --https-listen");
            }
            return Ok(None);
        };
        let (Some(certificate), Some(key)) = (self.tls_cert, self.tls_key) else {
            anyhow::bail!("--https-listen needs --tls-cert and --tls-key");
        };
        let files = TlsFiles {
            certificate,
            key,
            client_ca: self.tls_client_ca,
        };
        let setup = server_config(&files).context("cannot set up HTTPS")?;
        Ok(Some((address, setup)))
    }
}
