//! The command line as a user runs it: `serve --demo` loads the demo into an empty store and stops
//! cleanly on Ctrl-C; `check` warns about the unset call server; the data folder is created; bad
//! `serve` values are usage errors; a privileged port without privilege says how to fix it.

use crate::common;
use phoneprov::store::prelude::*;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::{KillOnDrop, assert_success, databases, read_log_until, stderr, stdout};

#[tokio::test]
async fn serve_demo_loads_once_and_stops_on_ctrl_c() {
    for db in databases().await {
        for round in 0..2 {
            let mut child = db
                .command()
                .args(["serve", "--demo", "--http-listen", "127.0.0.1:0"])
                .args(["--ftp-listen", "127.0.0.1:0"])
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let stderr = child.stderr.take().unwrap();
            let log = read_log_until(&mut BufReader::new(stderr).lines(), "phoneprov is running");
            let loaded = log.iter().any(|l| l.contains("loaded the demo deployment"));
            assert_eq!(
                loaded,
                round == 0,
                "demo loaded only into an empty store: {log:?}"
            );
            let status = std::process::Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status()
                .unwrap();
            assert!(status.success());
            let exit = child.wait().unwrap();
            assert!(exit.success(), "serve exits 0 on Ctrl-C: {exit} {log:?}");
        }
        let store = db.open().await;
        let counts = store.counts().await.unwrap();
        assert_eq!(
            (counts.extensions, counts.phones),
            (7, 5),
            "{:?}",
            db.backend
        );
        store.close().await;
    }
}

#[tokio::test]
async fn check_warns_about_the_unset_call_server() {
    let db = common::sqlite_db();
    let out = db.run(&["check", "--server-address", "10.0.0.1"]);
    assert_success(&out, "check");
    assert_eq!(
        stdout(&out),
        "warning: site \"default\" has no call server set; its phones are sent phoneprov's own \
         address 10.0.0.1 (from --server-address)\ncheck: 0 error(s), 1 warning(s)\n"
    );
    // Without --server-address, an address of this host is used and the warning says so.
    let out = db.run(&["check"]);
    assert_success(&out, "check");
    assert!(stdout(&out).contains("(found on this host; set --server-address"));
}

/// Limits told, not discovered: `check` warns when a phone's directory lists more contacts than
/// the phone keeps (an Aastra/Mitel phone keeps at most 200: 41-001343-02 REV04, "Directory List
/// Limitations") and when two codecs share a priority on a Polycom phone ("give each codec a
/// unique priority", Polycom SIP 1.4 administrator guide 4.6.1.6.1.1), here `@codecs` for the
/// deployment (G.722 first, G.711 a-law second) and a raw G.729 priority 2 for one phone.
#[tokio::test]
async fn check_warns_about_directories_past_a_phones_limit_and_colliding_codecs() {
    let db = common::golden_sqlite_db().await;
    let out = db.run(&["check", "--server-address", "10.0.0.1"]);
    let said = stdout(&out);
    assert!(!said.contains("company contacts"), "{said}");
    assert!(!said.contains("share priority"), "{said}");

    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("extension,display_name\n");
    for n in 0..200 {
        csv.push_str(&format!("{},Staff {n}\n", 5000 + n));
    }
    let extensions = dir.path().join("staff.csv");
    std::fs::write(&extensions, csv).unwrap();
    // The import itself says what the phones cannot keep (issue 31 item 6).
    let imported = db.run(&["import", extensions.to_str().unwrap()]);
    assert_success(&imported, "import");
    assert!(
        stdout(&imported).contains(
            "warning: 1 aastra phone(s) list up to 207 company contacts, but keep at most 200"
        ),
        "{}",
        stdout(&imported)
    );
    let settings = dir.path().join("settings.csv");
    std::fs::write(
        &settings,
        "scope,target,parameter,value\n\
         deployment,,@codecs,\"g722,pcma\"\n\
         phone,0004f214ab37,voice.codecPref.G729AB,2\n",
    )
    .unwrap();
    let imported = db.run(&["settings", "import", settings.to_str().unwrap(), "--json"]);
    assert_success(&imported, "settings import");
    let report: serde_json::Value = serde_json::from_slice(&imported.stdout).unwrap();
    let limits: Vec<&str> = report["limits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l.as_str())
        .collect();
    assert!(
        limits
            .iter()
            .any(|l| l
                .starts_with("phone 0004f214ab37: codecs G711A (deployment @codecs) and G729AB")),
        "{report}"
    );
    let out = db.run(&["check", "--server-address", "10.0.0.1"]);
    let said = stdout(&out);
    assert!(
        said.contains(
            "warning: 1 aastra phone(s) list up to 207 company contacts, but keep at most 200"
        ),
        "{said}"
    );
    assert!(
        said.contains("warning: phone 0004f214ab37: codecs G711A (deployment @codecs) and G729AB (phone 0004f214ab37) share priority 2"),
        "{said}"
    );
    assert!(
        !said.contains("phone 0004f214ab38: codecs"),
        "no collision on the other phones: {said}"
    );
}

#[test]
fn the_default_sqlite_database_goes_in_the_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let data_dir = dir.path().join("nested").join("data");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_phoneprov"))
            .env_remove("PHONEPROV_DATABASE_URL")
            .env("PHONEPROV_DATA_DIR", &data_dir)
            .args(args)
            .output()
            .unwrap()
    };
    // A command that only reads names the folder it looked in and creates nothing there (run
    // from the wrong folder, it would otherwise show an empty deployment).
    for args in [&["check"][..], &["site", "list"], &["extension", "list"]] {
        let refused = run(args);
        assert_eq!(refused.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&refused).contains(&format!(
                "there is no database in {} (no phoneprov.db): this command reads one and creates none",
                data_dir.display()
            )),
            "{}",
            stderr(&refused)
        );
        assert!(!data_dir.join("phoneprov.db").exists(), "{args:?}");
    }
    // One that writes creates it, and says so.
    let csv = dir.path().join("first.csv");
    std::fs::write(&csv, "extension,display_name\n201,First\n").unwrap();
    let created = run(&["import", csv.to_str().unwrap()]);
    assert_success(&created, "import");
    assert!(
        stderr(&created).contains(&format!(
            "note: there is no database in {} yet: creating one",
            data_dir.display()
        )),
        "{}",
        stderr(&created)
    );
    assert!(data_dir.join("phoneprov.db").is_file());
    assert_success(&run(&["check"]), "check");
}

