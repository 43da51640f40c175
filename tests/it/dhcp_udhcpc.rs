//! A real DHCP client against the real binary: busybox `udhcpc` in one network namespace, phoneprov
//! in another, a veth pair between them. The client (with a Polycom MAC) broadcasts, phoneprov
//! answers on its local segment (no relay, broadcast to the subnet), and the client's script
//! reports the lease with options 66 and 160. Needs root for the namespaces (CI runs as root); elsewhere it says it is skipped,
//! unless CI is set, where it fails instead.

use crate::common;

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

use common::{KillOnDrop, read_log_until};

/// Two namespaces joined by a veth pair, removed on drop.
struct Segment {
    server: String,
    client: String,
}

impl Segment {
    fn new() -> Segment {
        let id = std::process::id();
        let segment = Segment {
            server: format!("ppsrv{id}"),
            client: format!("ppcli{id}"),
        };
        ip(&["netns", "add", &segment.server]);
        ip(&["netns", "add", &segment.client]);
        ip(&[
            "-n",
            &segment.server,
            "link",
            "add",
            "v0",
            "type",
            "veth",
            "peer",
            "name",
            "v1",
            "netns",
            &segment.client,
        ]);
        ip(&[
            "-n",
            &segment.server,
            "addr",
            "add",
            "10.199.0.1/24",
            "dev",
            "v0",
        ]);
        ip(&[
            "-n",
            &segment.client,
            "link",
            "set",
            "v1",
            "address",
            "00:04:f2:aa:bb:cc",
        ]);
        for (namespace, device) in [(&segment.server, "v0"), (&segment.client, "v1")] {
            ip(&["-n", namespace, "link", "set", "lo", "up"]);
            ip(&["-n", namespace, "link", "set", device, "up"]);
        }
        segment
    }
}

impl Drop for Segment {
    fn drop(&mut self) {
        for namespace in [&self.server, &self.client] {
            let _ = Command::new("ip")
                .args(["netns", "del", namespace])
                .status();
        }
    }
}

fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().expect("run ip");
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|out| out.stdout.starts_with(b"0\n"))
}

const CONFIG: &str = r#"
http_listen = "127.0.0.1:0"
ftp_listen = "127.0.0.1:2121"
dhcp_listen = "0.0.0.0:67"
server_address = "10.199.0.1"

[[subnet]]
network = "10.199.0.0/24"
mode = "allocate"
pools = ["10.199.0.100-10.199.0.150"]
router = "10.199.0.1"
dns = ["10.199.0.1"]
lease_time = 600
"#;

#[test]
fn udhcpc_gets_a_lease_and_the_boot_server() {
    if !is_root() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run this test as root"
        );
        eprintln!("skipped: network namespaces need root");
        return;
    }
    let segment = Segment::new();
    let db = common::sqlite_db();
    let config = db.dir.path().join("phoneprov.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let data = db.dir.path().to_str().unwrap();
    let mut server = KillOnDrop(
        Command::new("ip")
            .args(["netns", "exec", &segment.server])
            .arg(env!("CARGO_BIN_EXE_phoneprov"))
            .args(["--data-dir", data, "--database-url", &db.url])
            .arg("--config")
            .arg(&config)
            .arg("serve")
            .env_remove("RUST_LOG")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stderr = server.0.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    read_log_until(&mut lines, "phoneprov is running");
    std::thread::spawn(move || for _ in lines {});

    let script = db.dir.path().join("udhcpc.script");
    let report = db.dir.path().join("bound.env");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\n[ \"$1\" = bound ] && env > '{}'\nexit 0\n",
            report.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let client = Command::new("timeout")
        .args(["30", "ip", "netns", "exec", &segment.client])
        .args(["busybox", "udhcpc", "-i", "v1", "-f", "-q", "-n"])
        .args(["-t", "5", "-T", "1", "-O", "160", "-s"])
        .arg(&script)
        .output()
        .unwrap();
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&client.stdout),
        String::from_utf8_lossy(&client.stderr)
    );
    assert!(client.status.success(), "udhcpc: {said}");
    let bound = std::fs::read_to_string(&report).unwrap_or_else(|_| panic!("no lease: {said}"));
    let value = |name: &str| {
        bound
            .lines()
            .find_map(|line| line.strip_prefix(&format!("{name}=")))
            .map(str::to_string)
    };
    assert_eq!(value("ip").as_deref(), Some("10.199.0.100"), "{bound}");
    assert_eq!(value("router").as_deref(), Some("10.199.0.1"), "{bound}");
    assert_eq!(value("lease").as_deref(), Some("600"), "{bound}");
    let url = "ftp://PlcmSpIp:PlcmSpIp@10.199.0.1:2121/";
    // busybox passes option 66 on as `tftp` only if it looks like a host name, and says "bad"
    // for anything else, such as this URL: it arrived, its bytes are checked in option 160 (the
    // same URL) and by the relayed tests, which read the packet itself.
    assert!(
        value("tftp").is_some_and(|v| v == url || v == "bad"),
        "option 66: {bound}"
    );
    let hex: String = url.bytes().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        value("opt160").map(|v| v.to_ascii_lowercase()),
        Some(hex),
        "option 160: {bound}"
    );
    drop(server);
    drop(segment);
}
