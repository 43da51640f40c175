//! The audit log as a log collector sees it: with `--log-format json`, each security event is one
//! JSON object on one line, target `audit`, with its time, the client address, the MAC or user,
//! and what happened: a credential file served, failed logins (admin API, FTP, a phone's HTTP
//! login), a ban, uploads stored and refused, an import and an admin change.

use crate::common;

use common::server::{Server, TOKEN, api, curl, send_json, start_with};

/// The audit lines logged so far, parsed.
fn audit_lines(server: &Server) -> Vec<serde_json::Value> {
    server
        .log_lines("\"audit\"")
        .iter()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not one JSON object: {line}: {e}"))
        })
        .filter(|v: &serde_json::Value| v["target"] == "audit")
        .collect()
}

/// Waits for an audit line whose message starts with `message` and whose fields hold each
/// `(name, value)`.
fn expect(server: &Server, message: &str, fields: &[(&str, &str)]) -> serde_json::Value {
    for _ in 0..100 {
        let found = audit_lines(server).into_iter().find(|line| {
            line["fields"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with(message))
                && fields
                    .iter()
                    .all(|(name, value)| line["fields"][name].as_str() == Some(value))
        });
        if let Some(line) = found {
            assert!(
                line["timestamp"].as_str().is_some_and(|t| t.len() >= 20),
                "a time: {line}"
            );
            return line;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!(
        "no audit line {message:?} with {fields:?} in {:#?}",
        audit_lines(server)
    );
}

#[tokio::test]
async fn every_security_event_is_one_structured_audit_line() {
    let server = start_with(&["--admin-token", TOKEN, "--log-format", "json"]).await;
    let from = |source: &str, path: &str, extra: &[&str]| {
        let mut args = vec!["--interface", source];
        args.extend_from_slice(extra);
        curl(&format!("{}/{path}", server.base), &args)
    };

    // A credential file served (to the address the phone's master file went to).
    assert_eq!(from("127.0.0.1", "0004f214ab37.cfg", &[]).status, 200);
    assert_eq!(from("127.0.0.1", "201.cfg", &[]).status, 200);
    expect(
        &server,
        "credential file served",
        &[
            ("client", "127.0.0.1"),
            ("mac", "0004f214ab37"),
            ("file", "201.cfg"),
        ],
    );

    // Failed logins: the admin API, FTP, a phone's HTTP login.
    let wrong = from(
        "127.0.0.2",
        "api/v1/status",
        &["-H", "Authorization: Bearer wrong"],
    );
    assert_eq!(wrong.status, 401);
    expect(
        &server,
        "admin API login failed",
        &[("client", "127.0.0.2")],
    );
    let ftp = curl(
        &format!("ftp://intruder:guess@{}/201.cfg", server.ftp),
        &["--interface", "127.0.0.3"],
    );
    assert_ne!(ftp.status, 226);
    expect(
        &server,
        "FTP login refused",
        &[("client", "127.0.0.3"), ("user", "intruder")],
    );
    let set = send_json(
        &server,
        "PUT",
        "/phones/0004f214ab37/login",
        r#"{"username": "alice-phone", "passwords": ["right-password"]}"#,
    );
    assert_eq!(set.status, 204);
    assert_eq!(from("127.0.0.4", "0004f214ab37.cfg", &[]).status, 200);
    let guess = from(
        "127.0.0.4",
        "201.cfg",
        &["--digest", "-u", "alice-phone:wrong-password"],
    );
    assert_eq!(guess.status, 401);
    expect(
        &server,
        "login failed",
        &[
            ("client", "127.0.0.4"),
            ("mac", "0004f214ab37"),
            ("file", "201.cfg"),
        ],
    );
    // The login change itself is an admin change, without the password.
    let change = expect(
        &server,
        "admin change",
        &[
            ("actor", "api"),
            ("action", "phone-login"),
            ("subject", "0004f214ab37"),
        ],
    );
    assert!(!change.to_string().contains("right-password"));

    // A ban.
    for n in 0..25 {
        from("127.0.0.5", &format!("0004f2ee{n:04x}.cfg"), &[]);
    }
    expect(&server, "provisioning ban", &[("client", "127.0.0.5")]);

    // Uploads stored and refused.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("log");
    std::fs::write(&file, b"booted\n").unwrap();
    let file = file.to_str().unwrap();
    assert_eq!(from("127.0.0.6", "0004f214ab37.cfg", &[]).status, 200);
    assert_eq!(
        from("127.0.0.6", "0004f214ab37-boot.log", &["-T", file]).status,
        204
    );
    expect(
        &server,
        "upload stored",
        &[
            ("client", "127.0.0.6"),
            ("mac", "0004f214ab37"),
            ("file", "0004f214ab37-boot.log"),
        ],
    );
    assert_eq!(from("127.0.0.6", "evil.sh", &["-T", file]).status, 403);
    expect(
        &server,
        "upload refused",
        &[("client", "127.0.0.6"), ("file", "evil.sh")],
    );

    // An import and an admin change.
    let csv = "extension,display_name,password,mac,model,site,line\n\
               301,Lobby,lobby-secret-301,0004f2bb0001,VVX_400,default,1\n";
    let imported = api(
        &server,
        "POST",
        "/import",
        &["-H", "Content-Type: text/csv", "--data-binary", csv],
    );
    assert_eq!(
        imported.status,
        200,
        "{}",
        String::from_utf8_lossy(&imported.body)
    );
    expect(
        &server,
        "admin change",
        &[("actor", "api"), ("action", "change")],
    );
    let site = send_json(&server, "PUT", "/sites/default", r#"{"mwi_beep": true}"#);
    assert_eq!(site.status, 200);
    let change = expect(
        &server,
        "admin change",
        &[
            ("actor", "api"),
            ("action", "site-update"),
            ("subject", "default"),
        ],
    );
    assert!(
        change["fields"]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("mwi_beep: false -> true")),
        "{change}"
    );
}

/// Log and audit lines go through a writer thread, off the phone's path; stopping the server
/// (SIGTERM) right after a burst of credential fetches loses none of their audit lines.
#[tokio::test]
async fn no_audit_line_is_lost_when_the_server_stops() {
    let server = common::server::start_with(&[]).await;
    common::server::boot_from(&server, "127.0.0.1", "0004f214ab37");
    let urls: Vec<String> = (0..2_000)
        .map(|_| format!("{}/201.cfg", server.base))
        .collect();
    let statuses = common::server::fetch_all("127.0.0.1", &urls, "%{response_code}\n", &[]);
    assert!(statuses.iter().all(|s| s == "200"), "{statuses:?}");
    let stopped = std::process::Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(stopped.success());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while server.log_lines("credential file served").len() < urls.len()
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(
        server.log_lines("credential file served").len(),
        urls.len(),
        "one audit line per credential file served"
    );
}
