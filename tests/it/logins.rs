//! Issue 28's logins and session: the admin session cookie is `Secure` and HSTS is sent when
//! the page is served over HTTPS (and neither over plain HTTP, where a browser would drop a
//! `Secure` cookie), through the real binary with curl.

use crate::common;

use common::pki::Pki;
use common::server::{TOKEN, curl, start_with};

#[tokio::test]
async fn over_https_the_session_cookie_is_secure_and_hsts_is_sent() {
    let pki = Pki::new();
    let (cert, key, ca) = (
        pki.path("server.pem"),
        pki.path("server.key"),
        pki.path("ca.pem"),
    );
    let server = start_with(&[
        "--admin-token",
        TOKEN,
        "--https-listen",
        "127.0.0.1:0",
        "--tls-cert",
        &cert,
        "--tls-key",
        &key,
    ])
    .await;
    let https = server.https.clone().expect("HTTPS started");
    let https = https.trim_end_matches("/prov");
    let http = server.base.trim_end_matches("/prov");

    let secure = curl(&format!("{https}/admin/login"), &["--cacert", &ca]);
    assert_eq!(secure.status, 200);
    let cookie = secure.header("set-cookie").expect("a session cookie");
    assert!(cookie.ends_with("; Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly; SameSite=Strict"), "{cookie}");
    let hsts = secure.header("strict-transport-security").expect("HSTS");
    assert!(hsts.starts_with("max-age="), "{hsts}");

    let plain = curl(&format!("{http}/admin/login"), &[]);
    assert_eq!(plain.status, 200);
    let cookie = plain.header("set-cookie").expect("a session cookie");
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert_eq!(plain.header("strict-transport-security"), None);
}
