//! FTP and TFTP through the real binary and real clients: suppaftp (passive, extended passive and
//! active), curl and Python's ftplib walk the Polycom boot (login, master file, its CONFIG_FILES,
//! boot and app log uploads, an override uploaded and read back); curl fetches the Aastra files
//! and a firmware image over TFTP. What FTP and TFTP serve is byte-identical to HTTP. Bad logins,
//! traversal names, uploads of other names and oversized uploads are refused and write nothing.

use crate::common;
use phoneprov::store::prelude::*;

use std::io::Cursor;
use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use common::server::{Server, curl, golden, start_with};
use phoneprov::domain::Mac;
use phoneprov::store::Store;
use suppaftp::types::FileType;
use suppaftp::{FtpError, FtpStream, Mode};

const MASTER: &str = "0004f214ab37.cfg";

/// The FTP reply code of a refused command.
fn code<T: std::fmt::Debug>(result: Result<T, FtpError>) -> u32 {
    match result {
        Err(FtpError::UnexpectedResponse(response)) => response.status.code(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// Waits until a fetch of the phone over `transport` is recorded (written in batches).
async fn wait_for_fetch(store: &impl Store, mac: &Mac, transport: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let fetches = store.fetches(mac).await.unwrap();
        if fetches.iter().any(|f| f.transport.as_str() == transport) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no {transport} fetch of {mac} recorded: {fetches:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// A control connection logged in with the factory account, spoken to byte by byte.
fn raw_login(address: SocketAddr) -> std::net::TcpStream {
    use std::io::{BufRead, BufReader};
    let mut raw = std::net::TcpStream::connect(address).unwrap();
    raw.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut greeting = String::new();
    BufReader::new(raw.try_clone().unwrap())
        .read_line(&mut greeting)
        .unwrap();
    assert_eq!(raw_command(&mut raw, b"USER PlcmSpIp"), 331);
    assert_eq!(raw_command(&mut raw, b"PASS PlcmSpIp"), 230);
    raw
}

/// One raw control-channel exchange: sends `line` (any bytes) and returns the reply line.
fn raw_reply(stream: &mut std::net::TcpStream, line: &[u8]) -> String {
    use std::io::{BufRead, BufReader, Write};
    stream.write_all(line).unwrap();
    stream.write_all(b"\r\n").unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut reply = String::new();
    reader.read_line(&mut reply).unwrap();
    reply
}

/// [`raw_reply`]'s code.
fn raw_command(stream: &mut std::net::TcpStream, line: &[u8]) -> u32 {
    let reply = raw_reply(stream, line);
    reply.get(..3).and_then(|c| c.parse().ok()).unwrap_or(0)
}

fn login(server: &Server, mode: Mode) -> FtpStream {
    let mut ftp = match mode {
        Mode::Active => FtpStream::connect(server.ftp)
            .unwrap()
            .active_mode(Duration::from_secs(5)),
        _ => FtpStream::connect(server.ftp).unwrap(),
    };
    ftp.set_mode(mode);
    ftp.login("PlcmSpIp", "PlcmSpIp").unwrap();
    ftp.transfer_type(FileType::Binary).unwrap();
    ftp
}

fn http_get(server: &Server, name: &str) -> Vec<u8> {
    let reply = curl(&format!("{}/{name}", server.base), &[]);
    assert_eq!(reply.status, 200, "{name} over HTTP");
    reply.body
}

/// The names in the master file's CONFIG_FILES attribute.
fn config_files(master: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(master);
    let start = text.find("CONFIG_FILES=\"").expect("CONFIG_FILES") + "CONFIG_FILES=\"".len();
    let end = start + text[start..].find('"').unwrap();
    text[start..end]
        .split(',')
        .map(|name| name.trim().to_string())
        .filter(|name| !name.is_empty())
        .collect()
}

#[tokio::test]
async fn polycom_boot_over_ftp_in_every_mode() {
    // Active mode is off unless turned on.
    let server = start_with(&["--ftp-active"]).await;
    for mode in [Mode::Passive, Mode::ExtendedPassive, Mode::Active] {
        let mut ftp = login(&server, mode);
        // The Updater uploads its boot log first. At the very first boot the address has not
        // fetched the phone's master file yet, so it does not act for the phone: the log is
        // held, and stored once the master file goes to the same address.
        let boot_log = format!("boot {mode:?}\n");
        ftp.put_file(
            "0004f214ab37-boot.log",
            &mut Cursor::new(boot_log.as_bytes()),
        )
        .unwrap();
        let master = ftp.retr_as_buffer(MASTER).unwrap().into_inner();
        assert_eq!(master, golden(&format!("polycom/{MASTER}")), "{mode:?}");
        assert_eq!(master, http_get(&server, MASTER), "same bytes as HTTP");
        assert_eq!(ftp.size(MASTER).unwrap(), master.len());
        assert!(ftp.mdtm(MASTER).is_ok());
        for name in config_files(&master) {
            match ftp.retr_as_buffer(&name) {
                Ok(content) => assert_eq!(content.into_inner(), http_get(&server, &name), "{name}"),
                // Optional files phoneprov does not render and the firmware folder lacks.
                Err(e) => assert_eq!(code(Err::<(), _>(e)), 550, "{name}"),
            }
        }
        // Firmware from the folder, whole and from the middle (REST), and a rendered file resumed.
        let image = std::fs::read(server.firmware.join("sip.ld")).unwrap();
        assert_eq!(ftp.retr_as_buffer("sip.ld").unwrap().into_inner(), image);
        ftp.resume_transfer(1_000_000).unwrap();
        assert_eq!(
            ftp.retr_as_buffer("sip.ld").unwrap().into_inner(),
            &image[1_000_000..]
        );
        ftp.resume_transfer(100).unwrap();
        assert_eq!(
            ftp.retr_as_buffer(MASTER).unwrap().into_inner(),
            &master[100..]
        );
        ftp.put_file("0004f214ab37-app.log", &mut Cursor::new(b"app started\n"))
            .unwrap();
        ftp.append_file("0004f214ab37-app.log", &mut Cursor::new(b"app appended\n"))
            .unwrap();
        ftp.quit().unwrap();
    }
    let store = server.db.open().await;
    let mac = Mac::parse("0004f214ab37").unwrap();
    wait_for_fetch(&store, &mac, "ftp").await;
    let app = store
        .upload(&mac, "0004f214ab37-app.log")
        .await
        .unwrap()
        .unwrap();
    assert!(
        String::from_utf8(app.content)
            .unwrap()
            .ends_with("app started\napp appended\n"),
        "APPE appends to a log"
    );
    let boot = store
        .upload(&mac, "0004f214ab37-boot.log")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        String::from_utf8(boot.content).unwrap(),
        "boot Passive\nboot ExtendedPassive\nboot Active\n",
        "logs are appended to"
    );
    store.close().await;
}

#[tokio::test]
async fn overrides_are_read_back_and_listings_show_only_the_phone_s_own_files() {
    let server = start_with(&[]).await;
    let mut ftp = login(&server, Mode::Passive);
    let overrides = b"<PHONE_CONFIG><OVERRIDES up.backlight.idleIntensity=\"1\"/></PHONE_CONFIG>";
    // A phone fetches its master file first; from then on its address acts for it.
    ftp.retr_as_buffer(MASTER).unwrap();
    ftp.put_file("0004f214ab37-phone.cfg", &mut Cursor::new(&overrides[..]))
        .unwrap();
    assert_eq!(
        ftp.retr_as_buffer("0004f214ab37-phone.cfg")
            .unwrap()
            .into_inner(),
        overrides
    );
    // Uploads go to the same storage as over HTTP.
    assert_eq!(http_get(&server, "0004f214ab37-phone.cfg"), overrides);

    let names = ftp.nlst(None).unwrap();
    assert!(names.iter().any(|n| n.ends_with(MASTER)), "{names:?}");
    assert!(names.iter().any(|n| n.ends_with("201.cfg")), "{names:?}");
    assert!(names.iter().any(|n| n.ends_with("sip.ld")), "{names:?}");
    for other in [
        "0004f214ab38.cfg",
        "00085D1610DE.cfg",
        "202.cfg",
        "203.cfg",
        "link-out.ld",
    ] {
        assert!(
            !names.iter().any(|n| n.ends_with(other)),
            "{other} in {names:?}"
        );
    }
    let long = ftp.list(None).unwrap();
    assert!(
        long.iter()
            .any(|l| l.ends_with(MASTER) && l.starts_with("-rw-r--r--")),
        "{long:?}"
    );
    ftp.cwd("SoundPointIPLocalization").unwrap();
    assert_eq!(code(ftp.cwd("/../..")), 550);
    ftp.quit().unwrap();

    // Another client's listing (curl, same address) shows that phone's files at most, never the
    // other phones of the deployment.
    let fresh = tempfile::tempdir().unwrap();
    let out = Command::new("curl")
        .args([
            "-s",
            "--list-only",
            &format!("ftp://PlcmSpIp:PlcmSpIp@{}/", server.ftp),
        ])
        .current_dir(fresh.path())
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(!listed.contains("0004f214ab38"), "{listed}");
}

#[tokio::test]
async fn refusals_over_ftp_write_nothing() {
    let server = start_with(&["--upload-max-bytes", "1000"]).await;
    let mut bad = FtpStream::connect(server.ftp).unwrap();
    assert_eq!(code(bad.login("PlcmSpIp", "wrong")), 530);
    let mut bad = FtpStream::connect(server.ftp).unwrap();
    assert_eq!(code(bad.login("root", "PlcmSpIp")), 530);

    let mut ftp = login(&server, Mode::Passive);
    for name in [
        "../outside-secret.txt",
        "..\\outside-secret.txt",
        "/../outside-secret.txt",
        "%2e%2e/outside-secret.txt",
        "/etc/passwd",
        "link-out.ld",
        "SoundPointIPLocalization/../../outside-secret.txt",
        "0004f2999999.cfg",
        "0004f214ab37-boot.log",
    ] {
        assert_eq!(code(ftp.retr_as_buffer(name)), 550, "{name}");
    }
    for name in [
        "evil.sh",
        MASTER,
        "0004f214ab37-evil.sh",
        "0004f2999999-app.log",
        "../0004f214ab37-app.log",
    ] {
        assert_eq!(
            code(ftp.put_file(name, &mut Cursor::new(b"payload"))),
            553,
            "STOR {name}"
        );
        assert_eq!(
            code(ftp.append_file(name, &mut Cursor::new(b"payload"))),
            553,
            "APPE {name}"
        );
    }
    // The phone boots (its master file), then uploads too much.
    ftp.retr_as_buffer(MASTER).unwrap();
    assert_eq!(
        code(ftp.put_file("0004f214ab37-phone.cfg", &mut Cursor::new(vec![b'x'; 1001]))),
        552,
        "too large"
    );
    assert_eq!(code(ftp.rm("sip.ld")), 550);
    // A NUL in a name, sent raw (clients will not send it).
    let mut raw = raw_login(server.ftp);
    assert_eq!(raw_command(&mut raw, b"SIZE sip.ld"), 213);
    for line in [
        &b"SIZE sip.ld\0x"[..],
        b"SIZE ../outside-secret.txt",
        b"SIZE /../../etc/passwd",
    ] {
        let reply = raw_command(&mut raw, line);
        assert!(
            (500..600).contains(&reply),
            "{} -> {reply}",
            String::from_utf8_lossy(line)
        );
    }
    assert_eq!(code(ftp.mkdir("new")), 550);
    assert_eq!(code(ftp.rename("sip.ld", "x.ld")), 550);
    ftp.quit().unwrap();

    let store = server.db.open().await;
    let mac = Mac::parse("0004f214ab37").unwrap();
    assert_eq!(store.uploads(&mac).await.unwrap(), [], "nothing written");
    store.close().await;
    assert!(server.firmware.join("sip.ld").exists());
}

#[tokio::test]
async fn curl_and_python_ftplib_walk_the_polycom_boot() {
    let server = start_with(&["--ftp-active"]).await;
    let url = |name: &str| format!("ftp://PlcmSpIp:PlcmSpIp@{}/{name}", server.ftp);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("boot.log");
    std::fs::write(&log, "curl boot\n").unwrap();
    let put = || {
        Command::new("curl")
            .args(["-s", "-T"])
            .arg(&log)
            .arg(url("0004f214ab37-boot.log"))
            .status()
            .unwrap()
    };
    assert!(put().success(), "held until the master file is fetched");
    for (name, active) in [(MASTER, false), ("201.cfg", true), ("altigen.cfg", false)] {
        let mut args = vec!["-s".to_string()];
        if active {
            args.extend(["-P".to_string(), "127.0.0.1".to_string()]);
        }
        let out = Command::new("curl")
            .args(&args)
            .arg(url(name))
            .output()
            .unwrap();
        assert_eq!(
            out.stdout,
            http_get(&server, name),
            "curl {name} (active: {active})"
        );
    }

    assert!(put().success(), "stored at once from now on");

    let script = r#"
import ftplib, io, sys
host, port = sys.argv[1], int(sys.argv[2])
ftp = ftplib.FTP()
ftp.connect(host, port)
ftp.login("PlcmSpIp", "PlcmSpIp")
ftp.voidcmd("TYPE I")
master = io.BytesIO()
ftp.retrbinary("RETR 0004f214ab37.cfg", master.write)
ftp.storbinary("STOR 0004f214ab37-app.log", io.BytesIO(b"ftplib app\n"))
text = master.getvalue().decode()
start = text.index('CONFIG_FILES="') + len('CONFIG_FILES="')
names = [n.strip() for n in text[start:text.index('"', start)].split(",") if n.strip()]
sizes = {}
for name in names:
    data = io.BytesIO()
    try:
        ftp.retrbinary("RETR " + name, data.write)
        sizes[name] = len(data.getvalue())
    except ftplib.error_perm as e:
        assert str(e).startswith("550"), e
try:
    ftp.storbinary("STOR evil.sh", io.BytesIO(b"x"))
    sys.exit("evil.sh was accepted")
except ftplib.error_perm as e:
    assert str(e).startswith("553"), e
ftp.quit()
print(len(master.getvalue()), sizes["201.cfg"], sizes["altigen.cfg"])
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(server.ftp.ip().to_string())
        .arg(server.ftp.port().to_string())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = format!(
        "{} {} {}\n",
        http_get(&server, MASTER).len(),
        http_get(&server, "201.cfg").len(),
        http_get(&server, "altigen.cfg").len()
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);

    let store = server.db.open().await;
    let mac = Mac::parse("0004f214ab37").unwrap();
    let app = store
        .upload(&mac, "0004f214ab37-app.log")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(app.content, b"ftplib app\n");
    store.close().await;
}

#[tokio::test]
async fn aastra_files_and_firmware_over_tftp() {
    let server = start_with(&[]).await;
    let tftp = |name: &str, extra: &[&str]| {
        let out = Command::new("curl")
            .args(["-s", "--max-time", "20"])
            .args(extra)
            .arg(format!("tftp://{}/{name}", server.tftp))
            .output()
            .unwrap();
        (out.status.code(), out.stdout)
    };
    for name in ["aastra.cfg", "6757i.cfg", "00085D1610DE.cfg"] {
        let (status, body) = tftp(name, &[]);
        assert_eq!(status, Some(0), "{name}");
        assert_eq!(body, golden(&format!("aastra/{name}")), "{name}");
        assert_eq!(body, http_get(&server, name), "{name}: same bytes as HTTP");
    }
    // A 3 MB image with a large block size (RFC 2348) and the size option (RFC 2349).
    let image = std::fs::read(server.firmware.join("sip.ld")).unwrap();
    let (status, body) = tftp("sip.ld", &["--tftp-blksize", "1428"]);
    assert_eq!(status, Some(0));
    assert!(body == image, "firmware over TFTP is byte-identical");

    // Not found, traversal, and writes: refused.
    for name in [
        "nothing.cfg",
        "../outside-secret.txt",
        "link-out.ld",
        "0004f2999999.cfg",
    ] {
        let (status, body) = tftp(name, &[]);
        assert_ne!(status, Some(0), "{name}");
        assert!(body.is_empty(), "{name}");
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("0004f214ab37-app.log");
    std::fs::write(&file, "tftp upload").unwrap();
    let put = Command::new("curl")
        .args(["-s", "--max-time", "10", "-T"])
        .arg(&file)
        .arg(format!("tftp://{}/0004f214ab37-app.log", server.tftp))
        .status()
        .unwrap();
    assert!(!put.success(), "TFTP writes are refused");

    let store = server.db.open().await;
    wait_for_fetch(&store, &Mac::parse("00085D1610DE").unwrap(), "tftp").await;
    assert_eq!(
        store
            .uploads(&Mac::parse("0004f214ab37").unwrap())
            .await
            .unwrap(),
        []
    );
    store.close().await;
}

#[tokio::test]
async fn passive_answers_announce_the_configured_address() {
    let server = start_with(&[
        "--ftp-passive-host",
        "192.0.2.1",
        "--ftp-passive-ports",
        "31000-31009",
    ])
    .await;
    let mut raw = raw_login(server.ftp);
    let reply = raw_reply(&mut raw, b"PASV");
    // 227 Entering Passive Mode (192,0,2,1,p1,p2): nothing connects there; only the text counts.
    assert!(reply.starts_with("227"), "{reply}");
    let numbers: Vec<u32> = reply[reply.find('(').unwrap() + 1..reply.find(')').unwrap()]
        .split(',')
        .map(|n| n.trim().parse().unwrap())
        .collect();
    assert_eq!(numbers[..4], [192, 0, 2, 1]);
    let port = numbers[4] * 256 + numbers[5];
    assert!((31000..=31009).contains(&port), "{port}");
}

/// Opens an FTP control connection from `source`; its first reply line.
async fn greeting_from(
    server: std::net::SocketAddr,
    source: &str,
) -> (String, tokio::net::TcpStream) {
    use tokio::io::AsyncBufReadExt;
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
    let mut stream = socket.connect(server).await.unwrap();
    let mut line = String::new();
    let mut reader = tokio::io::BufReader::new(&mut stream);
    tokio::time::timeout(
        std::time::Duration::from_secs(5),
        reader.read_line(&mut line),
    )
    .await
    .expect("a reply within 5 s")
    .unwrap();
    (line, stream)
}

#[tokio::test]
async fn one_address_holds_a_limited_number_of_sessions() {
    let server = common::server::start_with(&[
        "--ftp-sessions-per-address",
        "3",
        "--allow-network",
        "127.0.0.3/32",
    ])
    .await;
    let mut open = Vec::new();
    for _ in 0..3 {
        let (line, stream) = greeting_from(server.ftp, "127.0.0.1").await;
        assert!(line.starts_with("220"), "{line}");
        open.push(stream);
    }
    let (line, _) = greeting_from(server.ftp, "127.0.0.1").await;
    assert!(line.starts_with("421"), "the fourth is turned away: {line}");
    let (line, _other) = greeting_from(server.ftp, "127.0.0.2").await;
    assert!(line.starts_with("220"), "another address is not: {line}");
    let mut allowed = Vec::new();
    for _ in 0..5 {
        let (line, stream) = greeting_from(server.ftp, "127.0.0.3").await;
        assert!(
            line.starts_with("220"),
            "an allowed network has no limit: {line}"
        );
        allowed.push(stream);
    }
    // A closed session frees its place.
    drop(open.pop());
    let mut freed = false;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let (line, stream) = greeting_from(server.ftp, "127.0.0.1").await;
        if line.starts_with("220") {
            freed = true;
            open.push(stream);
            break;
        }
    }
    assert!(freed, "a place came free");
    assert!(
        !server.log_lines("too many sessions").is_empty(),
        "an audit line"
    );
}
