//! Who may fetch credential files, through the real binary: trust on first use (the first
//! address to fetch a phone's master file is the only one its credential files go to, until an
//! admin resets the binding; kept over a restart), a phone login with two accepted passwords
//! (HTTP Digest with curl; Basic only over HTTPS), HTTPS with a test CA, and mutual TLS where a
//! phone's files go only to the client certificate naming its MAC. Each event leaves its audit
//! line.

use crate::common;

use common::pki::Pki;
use common::server::{
    Server, TOKEN, api, boot_from, curl, fetch_from, json, send_json, start_with,
    trust_first_address,
};

const POLYCOM: &str = "0004f214ab37";
const AASTRA: &str = "00085D1610DE";

/// Waits until the server's log holds a line with every one of `needles`.
fn await_log(server: &Server, needles: &[&str]) -> String {
    for _ in 0..100 {
        if let Some(line) = server
            .log_lines(needles[0])
            .into_iter()
            .find(|line| needles.iter().all(|n| line.contains(n)))
        {
            return line;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("no log line with {needles:?}");
}

/// Issue 29: a probe commits nothing. Under trust on first use, a `HEAD` of a phone's master
/// file from one address and an FTP `SIZE`/`MDTM` (curl's `-I`) from another bind nothing and
/// make neither address act for the phone; the phone's own `GET` then binds it. An FTP `LIST`
/// shows a phone's files only as a fetch from that address would give them.
#[tokio::test]
async fn probes_bind_nothing_and_a_listing_shows_only_what_a_fetch_gives() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    trust_first_address(&server);
    let master = format!("{POLYCOM}.cfg");
    let ftp_url = |name: &str| format!("ftp://PlcmSpIp:PlcmSpIp@{}/{name}", server.ftp);
    let head = curl(
        &format!("{}/{master}", server.base),
        &["--interface", "127.0.0.2", "-I"],
    );
    assert_eq!(head.status, 200, "the HEAD is answered");
    let size = curl(&ftp_url(&master), &["--interface", "127.0.0.3", "-I"]);
    let said = String::from_utf8_lossy(&size.body).to_string();
    assert!(said.contains("Content-Length"), "SIZE answered: {said:?}");
    let binding = api(&server, "GET", &format!("/phones/{POLYCOM}/binding"), &[]);
    assert_eq!(json(&binding)["address"], serde_json::Value::Null);
    for prober in ["127.0.0.2", "127.0.0.3"] {
        assert_eq!(fetch_from(&server, prober, "201.cfg"), 404, "{prober}");
    }
    assert!(
        server.log_lines("phone bound").is_empty(),
        "no probe bound the phone"
    );
    // The phone's own fetch binds it.
    assert_eq!(fetch_from(&server, "127.0.0.4", &master), 200);
    let binding = api(&server, "GET", &format!("/phones/{POLYCOM}/binding"), &[]);
    assert_eq!(json(&binding)["address"], "127.0.0.4");
    assert_eq!(fetch_from(&server, "127.0.0.4", "201.cfg"), 200);
    // Another address fetches the master file (it holds no password) over FTP; its listing
    // then shows the master file but not the credential files it would not get.
    let other = curl(&ftp_url(&master), &["--interface", "127.0.0.5"]);
    assert_eq!(other.status, 226, "RETR from a second address");
    let listing = |source: &str| {
        let reply = curl(&ftp_url(""), &["--interface", source, "--list-only"]);
        String::from_utf8_lossy(&reply.body).to_string()
    };
    let seen = listing("127.0.0.5");
    assert!(seen.contains(&master), "{seen:?}");
    assert!(!seen.contains("201.cfg"), "{seen:?}");
    assert!(!seen.contains("-settings.cfg"), "{seen:?}");
    let own = listing("127.0.0.4");
    assert!(own.contains("201.cfg"), "{own:?}");
}

#[tokio::test]
async fn trust_on_first_use_binds_a_phone_to_its_first_address() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let set = trust_first_address(&server);
    assert_eq!(json(&set)["trust_first_address"], true);

    // Before any master-file fetch, no address gets the credential file; a refusal is "not
    // found", like a file that does not exist.
    assert_eq!(fetch_from(&server, "127.0.0.1", "201.cfg"), 404);
    // The first fetch of the master file binds the phone to 127.0.0.1.
    assert_eq!(
        fetch_from(&server, "127.0.0.1", &format!("{POLYCOM}.cfg")),
        200
    );
    assert_eq!(fetch_from(&server, "127.0.0.1", "201.cfg"), 200);
    // A second address gets the master file (no secret in it) but never the credentials, and
    // does not take over the binding.
    assert_eq!(
        fetch_from(&server, "127.0.0.2", &format!("{POLYCOM}.cfg")),
        200
    );
    assert_eq!(fetch_from(&server, "127.0.0.2", "201.cfg"), 404);
    assert_eq!(fetch_from(&server, "127.0.0.1", "201.cfg"), 200);
    await_log(&server, &["audit", "phone bound", POLYCOM, "127.0.0.1"]);
    await_log(
        &server,
        &["audit", "credential file refused", "127.0.0.2", "201.cfg"],
    );
    // The Aastra phone's master file holds its passwords: the first fetch binds and is served.
    assert_eq!(
        fetch_from(&server, "127.0.0.3", &format!("{AASTRA}.cfg")),
        200
    );
    assert_eq!(
        fetch_from(&server, "127.0.0.4", &format!("{AASTRA}.cfg")),
        404
    );
    // A site without trust on first use is not affected (branch: 3001 on 0004f2aa0001).
    boot_from(&server, "127.0.0.5", "0004f2aa0001");
    assert_eq!(fetch_from(&server, "127.0.0.5", "3001.cfg"), 200);

    let binding = api(&server, "GET", &format!("/phones/{POLYCOM}/binding"), &[]);
    assert_eq!(json(&binding)["address"], "127.0.0.1");

    // The binding is written (within a second) and kept over a restart.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let server = server.restart();
    assert_eq!(fetch_from(&server, "127.0.0.2", "201.cfg"), 404);
    assert_eq!(fetch_from(&server, "127.0.0.1", "201.cfg"), 200);

    // An admin resets it (a phone replaced or moved): the next master-file fetch binds again.
    let reset = api(
        &server,
        "DELETE",
        &format!("/phones/{POLYCOM}/binding"),
        &[],
    );
    assert_eq!(reset.status, 200);
    assert_eq!(json(&reset)["address"], "127.0.0.1");
    assert_eq!(
        fetch_from(&server, "127.0.0.2", &format!("{POLYCOM}.cfg")),
        200
    );
    assert_eq!(fetch_from(&server, "127.0.0.2", "201.cfg"), 200);
    assert_eq!(fetch_from(&server, "127.0.0.1", "201.cfg"), 404);
    let audit = json(&api(&server, "GET", "/audit", &[]));
    assert!(
        audit.to_string().contains("phone-unbind"),
        "the reset is in the audit log: {audit}"
    );

    // The CLI resets too, and the running server picks it up.
    std::thread::sleep(std::time::Duration::from_millis(1500));

    let out = server.db.run(&["phone", "unbind", POLYCOM]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert!(common::stdout(&out).contains("127.0.0.2"));
    let mut rebound = false;
    for _ in 0..60 {
        if fetch_from(&server, "127.0.0.1", &format!("{POLYCOM}.cfg")) == 200
            && fetch_from(&server, "127.0.0.1", "201.cfg") == 200
        {
            rebound = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(rebound, "the CLI reset reached the running server");
}

/// One forged TFTP read request, its source set to a dead address, for `name`.
fn forged_tftp_request(server: &Server, source: &str, name: &str) {
    let socket = std::net::UdpSocket::bind((source, 0)).unwrap();
    let mut request = vec![0, 1];
    request.extend_from_slice(name.as_bytes());
    request.extend_from_slice(b"\0octet\0");
    socket.send_to(&request, server.tftp).unwrap();
}

#[tokio::test]
async fn a_forged_tftp_request_cannot_bind_a_phone_under_trust_on_first_use() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    trust_first_address(&server);
    // Issue 28, finding 4c: one packet "from" a dead address, before the phones boot.
    for name in [format!("{AASTRA}.cfg"), format!("{POLYCOM}.cfg")] {
        forged_tftp_request(&server, "127.0.5.250", &name);
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    for mac in [AASTRA, POLYCOM] {
        let binding = api(&server, "GET", &format!("/phones/{mac}/binding"), &[]);
        assert_eq!(json(&binding)["address"], serde_json::Value::Null, "{mac}");
    }
    // The real phones boot over HTTP from their own address and are bound there.
    assert_eq!(
        fetch_from(&server, "127.0.0.3", &format!("{AASTRA}.cfg")),
        200
    );
    boot_from(&server, "127.0.0.4", POLYCOM);
    assert_eq!(fetch_from(&server, "127.0.0.4", "201.cfg"), 200);
    let binding = api(&server, "GET", &format!("/phones/{AASTRA}/binding"), &[]);
    assert_eq!(json(&binding)["address"], "127.0.0.3");
    // Over TFTP, an Aastra phone's credential master file goes only to its bound address.
    let tftp = |source: &str| {
        common::server::fetch_all(
            source,
            &[format!("tftp://{}/{AASTRA}.cfg", server.tftp)],
            "%{exitcode}\n",
            &[],
        )
        .join("")
    };
    assert_eq!(tftp("127.0.0.3"), "0", "served to the bound address");
    assert_ne!(tftp("127.0.0.6"), "0", "refused elsewhere");
    await_log(&server, &["credential file refused", "TFTP cannot prove"]);
}

#[tokio::test]
async fn a_phone_login_accepts_each_of_its_passwords() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    let set = send_json(
        &server,
        "PUT",
        &format!("/phones/{POLYCOM}/login"),
        r#"{"username": "alice-phone", "passwords": ["new-password-1", "old-password-0"]}"#,
    );
    assert_eq!(set.status, 204, "{}", String::from_utf8_lossy(&set.body));
    boot_from(&server, "127.0.0.1", POLYCOM);
    let url = format!("{}/201.cfg", server.base);

    let bare = curl(&url, &[]);
    assert_eq!(bare.status, 401);
    let challenge = bare.header("WWW-Authenticate").unwrap_or_default();
    assert!(
        challenge.starts_with("Digest realm=\"phoneprov\""),
        "{challenge}"
    );
    assert!(
        !bare.headers.contains("Basic"),
        "no Basic over plain HTTP: {}",
        bare.headers
    );

    for password in ["new-password-1", "old-password-0"] {
        let user = format!("alice-phone:{password}");
        let reply = curl(&url, &["--digest", "-u", &user]);
        assert_eq!(reply.status, 200, "{password}");
        assert!(String::from_utf8_lossy(&reply.body).contains("alice-secret-201"));
    }
    for user in ["alice-phone:guessed-password", "someone:new-password-1"] {
        assert_eq!(curl(&url, &["--digest", "-u", user]).status, 401, "{user}");
    }
    // Basic is refused over plain HTTP even with the right password.
    assert_eq!(
        curl(&url, &["--basic", "-u", "alice-phone:new-password-1"]).status,
        401
    );
    await_log(
        &server,
        &["audit", "login failed", "a wrong password", POLYCOM],
    );
    // Files without a password need no login; FTP and TFTP get no credential file of this phone.
    assert_eq!(
        curl(&format!("{}/{POLYCOM}.cfg", server.base), &[]).status,
        200
    );
    let ftp = curl(
        &format!("ftp://PlcmSpIp:PlcmSpIp@{}/201.cfg", server.ftp),
        &[],
    );
    assert_ne!(ftp.status, 226, "FTP refuses the file");
    assert!(ftp.body.is_empty());

    // Bad logins are refused with the field named; removing the login opens the file again.
    let bad = send_json(
        &server,
        "PUT",
        &format!("/phones/{POLYCOM}/login"),
        r#"{"username": "alice-phone", "passwords": ["short"]}"#,
    );
    assert_eq!(bad.status, 422);
    assert!(String::from_utf8_lossy(&bad.body).contains("password 1"));
    assert_eq!(
        api(&server, "DELETE", &format!("/phones/{POLYCOM}/login"), &[]).status,
        204
    );
    assert_eq!(curl(&url, &[]).status, 200);
    let audit = json(&api(&server, "GET", "/audit", &[])).to_string();
    assert!(audit.contains("phone-login"), "{audit}");
    assert!(
        !audit.contains("new-password-1"),
        "no password in the audit log"
    );
}

#[tokio::test]
async fn https_with_a_test_ca_and_client_certificates_naming_the_phone() {
    let pki = Pki::new();
    let ca = pki.path("ca.pem");
    // HTTPS beside HTTP, no client certificates.
    let args = pki.https_serve_args(TOKEN, &[]);
    let server = start_with(&args.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let https = server.https.clone().expect("HTTPS started");
    let reply = curl(&format!("{https}/{POLYCOM}.cfg"), &["--cacert", &ca]);
    assert_eq!(
        reply.status, 200,
        "fetched over HTTPS, the server checked against the CA"
    );
    assert_eq!(
        reply.body,
        curl(&format!("{}/{POLYCOM}.cfg", server.base), &[]).body
    );
    assert_eq!(
        curl(&format!("{https}/{POLYCOM}.cfg"), &[]).status,
        0,
        "curl refuses the server without the test CA"
    );
    // Basic login is accepted over TLS.
    let set = send_json(
        &server,
        "PUT",
        &format!("/phones/{POLYCOM}/login"),
        r#"{"username": "alice-phone", "passwords": ["new-password-1", "old-password-0"]}"#,
    );
    assert_eq!(set.status, 204);
    let basic = [
        "--cacert",
        ca.as_str(),
        "--basic",
        "-u",
        "alice-phone:old-password-0",
    ];
    assert_eq!(curl(&format!("{https}/201.cfg"), &basic).status, 200);
    // Last-seen data is written in batches: wait for it.
    let mut phone = serde_json::Value::Null;
    for _ in 0..50 {
        phone = json(&api(&server, "GET", &format!("/phones/{POLYCOM}"), &[]));
        if !phone["last_seen"].is_null() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        phone["last_seen"].to_string().contains("https"),
        "recorded as an HTTPS fetch: {phone}"
    );
    drop(server);

    let args = pki.https_serve_args(TOKEN, &["--http-listen", "off", "--tls-client-ca", &ca]);
    let server = start_with(&args.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let https = server.https.clone().expect("HTTPS started");
    let with = |name: &str, file: &str| {
        let (c, k) = (
            pki.path(&format!("{name}.pem")),
            pki.path(&format!("{name}.key")),
        );
        curl(
            &format!("{https}/{file}"),
            &["--cacert", &ca, "--cert", &c, "--key", &k],
        )
        .status
    };
    assert_eq!(with("right", &format!("{POLYCOM}.cfg")), 200);
    assert_eq!(
        with("right", "201.cfg"),
        200,
        "its extension's credential file"
    );
    // Refused as if missing: a certificate tells nothing about which phones exist.
    assert_eq!(with("wrong", &format!("{POLYCOM}.cfg")), 404);
    assert_eq!(with("wrong", "201.cfg"), 404);
    // A certificate the CA signed but naming no MAC gets no phone's files (and an extension on
    // no phone goes to nobody at all: see the test below).
    assert_eq!(with("macless", &format!("{POLYCOM}.cfg")), 404);
    assert_eq!(with("macless", "201.cfg"), 404);
    // With client certificates asked for, FTP (and TFTP) cannot carry one: they get no phone's
    // own file, only files of no phone.
    let ftp = |file: &str| {
        curl(
            &format!("ftp://PlcmSpIp:PlcmSpIp@{}/{file}", server.ftp),
            &[],
        )
    };
    for file in [format!("{POLYCOM}.cfg"), "201.cfg".into()] {
        let reply = ftp(&file);
        assert!(
            reply.status != 226 && reply.body.is_empty(),
            "{file} over FTP"
        );
    }
    assert_eq!(ftp("altigen.cfg").status, 226);
    let tftp = |file: &str| {
        common::server::fetch_all(
            "127.0.0.1",
            &[format!("tftp://{}/{file}", server.tftp)],
            "%{exitcode}\n",
            &[],
        )
        .join("")
    };
    assert_ne!(
        tftp(&format!("{POLYCOM}.cfg")),
        "0",
        "TFTP refuses the master file"
    );
    assert_ne!(tftp("201.cfg"), "0");
    assert_eq!(tftp("altigen.cfg"), "0");
    await_log(
        &server,
        &["audit", "go only over HTTPS with its client certificate"],
    );
    assert_eq!(
        with("wrong", "altigen.cfg"),
        200,
        "a file of no phone: any verified client"
    );
    let none = curl(&format!("{https}/altigen.cfg"), &["--cacert", &ca]);
    assert_eq!(none.status, 403, "no client certificate");
    await_log(
        &server,
        &[
            "audit",
            "the client certificate names another phone",
            "0004f2999999",
        ],
    );
    // Admins reach the API over HTTPS without a client certificate.
    let auth = format!("Authorization: Bearer {TOKEN}");
    let status = curl(
        &format!("{https}/api/v1/status"),
        &["--cacert", &ca, "-H", &auth],
    );
    assert_eq!(status.status, 200);
}

#[tokio::test]
async fn ftps_with_the_same_certificate_and_plain_ftp_refused_when_required() {
    let pki = Pki::new();
    let (cert, key, ca) = (
        pki.path("server.pem"),
        pki.path("server.key"),
        pki.path("ca.pem"),
    );
    let server = start_with(&["--tls-cert", &cert, "--tls-key", &key]).await;
    let url = format!("ftp://PlcmSpIp:PlcmSpIp@{}/altigen.cfg", server.ftp);
    let plain = curl(&url, &[]);
    let secure = curl(&url, &["--ssl-reqd", "--cacert", &ca]);
    assert_eq!(secure.status, 226, "FTPS (AUTH TLS, protected data) works");
    assert_eq!(secure.body, plain.body, "the same file either way");
    assert!(!secure.body.is_empty());

    let untrusted = curl(&url, &["--ssl-reqd"]);
    assert!(
        untrusted.status != 226 && untrusted.body.is_empty(),
        "curl refuses the server without the test CA"
    );
    drop(server);

    let server = start_with(&["--tls-cert", &cert, "--tls-key", &key, "--ftps-required"]).await;
    let url = format!("ftp://PlcmSpIp:PlcmSpIp@{}/altigen.cfg", server.ftp);
    let plain = curl(&url, &[]);
    assert!(plain.body.is_empty(), "no file without TLS");
    assert_ne!(plain.status, 226);
    assert_eq!(curl(&url, &["--ssl-reqd", "--cacert", &ca]).status, 226);
}

#[tokio::test]
async fn outsiders_never_bind_a_phone_and_phoneless_credentials_go_nowhere() {
    let server = start_with(&[
        "--admin-token",
        TOKEN,
        "--provisioning-network",
        "127.0.0.0/30",
    ])
    .await;
    trust_first_address(&server);
    // An address outside the provisioning networks fetches the master file first: it gets it
    // (no secret in it) but does not bind the phone.
    assert_eq!(
        fetch_from(&server, "127.0.0.9", &format!("{POLYCOM}.cfg")),
        200
    );
    let binding = api(&server, "GET", &format!("/phones/{POLYCOM}/binding"), &[]);
    assert!(json(&binding)["address"].is_null(), "{}", json(&binding));
    assert_eq!(
        fetch_from(&server, "127.0.0.2", &format!("{POLYCOM}.cfg")),
        200
    );
    assert_eq!(fetch_from(&server, "127.0.0.2", "201.cfg"), 200);
    // An extension on no phone: nobody gets its file (with or without trust on first use).
    let created = send_json(
        &server,
        "POST",
        "/extensions",
        r#"{"number": "299", "display_name": "Nobody", "password": "nobody-secret-299"}"#,
    );
    assert_eq!(
        created.status,
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    assert_eq!(fetch_from(&server, "127.0.0.2", "299.cfg"), 404);
}

#[tokio::test]
async fn a_phones_uploads_go_only_to_and_from_its_bound_address() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    trust_first_address(&server);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("override");
    std::fs::write(
        &file,
        b"<PHONE_CONFIG><ALL reg.1.server.1.address=\"evil\"/></PHONE_CONFIG>",
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let put = |source: &str| {
        curl(
            &format!("{}/{POLYCOM}-phone.cfg", server.base),
            &["--interface", source, "-T", file],
        )
        .status
    };
    // Unbound: nobody may write the phone's override (it would reach the phone at its boot);
    // the refusal is "not found", as for a phone that does not exist.
    assert_eq!(put("127.0.0.2"), 404);
    assert_eq!(
        fetch_from(&server, "127.0.0.1", &format!("{POLYCOM}.cfg")),
        200
    );
    assert_eq!(put("127.0.0.2"), 404, "another address may not write it");
    assert_eq!(put("127.0.0.1"), 204, "the phone's own address may");
    assert_eq!(
        fetch_from(&server, "127.0.0.1", &format!("{POLYCOM}-phone.cfg")),
        200
    );
    assert_eq!(
        fetch_from(&server, "127.0.0.2", &format!("{POLYCOM}-phone.cfg")),
        404,
        "nor read it back"
    );
    await_log(&server, &["audit", "upload refused", "127.0.0.2"]);
}
