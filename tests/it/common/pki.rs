//! A throw-away PKI made with openssl for the TLS tests: a test CA, a server certificate for
//! 127.0.0.1 signed by it, and client certificates whose CN names a MAC.

use std::path::Path;
use std::process::Command;

/// The MAC the "right" client certificate names.
pub const POLYCOM: &str = "0004f214ab37";

/// A test CA, a server certificate for 127.0.0.1 and client certificates naming MACs.
pub struct Pki {
    dir: tempfile::TempDir,
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

impl Pki {
    /// The CA, the server certificate and the three client certificates the access tests use.
    pub fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        openssl(
            d,
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-days",
                "2",
                "-subj",
                "/CN=phoneprov test CA",
            ],
        );
        std::fs::write(d.join("server.ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
        openssl(
            d,
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
                "-subj",
                "/CN=127.0.0.1",
            ],
        );
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                "server.pem",
                "-days",
                "2",
                "-extfile",
                "server.ext",
            ],
        );
        let pki = Pki { dir };
        pki.client("right", POLYCOM);
        pki.client("wrong", "0004f2999999");
        pki.client("macless", "a phone");
        pki
    }

    /// A client certificate `NAME.pem` (key `NAME.key`) whose CN is `mac`.
    pub fn client(&self, name: &str, mac: &str) {
        self.client_with_subject(name, &format!("/O=Polycom/CN={mac}"));
    }

    /// A client certificate `NAME.pem` (key `NAME.key`) with the subject `subject`
    /// (`/O=.../CN=...`).
    pub fn client_with_subject(&self, name: &str, subject: &str) {
        let d = self.dir.path();
        let (key, csr, pem) = (
            format!("{name}.key"),
            format!("{name}.csr"),
            format!("{name}.pem"),
        );
        openssl(
            d,
            &[
                "req", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &csr, "-subj",
                subject,
            ],
        );
        std::fs::write(
            d.join("client.ext"),
            "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n",
        )
        .unwrap();
        openssl(
            d,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-out",
                &pem,
                "-days",
                "2",
                "-extfile",
                "client.ext",
            ],
        );
    }

    /// The path of one of its files (`ca.pem`, `server.pem`, `server.key`, `right.pem`, ...).
    pub fn path(&self, file: &str) -> String {
        self.dir.path().join(file).display().to_string()
    }

    /// The `serve` arguments of HTTPS on a loopback port with the server certificate, after
    /// the admin token (and before `extra`).
    pub fn https_serve_args(&self, token: &str, extra: &[&str]) -> Vec<String> {
        let mut args: Vec<String> = [
            "--admin-token",
            token,
            "--https-listen",
            "127.0.0.1:0",
            "--tls-cert",
            &self.path("server.pem"),
            "--tls-key",
            &self.path("server.key"),
        ]
        .map(str::to_string)
        .to_vec();
        args.extend(extra.iter().map(|a| a.to_string()));
        args
    }
}