/// A broken template override is refused at start with its name and line; after the file is
/// fixed, SIGHUP reloads the templates and the override is taken.
#[tokio::test]
async fn serve_reloads_templates_on_sighup() {
    let db = common::sqlite_db();
    let templates = db.dir.path().join("templates").join("polycom");
    std::fs::create_dir_all(&templates).unwrap();
    let site = templates.join("site.xml");
    std::fs::write(&site, "<x>\n{{ site.nope }}</x>").unwrap();
    let mut child = KillOnDrop(
        db.command()
            .args([
                "serve",
                "--http-listen",
                "127.0.0.1:0",
                "--ftp-listen",
                "off",
            ])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.0.stderr.take().unwrap()).lines();
    let mut wait_for =
        |needle: &str| -> String { read_log_until(&mut lines, needle).pop().unwrap_or_default() };
    let refused = wait_for("templates folder, polycom/site.xml");
    assert!(
        refused.contains("refused") && refused.contains("polycom/site.xml:2:"),
        "{refused}"
    );
    wait_for("phoneprov is running");
    std::fs::write(&site, "<x port=\"{{ site.sip_port }}\"/>").unwrap();
    let kill = |signal: &str| {
        let status = std::process::Command::new("kill")
            .args([signal, &child.0.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    };
    kill("-HUP");
    let taken = wait_for("using the template from the templates folder");
    assert!(taken.contains("polycom/site.xml"), "{taken}");
    kill("-INT");
    assert!(child.0.wait().unwrap().success());
}

#[test]
fn serve_refuses_bad_listener_and_option_values() {
    let db = common::sqlite_db();
    for (args, needle) in [
        (
            &["--dhcp-polycom-option", "100"][..],
            "not 66 or an option code from 128 to 254",
        ),
        (
            &["--ftp-listen", "nowhere"][..],
            "is not ADDRESS:PORT or off",
        ),
        (
            &["--ftp-passive-ports", "5000-4000"][..],
            "the range must run from 1 up",
        ),
        (
            &["--ftp-account", "no-password"][..],
            "is not USER:PASSWORD",
        ),
    ] {
        let out = db.run(&[&["serve"][..], args].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let message = common::stderr(&out);
        assert!(message.contains(needle), "{args:?}: {message}");
        assert!(!message.contains("panicked"), "{message}");
    }
}

/// `phoneprov ARGS` as an unprivileged user: through `setpriv` (as `nobody`) when the tests run
/// as root, as CI does; as the tester otherwise.
fn run_unprivileged(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    let uid = std::process::Command::new("id").arg("-u").output().unwrap();
    let root = String::from_utf8_lossy(&uid.stdout).trim() == "0";
    let mut command = if root {
        let mut setpriv = std::process::Command::new("setpriv");
        setpriv
            .args(["--reuid", "65534", "--regid", "65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_phoneprov"));
        setpriv
    } else {
        std::process::Command::new(env!("CARGO_BIN_EXE_phoneprov"))
    };
    command
        .env_remove("PHONEPROV_DATABASE_URL")
        .env_remove("PHONEPROV_DATA_DIR")
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn a_privileged_port_without_privilege_says_how_to_fix_it() {
    let unprivileged_start =
        std::fs::read_to_string("/proc/sys/net/ipv4/ip_unprivileged_port_start")
            .map(|v| v.trim().parse::<u16>().unwrap_or(1024))
            .unwrap_or(1024);
    assert!(
        unprivileged_start > 21,
        "this machine lets anyone bind ports from {unprivileged_start}; the test needs 21 and 80 privileged"
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(
        dir.path(),
        std::os::unix::fs::PermissionsExt::from_mode(0o777),
    )
    .unwrap();
    for (args, server, example) in [
        (
            &[
                "serve",
                "--http-listen",
                "127.0.0.1:80",
                "--ftp-listen",
                "off",
            ][..],
            "HTTP",
            "--http-listen 0.0.0.0:8080",
        ),
        (
            &[
                "serve",
                "--http-listen",
                "127.0.0.1:0",
                "--ftp-listen",
                "127.0.0.1:21",
            ][..],
            "FTP",
            "--ftp-listen 0.0.0.0:2121",
        ),
    ] {
        let out = run_unprivileged(dir.path(), args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let message = common::stderr(&out);
        assert!(
            message.contains(&format!("the {server} server cannot listen"))
                && message.contains("permission denied")
                && message.contains("setcap cap_net_bind_service=+ep")
                && message.contains(example),
            "{message}"
        );
    }
}

/// A reader that stops early (`phoneprov extension list | head -1`) is no failure: no "Broken
/// pipe" error, exit code 0.
#[test]
fn a_reader_that_stops_early_is_no_error() {
    let db = common::sqlite_db();
    let mut csv = String::from("extension,display_name\n");
    for n in 0..3000 {
        csv.push_str(&format!("{},Staff member number {n}\n", 5000 + n));
    }
    let file = common::write_file(db.dir.path(), "staff.csv", &csv);
    assert_success(&db.run(&["import", &file]), "import");
    let mut child = db
        .command()
        .args(["extension", "list"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("EXTENSION"), "{first}");
    // The reader is gone: the rest of the list meets a closed pipe.
    let out = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!said.contains("Broken pipe"), "{said}");
    assert_eq!(out.status.code(), Some(0), "{said}");
}

/// The demo lives apart from the real data (issue 32 item 3): `serve --demo` without a data
/// folder keeps it in `./phoneprov-demo`, and `./phoneprov-data`, where the real deployment goes,
/// gets nothing of it.
#[test]
fn the_demo_lives_in_a_folder_of_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = KillOnDrop(
        std::process::Command::new(env!("CARGO_BIN_EXE_phoneprov"))
            .current_dir(dir.path())
            .env_remove("PHONEPROV_DATA_DIR")
            .env_remove("PHONEPROV_DATABASE_URL")
            .env_remove("RUST_LOG")
            .args(["serve", "--demo", "--http-listen", "127.0.0.1:0"])
            .args(["--ftp-listen", "off", "--push-listen", "127.0.0.1:0"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stderr = child.0.stderr.take().unwrap();
    let log = read_log_until(&mut BufReader::new(stderr).lines(), "phoneprov is running");
    assert!(
        log.iter()
            .any(|l| l.contains("loaded the demo deployment into phoneprov-demo")),
        "{log:?}"
    );
    drop(child);
    assert!(dir.path().join("phoneprov-demo/phoneprov.db").is_file());
    assert!(!dir.path().join("phoneprov-data").exists());
}

/// Issue 32 item 9: a command's output is its own: a change made from the CLI prints no `INFO`
/// log line between its output's (its audit entry is in the audit log), while a warning still
/// shows; and a settings CSV saved as a workbook is named as one.
#[tokio::test]
async fn cli_output_is_free_of_log_lines() {
    let db = common::golden_sqlite_db().await;
    let set = db.run(&["site", "set", "default", "--server", "10.10.0.9"]);
    assert_success(&set, "site set");
    let said = format!("{}{}", stdout(&set), stderr(&set));
    assert!(!said.contains("INFO"), "{said}");
    let store = db.open().await;
    let audit = store.audit(5).await.unwrap();
    assert!(
        audit.iter().any(|e| e.subject == "default"),
        "the change is audited: {audit:?}"
    );
    store.close().await;
    let dir = tempfile::tempdir().unwrap();
    let workbook = dir.path().join("settings.xlsx");
    std::fs::write(&workbook, b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml").unwrap();
    let refused = db.run(&["settings", "import", workbook.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("this file is an Excel workbook (.xlsx)"),
        "{}",
        stderr(&refused)
    );
}
