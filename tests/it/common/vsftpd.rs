//! A real vsftpd (Debian's package) for the publish tests: its own configuration in a temp
//! folder, listening on a free loopback port, with the AltiGen guide's `PlcmSpIp` account (a
//! system user made once, password `PlcmSpIp`) chrooted to the test's folder; optionally FTPS
//! with a self-signed certificate for 127.0.0.1. Stopped when dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use crate::common::pki::Pki;

/// The FTP account phones use in the AltiGen guide.
pub const USER: &str = "PlcmSpIp";
/// Its password.
pub const PASSWORD: &str = "PlcmSpIp";

pub struct Vsftpd {
    child: Child,
    pub port: u16,
    /// The account's root: what phones see as `/`.
    pub root: PathBuf,
    /// The CA of its certificate (FTPS only), to trust with `--publish-ca`.
    pub certificate: Option<PathBuf>,
    _pki: Option<Pki>,
    _dir: tempfile::TempDir,
}

impl Drop for Vsftpd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Makes the `PlcmSpIp` system user (once) and sets its password.
fn ensure_user() {
    let exists = Command::new("id")
        .arg(USER)
        .output()
        .unwrap()
        .status
        .success();
    if !exists {
        let made = Command::new("useradd")
            .args([
                "--badname",
                "--no-create-home",
                "--home-dir",
                "/",
                "--shell",
                "/bin/sh",
                USER,
            ])
            .output()
            .expect("useradd");
        assert!(
            made.status.success() || String::from_utf8_lossy(&made.stderr).contains("exists"),
            "useradd: {}",
            String::from_utf8_lossy(&made.stderr)
        );
    }
    // vsftpd changes to the home folder before the chroot's local_root: it must exist.
    let home = Command::new("usermod")
        .args(["--home", "/", USER])
        .output()
        .unwrap();
    assert!(
        home.status.success(),
        "{}",
        String::from_utf8_lossy(&home.stderr)
    );
    let mut chpasswd = Command::new("chpasswd")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("chpasswd");
    use std::io::Write;
    chpasswd
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{USER}:{PASSWORD}\n").as_bytes())
        .unwrap();
    assert!(chpasswd.wait().unwrap().success());
}

impl Vsftpd {
    /// Starts a plain FTP server.
    pub fn start() -> Vsftpd {
        Vsftpd::start_with(false)
    }

    /// Starts a server that requires TLS (explicit, AUTH TLS) for logins and data.
    pub fn start_tls() -> Vsftpd {
        Vsftpd::start_with(true)
    }

    fn start_with(tls: bool) -> Vsftpd {
        assert!(
            Path::new("/usr/sbin/vsftpd").exists(),
            "vsftpd is missing: apt-get install vsftpd (.ci/run does)"
        );
        ensure_user();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("boot");
        std::fs::create_dir(&root).unwrap();
        let owned = Command::new("chown")
            .arg(format!("{USER}:"))
            .arg(&root)
            .status()
            .unwrap();
        assert!(owned.success());
        // The chroot's parent must be reachable by the account.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        // Passive ports are left to the kernel (any free one), so parallel servers never clash.
        let port = free_port();
        let mut config = format!(
            "listen=YES\nlisten_ipv6=NO\nlisten_address=127.0.0.1\nlisten_port={port}\n\
             background=NO\nanonymous_enable=NO\nlocal_enable=YES\nwrite_enable=YES\n\
             local_umask=022\nchroot_local_user=YES\nallow_writeable_chroot=YES\n\
             local_root={root}\npasv_enable=YES\npasv_address=127.0.0.1\nport_enable=YES\n\
             connect_from_port_20=NO\nseccomp_sandbox=NO\nxferlog_enable=NO\n\
             userlist_enable=NO\npam_service_name=vsftpd\nmax_per_ip=0\n",
            root = root.display(),
        );
        let mut certificate = None;
        let mut pki_kept = None;
        if tls {
            let pki = Pki::new();
            let (cert, key) = (pki.path("server.pem"), pki.path("server.key"));
            config.push_str(&format!(
                "ssl_enable=YES\nrsa_cert_file={}\nrsa_private_key_file={}\n\
                 force_local_logins_ssl=YES\nforce_local_data_ssl=YES\nrequire_ssl_reuse=NO\n\
                 ssl_tlsv1=YES\nssl_sslv2=NO\nssl_sslv3=NO\n",
                cert, key
            ));
            certificate = Some(PathBuf::from(pki.path("ca.pem")));
            pki_kept = Some(pki);
        }
        let config_file = dir.path().join("vsftpd.conf");
        std::fs::write(&config_file, config).unwrap();
        let child = Command::new("/usr/sbin/vsftpd")
            .arg(&config_file)
            .spawn()
            .expect("vsftpd");
        let deadline = Instant::now() + Duration::from_secs(10);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "vsftpd did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Vsftpd {
            child,
            port,
            root,
            certificate,
            _pki: pki_kept,
            _dir: dir,
        }
    }

    /// Drops every session (the FTP connections), keeping the server listening: what a network
    /// failure or a server restart does to a client.
    pub fn drop_sessions(&self) {
        let _ = Command::new("pkill")
            .args(["-KILL", "-P", &self.child.id().to_string()])
            .status();
    }

    /// The publish target of this server (`ftp://` or `ftps://`).
    pub fn target(&self, scheme: &str) -> String {
        format!("{scheme}://{USER}:{PASSWORD}@127.0.0.1:{}/", self.port)
    }

    /// Logs in as a phone does (plain FTP, passive).
    pub fn phone_client(&self) -> suppaftp::FtpStream {
        let mut ftp = suppaftp::FtpStream::connect(("127.0.0.1", self.port)).unwrap();
        ftp.login(USER, PASSWORD).unwrap();
        ftp.transfer_type(suppaftp::types::FileType::Binary)
            .unwrap();
        ftp
    }
}
