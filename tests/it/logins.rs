//! Issue 28's logins, sessions and secrets, through the real binary with curl: the admin session
//! cookie is `Secure` and HSTS is sent over HTTPS (neither over plain HTTP); secrets given on the
//! command line are named at start and publish never shows its password; lockouts count the
//! client a trusted reverse proxy reports, say how many attempts are left and are lifted by
//! `phoneprov unlock`; the right token always works on the data folder's admin socket.

use crate::common;

use common::pki::Pki;
use common::server::{TOKEN, curl, start_with};

#[tokio::test]
async fn over_https_the_session_cookie_is_secure_and_hsts_is_sent() {
    let pki = Pki::new();
    let ca = pki.path("ca.pem");
    let args = pki.https_serve_args(TOKEN, &[]);
    let server = start_with(&args.iter().map(String::as_str).collect::<Vec<_>>()).await;
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

/// `curl` of the admin API from `source` with `token` and extra arguments; the status.
fn api_from(server: &common::server::Server, source: &str, token: &str, extra: &[&str]) -> u16 {
    let url = format!("{}/api/v1/status", server.base.trim_end_matches("/prov"));
    let bearer = format!("Authorization: Bearer {token}");
    let mut args = vec!["--interface", source, "-H", &bearer];
    args.extend_from_slice(extra);
    curl(&url, &args).status
}

/// Issue 28, finding 6b: behind the recommended reverse proxy, ten wrong tokens locked every
/// admin out (all came from the proxy's address). With the proxy trusted, the address it
/// reports is counted; a client that is not a trusted proxy cannot pick its address by header;
/// the web login says how many attempts are left; `phoneprov unlock` lifts a lock at once.
#[tokio::test]
async fn lockouts_count_the_client_behind_a_trusted_proxy_and_a_local_command_lifts_them() {
    let server = start_with(&["--admin-token", TOKEN, "--trusted-proxy", "127.0.0.50/32"]).await;
    let through_proxy = |client: &str, token: &str| {
        let header = format!("X-Forwarded-For: {client}");
        api_from(&server, "127.0.0.50", token, &["-H", &header])
    };
    let guesses: Vec<u16> = (0..11)
        .map(|_| through_proxy("198.51.100.7", "wrong-token-wrong-token"))
        .collect();
    assert_eq!(guesses[..10], [401; 10]);
    assert_eq!(guesses[10], 429, "the guesser is locked out");
    assert_eq!(
        through_proxy("198.51.100.7", TOKEN),
        429,
        "its right token too"
    );
    assert_eq!(
        through_proxy("198.51.100.8", TOKEN),
        200,
        "another admin through the proxy"
    );
    // A forged header from an address that is no trusted proxy names nobody but itself.
    let forged = |token: &str| {
        api_from(
            &server,
            "127.0.0.60",
            token,
            &["-H", "X-Forwarded-For: 198.51.100.9"],
        )
    };
    for _ in 0..10 {
        assert_eq!(forged("wrong-token-wrong-token"), 401);
    }
    assert_eq!(forged(TOKEN), 429, "127.0.0.60 itself is locked");
    assert_eq!(
        through_proxy("198.51.100.9", TOKEN),
        200,
        "the forged name is not"
    );

    // The web login counts down.
    let jar = tempfile::NamedTempFile::new().unwrap();
    let jar = jar.path().to_str().unwrap().to_string();
    let web = server.base.trim_end_matches("/prov").to_string();
    let page = curl(
        &format!("{web}/admin/login"),
        &["-b", &jar, "-c", &jar, "--interface", "127.0.0.61"],
    );
    let html = String::from_utf8_lossy(&page.body).to_string();
    let at =
        html.find(r#"name="csrf" value=""#).expect("a CSRF field") + r#"name="csrf" value=""#.len();
    let csrf = html[at..].split('"').next().unwrap().to_string();
    let wrong = curl(
        &format!("{web}/admin/login"),
        &[
            "-b",
            &jar,
            "-c",
            &jar,
            "--interface",
            "127.0.0.61",
            "--data-urlencode",
            &format!("csrf={csrf}"),
            "--data-urlencode",
            "token=not-the-token-at-all",
        ],
    );
    assert_eq!(wrong.status, 401);
    let said = String::from_utf8_lossy(&wrong.body);
    assert!(said.contains("9 more failed attempt(s)"), "{said}");

    // A local command lifts the locks.
    let out = server.db.run(&["unlock"]);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(forged(TOKEN), 200, "unlocked");
    assert_eq!(through_proxy("198.51.100.7", TOKEN), 200, "unlocked");
    assert!(
        !server
            .await_log_lines("unlocked for every address")
            .await
            .is_empty()
    );
}

/// The admin API on the data folder's socket: the right token always works there, even while
/// the server's own addresses are locked out.
#[tokio::test]
async fn the_right_token_always_works_on_the_local_socket() {
    let server = start_with(&["--admin-token", TOKEN]).await;
    for _ in 0..10 {
        assert_eq!(
            api_from(&server, "127.0.0.1", "wrong-token-wrong-token", &[]),
            401
        );
    }
    assert_eq!(
        api_from(&server, "127.0.0.1", TOKEN, &[]),
        429,
        "locked out"
    );
    let socket = server.db.dir.path().join("admin.sock");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&socket).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let socket = socket.display().to_string();
    let over_socket = |token: &str| {
        let bearer = format!("Authorization: Bearer {token}");
        curl(
            "http://localhost/api/v1/status",
            &["--unix-socket", &socket, "-H", &bearer],
        )
        .status
    };
    assert_eq!(over_socket(TOKEN), 200);
    assert_eq!(
        over_socket("wrong-token-wrong-token"),
        401,
        "the token is still needed"
    );
}
