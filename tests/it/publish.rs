//! Publishing to a boot server the site already has (issue 22), against a real vsftpd with the
//! AltiGen guide's `PlcmSpIp` account chrooted to a folder: a deployment of 1,000 phones is
//! published, a Polycom phone boots from vsftpd over FTP as a phone does (its master file, then
//! every file of `CONFIG_FILES`) and gets the bytes phoneprov serves over HTTP; one changed
//! password re-publishes one file; a deleted phone's files go and a file someone else put there
//! stays; FTPS with the server's certificate checked; a folder target; a refused login reported.

use crate::common;

use std::io::Read;

use common::server::{Server, TOKEN, api, curl, send_json, start_on};
use common::vsftpd::Vsftpd;
use common::{stderr, stdout};

/// The golden deployment and 1,000 more Polycom phones (VVX 400, extensions 1000-1999).
async fn thousand_phones() -> common::TestDb {
    let db = common::golden_sqlite_db().await;
    let mut csv = String::from("extension,display_name,password,mac,model,line\n");
    for i in 0..1000 {
        csv.push_str(&format!(
            "{},Person {i},pass-word-{i},0004f21{i:05x},VVX_400,1\n",
            1000 + i
        ));
    }
    let file = db.dir.path().join("phones.csv");
    std::fs::write(&file, csv).unwrap();
    let out = db.run(&["import", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    db
}

fn publish(server: &Server, args: &[&str]) -> std::process::Output {
    let mut all = vec!["publish"];
    all.extend_from_slice(args);
    server.db.run(&all)
}

/// The numbers of a publish summary: sent, deleted, unchanged, failed.
fn counts(out: &std::process::Output) -> (usize, usize, usize, usize) {
    let said = stdout(out);
    let line = said
        .lines()
        .find(|l| l.starts_with("published to"))
        .unwrap_or_else(|| panic!("no summary: {said}{}", stderr(out)));
    let number = |word: &str| -> usize {
        let before = line.split(&format!(" {word}")).next().unwrap();
        before.rsplit([' ', ':']).next().unwrap().parse().unwrap()
    };
    (
        number("sent"),
        number("deleted"),
        number("unchanged"),
        number("failed"),
    )
}

/// `CONFIG_FILES` of a Polycom master file.
fn config_files(master: &str) -> Vec<String> {
    let start = master.find("CONFIG_FILES=\"").unwrap() + "CONFIG_FILES=\"".len();
    master[start..]
        .split('"')
        .next()
        .unwrap()
        .split(',')
        .map(|f| f.trim().to_string())
        .filter(|f| !f.is_empty())
        .collect()
}

fn retrieve(ftp: &mut suppaftp::FtpStream, name: &str) -> Option<Vec<u8>> {
    ftp.retr_as_buffer(name).ok().map(|mut cursor| {
        let mut bytes = Vec::new();
        cursor.read_to_end(&mut bytes).unwrap();
        bytes
    })
}

#[tokio::test]
async fn a_thousand_phones_published_to_vsftpd_boot_from_it() {
    let db = thousand_phones().await;
    let server = start_on(db, &["--admin-token", TOKEN]);
    let ftp_server = Vsftpd::start();
    let target = ftp_server.target("ftp");
    std::fs::write(
        ftp_server.root.join("theirs.txt"),
        "put here by someone else",
    )
    .unwrap();

    let out = publish(&server, &[&target]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let (sent, deleted, unchanged, failed) = counts(&out);
    assert!(sent > 3000, "every phone's files: {sent}");
    assert_eq!((deleted, unchanged, failed), (0, 0, 0));
    assert!(
        !stdout(&out).contains("PlcmSpIp:PlcmSpIp"),
        "no password shown"
    );

    // A phone boots from vsftpd: its master file, then every file it lists that phoneprov
    // renders; each is byte for byte what phoneprov serves over HTTP.
    let mut phone = ftp_server.phone_client();
    // Phone 999 of the thousand.
    let mac = "0004f21003e7";
    let master = retrieve(&mut phone, &format!("{mac}.cfg")).expect("the master file");
    let http = curl(&format!("{}/{mac}.cfg", server.base), &[]);
    assert_eq!(http.status, 200);
    assert_eq!(master, http.body, "the master file");
    let master = String::from_utf8(master).unwrap();
    let mut compared = 0;
    for file in config_files(&master) {
        let http = curl(&format!("{}/{file}", server.base), &[]);
        if http.status != 200 {
            // phone1.cfg and sip.cfg come from Polycom's package (--with-firmware).
            assert!(retrieve(&mut phone, &file).is_none(), "{file}");
            continue;
        }
        assert_eq!(retrieve(&mut phone, &file), Some(http.body), "{file}");
        compared += 1;
    }
    assert!(
        compared >= 3,
        "settings, extension and site files: {compared}"
    );
    let _ = phone.quit();

    // Nothing changed: nothing sent.
    let again = publish(&server, &[&target]);
    assert_eq!(counts(&again).0, 0, "{}", stdout(&again));

    // One password changed: one file (that extension's) sent again.
    let reply = send_json(
        &server,
        "PUT",
        "/extensions/1000",
        r#"{"password": "a-new-pass-1000"}"#,
    );
    assert_eq!(reply.status, 200);
    let changed = publish(&server, &[&target]);
    assert_eq!(counts(&changed).0, 1, "{}", stdout(&changed));
    let on_target = std::fs::read_to_string(ftp_server.root.join("1000.cfg")).unwrap();
    assert!(on_target.contains("a-new-pass-1000"));

    // A deleted phone's files go; the file someone else put there stays.
    let gone = "0004f2100001";
    assert_eq!(
        api(&server, "DELETE", &format!("/phones/{gone}"), &[]).status,
        204
    );
    let removed = publish(&server, &[&target]);
    let (_, deleted, _, failed) = counts(&removed);
    assert!(deleted >= 3, "{}", stdout(&removed));
    assert_eq!(failed, 0);
    assert!(!ftp_server.root.join(format!("{gone}.cfg")).exists());
    assert!(
        !ftp_server
            .root
            .join(format!("{gone}-directory.xml"))
            .exists()
    );
    assert_eq!(
        std::fs::read_to_string(ftp_server.root.join("theirs.txt")).unwrap(),
        "put here by someone else"
    );
    let leftovers: Vec<String> = std::fs::read_dir(&ftp_server.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".phoneprov-part"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[tokio::test]
async fn ftps_a_folder_and_a_refused_login() {
    let db = common::golden_sqlite_db().await;
    let server = start_on(db, &["--admin-token", TOKEN]);

    // FTPS: the server's certificate checked against the CA given.
    let tls_server = Vsftpd::start_tls();
    let ca = tls_server.certificate.clone().unwrap();
    let out = publish(
        &server,
        &[
            &tls_server.target("ftps"),
            "--publish-ca",
            ca.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(counts(&out).0 > 5);
    let http = curl(&format!("{}/0004f214ab37.cfg", server.base), &[]);
    assert_eq!(
        std::fs::read(tls_server.root.join("0004f214ab37.cfg")).unwrap(),
        http.body
    );
    // Without that CA (the system's roots), the certificate is refused and nothing is sent.
    let refused = publish(&server, &[&tls_server.target("ftps")]);
    assert!(!refused.status.success());
    assert!(
        stdout(&refused).to_lowercase().contains("certificate"),
        "{}",
        stdout(&refused)
    );
    // Plain FTP to a server that requires TLS: the login is refused, and said so.
    let plain = publish(&server, &[&tls_server.target("ftp")]);
    assert!(!plain.status.success());
    assert!(
        stdout(&plain).contains("login as PlcmSpIp refused"),
        "{}",
        stdout(&plain)
    );

    // A folder (a TFTP root).
    let folder = tempfile::tempdir().unwrap();
    let target = format!("dir:{}", folder.path().join("tftp").display());
    let out = publish(&server, &[&target]);
    assert!(out.status.success(), "{}", stderr(&out));
    let http = curl(&format!("{}/00085D1610DE.cfg", server.base), &[]);
    assert_eq!(
        std::fs::read(folder.path().join("tftp/00085D1610DE.cfg")).unwrap(),
        http.body
    );
    // The company directory its `<MAC>.cfg` names (`directory 1`) is there too.
    let http = curl(&format!("{}/00085D1610DE-directory.csv", server.base), &[]);
    assert_eq!(http.status, 200);
    assert_eq!(
        std::fs::read(folder.path().join("tftp/00085D1610DE-directory.csv")).unwrap(),
        http.body
    );
    // Firmware files only when asked for; a link out of the firmware folder is not followed.
    let tftp = folder.path().join("tftp");
    assert!(!tftp.join("sip.ld").exists());
    let out = publish(&server, &[&target, "--with-firmware"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(tftp.join("sip.ld")).unwrap(),
        std::fs::read(server.firmware.join("sip.ld")).unwrap()
    );
    let dictionary = "SoundPointIPLocalization/English_United_States/SoundPointIP-dictionary.xml";
    assert!(tftp.join(dictionary).exists());
    assert!(!tftp.join("link-out.ld").exists());

    // A wrong password: reported, exit 1, the password not shown.
    let ftp_server = Vsftpd::start();
    let wrong = format!(
        "ftp://PlcmSpIp:not-the-password@127.0.0.1:{}/",
        ftp_server.port
    );
    let out = publish(&server, &[&wrong]);
    assert!(!out.status.success());
    assert!(
        stdout(&out).contains("login as PlcmSpIp refused"),
        "{}",
        stdout(&out)
    );
    assert!(
        !stdout(&out).contains("not-the-password") && !stderr(&out).contains("not-the-password")
    );
    // The password from the environment instead of the URL.
    let out = server
        .db
        .command()
        .env("PHONEPROV_PUBLISH_PASSWORD", common::vsftpd::PASSWORD)
        .args([
            "publish",
            &format!("ftp://PlcmSpIp@127.0.0.1:{}/", ftp_server.port),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    // The password from a file.
    let password_file = folder.path().join("ftp-password");
    std::fs::write(&password_file, format!("{}\n", common::vsftpd::PASSWORD)).unwrap();
    // The owner's alone (a file others can read is refused, tests/it/logins.rs).
    std::fs::set_permissions(
        &password_file,
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .unwrap();
    let from_file = format!("ftp://PlcmSpIp@127.0.0.1:{}/", ftp_server.port);
    let out = publish(
        &server,
        &[
            &from_file,
            "--publish-password-file",
            password_file.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    // Active mode: the server connects back for each transfer.
    let active = format!("{}?mode=active", ftp_server.target("ftp"));
    std::fs::remove_file(ftp_server.root.join(".phoneprov-published")).unwrap();
    std::fs::remove_file(ftp_server.root.join("0004f214ab37.cfg")).unwrap();
    let out = publish(&server, &[&active]);
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    assert!(ftp_server.root.join("0004f214ab37.cfg").exists());
}

/// Waits up to 20 s for `ready`.
async fn eventually(what: &str, mut ready: impl FnMut() -> bool) {
    for _ in 0..200 {
        if ready() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("never: {what}");
}

#[tokio::test]
async fn serve_publishes_after_every_change_and_keeps_serving_when_a_target_fails() {
    let db = common::golden_sqlite_db().await;
    let folder = tempfile::tempdir().unwrap();
    let boot = folder.path().join("boot");
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let unreachable = format!("ftp://PlcmSpIp:PlcmSpIp@127.0.0.1:{closed}/");
    // A folder whose disk is full for one file: its temporary name leads to /dev/full, where
    // every write fails with "No space left on device".
    let full = folder.path().join("full");
    std::fs::create_dir(&full).unwrap();
    std::os::unix::fs::symlink("/dev/full", full.join(".0004f214ab37.cfg.phoneprov-part")).unwrap();
    let server = start_on(
        db,
        &[
            "--admin-token",
            TOKEN,
            "--publish",
            &format!("dir:{}", boot.display()),
            "--publish",
            &unreachable,
            "--publish",
            &format!("dir:{}", full.display()),
            "--publish-debounce",
            "0",
        ],
    );
    let master = boot.join("0004f214ab37.cfg");
    eventually("the first publish", || master.exists()).await;
    let http = curl(&format!("{}/0004f214ab37.cfg", server.base), &[]);
    assert_eq!(std::fs::read(&master).unwrap(), http.body);

    // A change is published by itself.
    let reply = send_json(
        &server,
        "PUT",
        "/extensions/201",
        r#"{"password": "changed-pass-201"}"#,
    );
    assert_eq!(reply.status, 200);
    let file = boot.join("201.cfg");
    eventually("the change published", || {
        std::fs::read_to_string(&file).is_ok_and(|t| t.contains("changed-pass-201"))
    })
    .await;

    // The failing target is reported, and phones are still served.
    let status = common::server::json(&api(&server, "GET", "/publish", &[]));
    let reports = status.as_array().unwrap();
    assert_eq!(reports.len(), 3, "{status}");
    let of = |target: String| {
        reports
            .iter()
            .find(|r| r["target"].as_str() == Some(target.as_str()))
            .unwrap_or_else(|| panic!("{target}: {status}"))
    };
    let folder_report = of(format!("dir:{}", boot.display()));
    assert_eq!(folder_report["complete"], true);
    assert_eq!(folder_report["failed"], 0);
    let ftp_report = reports
        .iter()
        .find(|r| r["target"].as_str().unwrap().starts_with("ftp:"))
        .unwrap();
    assert_eq!(ftp_report["complete"], false);
    assert!(
        ftp_report["errors"][0]
            .as_str()
            .unwrap()
            .contains("cannot connect"),
        "{ftp_report}"
    );
    assert!(
        !status.to_string().contains("PlcmSpIp:PlcmSpIp"),
        "no password in the status"
    );
    // The full disk fails that one file; the others are published.
    let full_report = of(format!("dir:{}", full.display()));
    assert_eq!(full_report["failed"], 1, "{full_report}");
    assert!(
        full_report["errors"][0]
            .as_str()
            .unwrap()
            .contains("No space left on device"),
        "{full_report}"
    );
    assert!(full.join("201.cfg").exists());
    assert!(!full.join("0004f214ab37.cfg").exists());
    assert_eq!(curl(&format!("{}/201.cfg", server.base), &[]).status, 200);
    let metrics = String::from_utf8(curl(&format!("{}/metrics", server.base), &[]).body).unwrap();
    assert!(
        metrics.contains("phoneprov_publish_files_total"),
        "{metrics}"
    );
}

#[tokio::test]
async fn a_publish_killed_midway_leaves_old_or_new_files_and_the_next_completes_it() {
    let db = thousand_phones().await;
    let ftp_server = Vsftpd::start();
    let target = ftp_server.target("ftp");
    let first = db.run(&["publish", &target]);
    assert!(first.status.success(), "{}", stderr(&first));
    let file_of = |i: usize| ftp_server.root.join(format!("{}.cfg", 1000 + i));
    let old: Vec<Vec<u8>> = (0..1000)
        .map(|i| std::fs::read(file_of(i)).unwrap())
        .collect();

    // Every password changes; the publish is killed once some files are new.
    let mut csv = String::from("extension,display_name,password\n");
    for i in 0..1000 {
        csv.push_str(&format!("{},Person {i},renewed-pass-{i}\n", 1000 + i));
    }
    let file = db.dir.path().join("renewed.csv");
    std::fs::write(&file, csv).unwrap();
    assert!(db.run(&["import", file.to_str().unwrap()]).status.success());
    let mut publishing = db.command().args(["publish", &target]).spawn().unwrap();
    let renewed =
        |i: usize| std::fs::read_to_string(file_of(i)).is_ok_and(|t| t.contains("renewed-pass-"));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while (0..1000).filter(|i| renewed(*i)).count() < 20 {
        assert!(
            std::time::Instant::now() < deadline,
            "the publish never got going"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    publishing.kill().unwrap();
    publishing.wait().unwrap();
    let killed: Vec<Vec<u8>> = (0..1000)
        .map(|i| std::fs::read(file_of(i)).unwrap())
        .collect();
    let done = (0..1000).filter(|i| renewed(*i)).count();
    assert!(done < 1000, "killed before the end ({done} new)");

    // The next publish completes it; every file was old or new, never partial.
    let next = db.run(&["publish", &target]);
    assert!(next.status.success(), "{}{}", stdout(&next), stderr(&next));
    let (sent, _, _, failed) = counts(&next);
    assert_eq!(failed, 0);
    assert!(sent >= 1000 - done, "{}", stdout(&next));
    for i in 0..1000 {
        let new = std::fs::read(file_of(i)).unwrap();
        assert!(String::from_utf8_lossy(&new).contains(&format!("renewed-pass-{i}\"")));
        assert!(
            killed[i] == old[i] || killed[i] == new,
            "{}.cfg was partial",
            1000 + i
        );
    }
    let leftovers: Vec<String> = std::fs::read_dir(&ftp_server.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".phoneprov-part"))
        .collect();
    assert!(
        leftovers.len() <= 1,
        "at most the one being written when killed: {leftovers:?}"
    );
}

#[tokio::test]
async fn a_connection_lost_midway_is_made_again_and_the_publish_completes() {
    let db = thousand_phones().await;
    let ftp_server = Vsftpd::start();
    let target = ftp_server.target("ftp");
    let publishing = db
        .command()
        .args(["publish", &target])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Drop the session once some files are there.
    let root = ftp_server.root.clone();
    let dropped = std::thread::scope(|scope| {
        let waiter = scope.spawn(|| {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
            while std::fs::read_dir(&root).map(|d| d.count()).unwrap_or(0) < 200 {
                if std::time::Instant::now() > deadline {
                    return false;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            ftp_server.drop_sessions();
            true
        });
        waiter.join().unwrap()
    });
    let out = publishing.wait_with_output().unwrap();
    assert!(dropped, "the publish never got going");
    assert!(out.status.success(), "{}{}", stdout(&out), stderr(&out));
    let (sent, _, unchanged, failed) = counts(&out);
    assert_eq!(failed, 0, "{}", stdout(&out));
    assert!(
        stderr(&out).contains("connection lost; trying again"),
        "{}",
        stderr(&out)
    );
    let rendered = std::fs::read_dir(&ftp_server.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .count();
    assert_eq!(sent + unchanged, rendered, "{}", stdout(&out));
}
