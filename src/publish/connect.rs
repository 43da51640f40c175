//! Opening a [`Target`] as a [`Sink`] and publishing to it: the folder, or an FTP connection
//! (FTPS with the server's certificate checked against the system's roots, or against the CA
//! file given). Blocking: run it on a blocking thread.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject;

use crate::publish::run::{PublishReport, publish, publish_from};
use crate::publish::sink::{DirSink, FtpSink, SinkError};
use crate::publish::target::Target;

/// Where the system's trusted roots are (Debian's `ca-certificates`).
const SYSTEM_ROOTS: &str = "/etc/ssl/certs/ca-certificates.crt";

/// The TLS settings of an FTPS connection: the server's certificate must chain to a root of
/// `ca` (a PEM file), else of the system's roots.
pub fn tls_config(ca: Option<&Path>) -> Result<Arc<rustls::ClientConfig>, SinkError> {
    let path = ca.unwrap_or(Path::new(SYSTEM_ROOTS));
    let failed = |detail: String| SinkError::Ftp {
        what: format!("cannot read the CA certificates {}", path.display()),
        detail,
    };
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_file_iter(path).map_err(|e| failed(e.to_string()))? {
        let certificate = certificate.map_err(|e| failed(e.to_string()))?;
        // A system bundle may hold a certificate rustls cannot use; the others still count.
        let _ = roots.add(certificate);
    }
    if roots.is_empty() {
        return Err(failed("no certificate in it".into()));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| failed(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// Connections a publish makes at most when one is lost midway.
const ATTEMPTS: u32 = 3;
/// The pause before the second connection; it doubles before each next one.
const FIRST_RETRY: std::time::Duration = std::time::Duration::from_secs(1);

/// The report of a publish that took several connections: what every connection sent and
/// deleted, and the last one's failures (it tried again every file that had failed) and state.
fn merged(before: PublishReport, after: PublishReport) -> PublishReport {
    PublishReport {
        sent: before.sent + after.sent,
        deleted: before.deleted + after.deleted,
        // What the first connection sent, the next finds unchanged.
        unchanged: after.unchanged.saturating_sub(before.sent),
        took_ms: before.took_ms + after.took_ms,
        ..after
    }
}

/// Publishes `files` to `target`; a target that cannot be opened (refused login, unreachable,
/// bad certificate) gives a report with that error and nothing done.
pub fn publish_to(
    target: &Target,
    ca: Option<&Path>,
    files: &BTreeMap<String, bytes::Bytes>,
) -> PublishReport {
    let shown = target.to_string();
    let failed = |error: SinkError| PublishReport {
        target: shown.clone(),
        at_ms: crate::clock::now_ms(),
        errors: vec![error.to_string()],
        ..PublishReport::default()
    };
    match target {
        Target::Dir(path) => match DirSink::open(path) {
            Ok(mut sink) => publish(files, &mut sink, &shown),
            Err(e) => failed(e),
        },
        Target::Ftp(ftp) => {
            let tls = match ftp.secure.then(|| tls_config(ca)).transpose() {
                Ok(tls) => tls,
                Err(e) => return failed(e),
            };
            // A connection lost midway (or not made) is made again, after a pause that doubles,
            // and the publish goes on from what was written.
            let mut total: Option<PublishReport> = None;
            let mut known = None;
            let mut pause = FIRST_RETRY;
            for attempt in 1..=ATTEMPTS {
                let (report, lost) = match FtpSink::connect(ftp, tls.clone()) {
                    Ok(mut sink) => {
                        let step = publish_from(files, &mut sink, &shown, known.as_ref());
                        sink.close();
                        known = Some(step.written);
                        (step.report, step.lost)
                    }
                    Err(e) => {
                        let lost = matches!(&e, SinkError::Ftp { what, .. } if what.starts_with("cannot connect"));
                        (failed(e), lost)
                    }
                };
                let report = match total.take() {
                    Some(before) => merged(before, report),
                    None => report,
                };
                if !lost || attempt == ATTEMPTS {
                    return report;
                }
                tracing::warn!(target_server = %shown, attempt, "publish: connection lost; trying again in {} s", pause.as_secs());
                total = Some(report);
                std::thread::sleep(pause);
                pause *= 2;
            }
            total.unwrap_or_else(|| {
                failed(SinkError::Ftp {
                    what: "publish".into(),
                    detail: "no attempt made".into(),
                })
            })
        }
    }
}
