//! Issue 28's logins, sessions and secrets: the admin session cookie is `Secure` and HSTS is sent when
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

/// Secrets on the command line (issue 28, finding 10): every local user reads
/// `/proc/PID/cmdline`, so each one given there is warned about at start with where it belongs;
/// one from the environment is not. A malformed publish URL is never echoed with its password,
/// a password file others can read is refused, and files published to a folder are 0640
/// whatever the umask.
#[tokio::test]
async fn secrets_on_the_command_line_are_named_and_publish_keeps_its_password() {
    let server = start_with(&[
        "--admin-token",
        TOKEN,
        "--ftp-account",
        "prov:Acct-secret-77",
    ])
    .await;
    let warned = server.log_lines("was given on the command line");
    assert!(
        warned
            .iter()
            .any(|l| l.contains("--admin-token") && l.contains("PHONEPROV_ADMIN_TOKEN")),
        "{warned:?}"
    );
    assert!(
        warned
            .iter()
            .any(|l| l.contains("--ftp-account") && l.contains("PHONEPROV_FTP_ACCOUNTS")),
        "{warned:?}"
    );
    let db = server.stop();

    // A publish URL with its password: named; the password from the environment: not.
    let exposed = db.run(&["publish", "ftp://pub:Leak3dPW@127.0.0.1:1/x"]);
    let said = common::stderr(&exposed);
    assert!(said.contains("a publish URL with a password"), "{said}");
    assert!(!said.contains("Leak3dPW"), "{said}");
    let hidden = db
        .command()
        .env("PHONEPROV_PUBLISH_PASSWORD", "Leak3dPW")
        .args(["publish", "ftp://pub@127.0.0.1:1/x"])
        .output()
        .unwrap();
    let said = common::stderr(&hidden);
    assert!(!said.contains("command line"), "{said}");
    assert!(!said.contains("Leak3dPW"), "{said}");

    // A malformed URL is not echoed with its password.
    let malformed = db.run(&["publish", "ftp://pub:Leak3dPW@[::1/"]);
    assert!(!malformed.status.success());
    let said = common::stderr(&malformed);
    assert!(said.contains("is not a publish target"), "{said}");
    assert!(!said.contains("Leak3dPW"), "{said}");

    // A password file others can read is refused.
    use std::os::unix::fs::PermissionsExt;
    let file = db.dir.path().join("publish-password");
    std::fs::write(&file, "Leak3dPW\n").unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let file_arg = file.display().to_string();
    let readable = db.run(&[
        "publish",
        "ftp://pub@127.0.0.1:1/x",
        "--publish-password-file",
        &file_arg,
    ]);
    assert!(!readable.status.success());
    let said = common::stderr(&readable);
    assert!(said.contains("chmod 600"), "{said}");

    // Published to a folder under umask 000: 0640, not 0666.
    let folder = tempfile::tempdir().unwrap();
    let target = format!("dir:{}", folder.path().display());
    let mut command = db.command();
    command.args(["publish", &target]);
    under_umask_000(&mut command);
    let out = command.output().unwrap();
    assert!(out.status.success(), "{}", common::stderr(&out));
    let credential = folder.path().join("201.cfg");
    let mode = std::fs::metadata(&credential).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640, "{}", credential.display());
}

/// Runs `command` under umask 000 (through the shell, so the test process keeps its own).
fn under_umask_000(command: &mut std::process::Command) {
    let program = command.get_program().to_owned();
    let args: Vec<_> = command.get_args().map(|a| a.to_owned()).collect();
    let mut shell = std::process::Command::new("sh");
    shell
        .arg("-c")
        .arg("umask 000; exec \"$0\" \"$@\"")
        .arg(program)
        .args(args);
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => shell.env(key, value),
            None => shell.env_remove(key),
        };
    }
    *command = shell;
}
