//! Errors that say what to do (issue 21 item 6), each through the real binary: a semicolon
//! (Excel) CSV is read, a spreadsheet's column names get a "did you mean", a MAC a spreadsheet
//! turned into a number gets the fix, an unknown model points at `phoneprov models`, a dry run
//! on a fresh folder creates nothing, an unreachable PostgreSQL and a read-only SQLite file are
//! named within seconds, a hand-written `sqlite://` URL creates its file, and an error quoting
//! its cause does not repeat it. (The web upload over the size limit is in `web.rs`.)

use crate::common;

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{stderr, stdout};

fn phoneprov(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_phoneprov"))
        .env_remove("PHONEPROV_DATA_DIR")
        .env_remove("PHONEPROV_DATABASE_URL")
        .env_remove("RUST_LOG")
        .args(args)
        .output()
        .unwrap()
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn spreadsheet_files_are_read_or_explained() {
    let dir = common::data_dir();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let import = |file: &str| phoneprov(&["--data-dir", data, "import", file]);
    // Excel in a European locale saves semicolons: read as such.
    let semicolons = write(
        &dir,
        "excel.csv",
        "extension;display_name;mac;model\n201;Front Desk;0004f2000201;VVX_400\n",
    );
    let out = import(&semicolons);
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = stdout(&phoneprov(&["--data-dir", data, "extension", "list"]));
    assert!(listed.contains("Front Desk"), "{listed}");
    // Column names a spreadsheet user writes: the plainest are read as the column they name,
    // with a note; one that could mean two columns is refused with a guess ("Display Name" is
    // simply read).
    let names = write(
        &dir,
        "names.csv",
        "Extension,Name,MAC Address\n202,Back,0004f2000202\n",
    );
    let out = import(&names);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(
        said.contains("note: column \"Name\" read as \"display_name\""),
        "{said}"
    );
    assert!(
        said.contains("note: column \"MAC Address\" read as \"mac\""),
        "{said}"
    );
    let listed = stdout(&phoneprov(&["--data-dir", data, "extension", "list"]));
    assert!(listed.contains("Back"), "{listed}");
    let unclear = write(&dir, "unclear.csv", "Extension,User\n206,Who\n");
    let said = stderr(&import(&unclear));
    assert!(
        said.contains("unknown column \"User\" (did you mean \"display_name\"?)"),
        "{said}"
    );
    // A workbook uploaded instead of its CSV is named, with how to save it as CSV.
    let workbook = dir.path().join("extensions.xlsx");
    std::fs::write(&workbook, b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml").unwrap();
    let said = stderr(&import(workbook.to_str().unwrap()));
    assert!(
        said.contains("this file is an Excel workbook (.xlsx)")
            && said.contains("CSV UTF-8 (Comma delimited)"),
        "{said}"
    );
    let spaced = write(&dir, "spaced.csv", "Extension,Display Name\n203,Side\n");
    assert!(import(&spaced).status.success());
    // A MAC a spreadsheet made a number.
    let number = write(
        &dir,
        "number.csv",
        "extension,display_name,mac\n204,Lab,4.15123E+11\n",
    );
    let said = stderr(&import(&number));
    assert!(
        said.contains("line 2 (extension 204), column mac")
            && said.contains("format the mac column as Text"),
        "{said}"
    );
    // An unknown model points at the list, which the binary prints.
    let model = write(
        &dir,
        "model.csv",
        "extension,display_name,mac,model\n205,Lab,0004f2000205,VVX 999\n",
    );
    let said = stderr(&import(&model));
    assert!(said.contains("`phoneprov models` lists them"), "{said}");
    let models = stdout(&phoneprov(&["models"]));
    assert!(
        models.contains("VVX_400") && models.contains("6757i"),
        "{models}"
    );
}

#[test]
fn a_dry_run_on_a_fresh_folder_creates_nothing() {
    let dir = common::data_dir();
    let data = dir.path().join("not-yet");
    let file = write(&dir, "rows.csv", "extension,display_name\n201,Front Desk\n");
    let out = phoneprov(&[
        "--data-dir",
        data.to_str().unwrap(),
        "import",
        "--dry-run",
        &file,
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("create extension 201"),
        "{}",
        stdout(&out)
    );
    assert!(
        stderr(&out).contains("nothing was created"),
        "{}",
        stderr(&out)
    );
    assert!(!data.exists(), "no data folder, database or key");
}

#[test]
fn an_unreachable_postgres_is_named_at_once() {
    // A port nobody listens on: bind one, note it, close it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dir = common::data_dir();
    let url = format!("postgres://phoneprov:secret@127.0.0.1:{port}/phoneprov");
    let started = Instant::now();
    let out = phoneprov(&[
        "--data-dir",
        dir.path().to_str().unwrap(),
        "--database-url",
        &url,
        "site",
        "list",
    ]);
    assert!(!out.status.success());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    let said = stderr(&out);
    assert!(
        said.contains(&format!("connection refused at 127.0.0.1:{port}"))
            && said.contains("is PostgreSQL running"),
        "{said}"
    );
    assert!(
        !said.contains("secret"),
        "no password in the message: {said}"
    );
    assert!(!said.contains("pool timed out"), "{said}");
}

#[test]
fn a_read_only_sqlite_file_is_named() {
    let dir = common::data_dir();
    let data = dir.path().join("data");
    common::create_database(&data);
    let data = data.to_str().unwrap().to_string();
    assert!(
        phoneprov(&["--data-dir", &data, "site", "list"])
            .status
            .success()
    );
    // The data folder mounted read-only in a mount namespace of its own (as root can write any
    // file, a mode is not enough).
    let script = format!(
        "mount --bind {data} {data} && mount -o remount,ro,bind {data} {data} && exec {} --data-dir {data} site list",
        env!("CARGO_BIN_EXE_phoneprov")
    );
    let started = Instant::now();
    let out = Command::new("unshare")
        .args(["-m", "sh", "-c", &script])
        .output()
        .expect("unshare (util-linux)");
    assert!(!out.status.success());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    let said = stderr(&out);
    assert!(
        said.contains(&format!("{data}/phoneprov.db or its folder is read-only")),
        "{said}"
    );
}

#[test]
fn a_hand_written_sqlite_url_creates_its_file() {
    let dir = common::data_dir();
    let file = dir.path().join("hand.db");
    let url = format!("sqlite://{}", file.display());
    let out = phoneprov(&[
        "--data-dir",
        dir.path().to_str().unwrap(),
        "--database-url",
        &url,
        "site",
        "list",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(file.exists());
}

#[test]
fn an_error_does_not_repeat_its_cause() {
    let out = phoneprov(&[
        "--data-dir",
        "/proc/phoneprov-cannot-be-here",
        "import",
        "/dev/null",
    ]);
    assert!(!out.status.success());
    let said = stderr(&out);
    assert_eq!(
        said.matches("No such file or directory").count(),
        1,
        "{said}"
    );
    assert!(
        said.contains("cannot create the data folder /proc/phoneprov-cannot-be-here"),
        "{said}"
    );
}

#[test]
fn weak_sip_passwords_are_refused_without_being_repeated() {
    let dir = common::data_dir();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    for (password, why) in [
        ("abc123", "shorter than 8 characters"),
        ("11111111", "one character repeated"),
        ("desk-phone-7", "the extension's own number or SIP user"),
    ] {
        let file = write(
            &dir,
            "weak.csv",
            &format!(
                "extension,display_name,auth_user,password\n201,Desk,desk-phone-7,{password}\n"
            ),
        );
        let out = phoneprov(&["--data-dir", data, "import", &file]);
        assert!(!out.status.success(), "{password}");
        let said = stderr(&out);
        assert!(
            said.contains("line 2 (extension 201), column password: this SIP password is too weak")
                && said.contains(why)
                && said.contains("leave it empty to have a strong one generated"),
            "{said}"
        );
        assert!(
            !said.contains(password),
            "the password is not echoed: {said}"
        );
    }
    // Empty: a strong one is generated.
    let file = write(
        &dir,
        "empty.csv",
        "extension,display_name,password\n201,Desk,\n",
    );
    let out = phoneprov(&["--data-dir", data, "import", &file]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("generated password"),
        "{}",
        stdout(&out)
    );
}

/// Issue 32 item 9: a data folder phoneprov may not write says which user it runs as and what
/// to do; a --data-dir that is a file says so.
#[test]
fn data_folder_errors_name_the_user_and_what_to_do() {
    let dir = common::data_dir();
    // Root's own folder, closed to others; phoneprov run as nobody (uid 65534).
    let closed = dir.path().join("closed");
    std::fs::create_dir(&closed).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&closed, std::fs::Permissions::from_mode(0o700)).unwrap();
    let data = closed.join("pp");
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(env!("CARGO_BIN_EXE_phoneprov"))
        .args(["--data-dir", data.to_str().unwrap(), "import", "-"])
        .env_remove("RUST_LOG")
        .output()
        .expect("setpriv (util-linux)");
    assert!(!out.status.success());
    let said = stderr(&out);
    assert!(
        said.contains("cannot create the data folder")
            && said.contains("phoneprov runs as nobody")
            && said.contains(&format!("chown -R nobody {}", closed.display())),
        "{said}"
    );
    // A file where the folder should be.
    let file = write(&dir, "afile", "not a folder");
    let said = stderr(&phoneprov(&["--data-dir", &file, "import", &file]));
    assert!(said.contains("is a file, not a folder"), "{said}");
}
