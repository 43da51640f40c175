//! Boot-storm simulator: `PHONES` phones (a third each Polycom VVX 400, Aastra 6757i and Yealink
//! T46S) boot at once
//! after a power cut, `CONCURRENCY` at a time. Each one gets its address by relayed DHCP (DORA,
//! with its vendor class, checking that the answer names the boot server), then fetches its
//! vendor's files in boot order over HTTP with its own User-Agent, on one keep-alive connection:
//!
//! - Polycom: `PUT <mac>-boot.log`, `GET <mac>.cfg`, every file its `CONFIG_FILES` lists, the
//!   optional `<mac>-phone.cfg` (a 404 is expected), `PUT <mac>-app.log`;
//! - Aastra: `aastra.cfg`, `<model>.cfg`, `<MAC>.cfg`;
//! - Yealink: `<mac>.boot`, then every file its `include:config` lines name, in order.
//!
//! One Polycom phone in `FTP_EVERY` fetches over FTP instead (the factory default), uploading its
//! log with `STOR`. The report gives phones provisioned per second, the 50th and 99th percentile
//! time from DISCOVER to the last file, the errors, and the server's CPU time and peak memory
//! (from `/proc/SERVER_PID`).
//!
//! Built as an example (`cargo build --release --example boot-storm`); `bench/boot-storm/run.sh`
//! starts phoneprov and runs it. Settings come from the environment: `DHCP_ADDR`, `HTTP_ADDR`,
//! `FTP_ADDR` (host:port), `PHONES` (default 10000), `CONCURRENCY` (default 1000), `FTP_EVERY`
//! (default 10; 0: no FTP), `SERVER_PID`.

#[path = "../settings.rs"]
mod settings;

mod relay;

use settings::{number, setting};
use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use dhcproto::v4::{DhcpOption, Message, MessageType, OptionCode};
use relay::{Relay, relayed_request};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

/// How long a phone waits for a DHCP answer before it asks again, and how often it asks.
const DHCP_WAIT: Duration = Duration::from_secs(1);
const DHCP_TRIES: u32 = 8;
/// How long one HTTP exchange may take.
const HTTP_WAIT: Duration = Duration::from_secs(10);

/// Which vendor a simulated phone is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Make {
    Polycom,
    Aastra,
    Yealink,
}

/// One simulated phone.
#[derive(Debug, Clone)]
struct Phone {
    index: usize,
    mac: [u8; 6],
    make: Make,
    over_ftp: bool,
}

impl Phone {
    /// The phones `bench/boot-storm/run.sh` imports, by the index modulo 3: Polycom (`0004f2`
    /// and the index), Aastra (`00085d`), Yealink (`001565`).
    fn new(index: usize, ftp_every: usize) -> Phone {
        let (make, oui) = match index % 3 {
            0 => (Make::Polycom, [0x00, 0x04, 0xf2]),
            1 => (Make::Aastra, [0x00, 0x08, 0x5d]),
            _ => (Make::Yealink, [0x00, 0x15, 0x65]),
        };
        let n = index.to_be_bytes();
        let tail = &n[n.len() - 3..];
        Phone {
            index,
            mac: [oui[0], oui[1], oui[2], tail[0], tail[1], tail[2]],
            make,
            over_ftp: make == Make::Polycom
                && ftp_every > 0
                && (index / 3).is_multiple_of(ftp_every),
        }
    }

    fn lower(&self) -> String {
        self.mac.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn agent(&self) -> String {
        match self.make {
            Make::Polycom => {
                "FileTransport PolycomVVX-VVX_400-UA/5.9.7.4477 Type/Application".to_string()
            }
            Make::Aastra => {
                let mac: Vec<String> = self.mac.iter().map(|b| format!("{b:02X}")).collect();
                format!("Aastra6757i MAC:{} V:3.3.1.4322-SIP", mac.join("-"))
            }
            Make::Yealink => {
                let mac: Vec<String> = self.mac.iter().map(|b| format!("{b:02x}")).collect();
                format!("Yealink SIP-T46S 66.86.0.15 {}", mac.join(":"))
            }
        }
    }

    /// Option 60 as the phone sends it.
    fn vendor_class(&self) -> Vec<u8> {
        match self.make {
            Make::Polycom => {}
            Make::Aastra => return b"AastraIPPhone6757i".to_vec(),
            Make::Yealink => return b"yealink".to_vec(),
        }
        let mut class = vec![0x00, 0x00, 0x36, 0x3d, 0x2a];
        for sub in [&b"Polycom"[..], b"VVX-VVX_400", b"SIP/5.9.7.4477"] {
            class.push(2);
            class.push(sub.len() as u8);
            class.extend_from_slice(sub);
        }
        class
    }

    /// The option that must name the boot server in the answer.
    fn boot_option(&self) -> OptionCode {
        match self.make {
            Make::Polycom => OptionCode::Unknown(160),
            Make::Aastra | Make::Yealink => OptionCode::TFTPServerName,
        }
    }
}

/// A request as the router's relay forwards it, with the phone's vendor class.
fn relayed(phone: &Phone, kind: MessageType, xid: u32) -> Message {
    let asked = vec![
        OptionCode::SubnetMask,
        OptionCode::Router,
        OptionCode::TFTPServerName,
        OptionCode::Unknown(160),
    ];
    let class = Some(phone.vendor_class());
    relayed_request(kind, &phone.mac, Ipv4Addr::UNSPECIFIED, xid, asked, class)
}

/// DHCP requests sent again after `DHCP_WAIT` of silence, by all phones.
static RESENT: AtomicUsize = AtomicUsize::new(0);

/// DISCOVER, OFFER, REQUEST, ACK, each asked again after `DHCP_WAIT` of silence.
async fn dora(relay: &Relay, phone: &Phone) -> Result<Ipv4Addr, String> {
    let xid = 0x5000_0000 | phone.index as u32;
    let discover = relayed(phone, MessageType::Discover, xid);
    let mut offer = None;
    for attempt in 0..DHCP_TRIES {
        if attempt > 0 {
            RESENT.fetch_add(1, Ordering::Relaxed);
        }
        offer = relay.ask(&discover, DHCP_WAIT).await;
        if offer.is_some() {
            break;
        }
    }
    let offer = offer.ok_or("dhcp: no offer")?;
    if offer.opts().get(phone.boot_option()).is_none() {
        return Err("dhcp: the offer names no boot server".into());
    }
    let server = match offer.opts().get(OptionCode::ServerIdentifier) {
        Some(DhcpOption::ServerIdentifier(server)) => *server,
        _ => return Err("dhcp: the offer has no server identifier".into()),
    };
    let mut request = relayed(phone, MessageType::Request, xid);
    request
        .opts_mut()
        .insert(DhcpOption::ServerIdentifier(server));
    request
        .opts_mut()
        .insert(DhcpOption::RequestedIpAddress(offer.yiaddr()));
    for attempt in 0..DHCP_TRIES {
        if attempt > 0 {
            RESENT.fetch_add(1, Ordering::Relaxed);
        }
        match relay.ask(&request, DHCP_WAIT).await {
            Some(ack) if ack.opts().msg_type() == Some(MessageType::Ack) => {
                return Ok(ack.yiaddr());
            }
            Some(_) => return Err("dhcp: request refused".into()),
            None => {}
        }
    }
    Err("dhcp: no ack".into())
}

/// One keep-alive HTTP/1.1 connection, as a phone keeps one for its boot.
struct Http {
    stream: BufReader<TcpStream>,
    agent: String,
}

impl Http {
    async fn connect(address: SocketAddr, agent: String) -> Result<Http, String> {
        let stream = TcpStream::connect(address)
            .await
            .map_err(|e| format!("http: connect: {e}"))?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        Ok(Http {
            stream: BufReader::new(stream),
            agent,
        })
    }

    /// Sends one request; the status and the body.
    async fn exchange(
        &mut self,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> Result<(u16, Vec<u8>), String> {
        tokio::time::timeout(HTTP_WAIT, self.exchange_now(method, path, body))
            .await
            .map_err(|_| format!("http: {method} {path}: timed out"))?
    }

    async fn exchange_now(
        &mut self,
        method: &str,
        path: &str,
        body: &[u8],
    ) -> Result<(u16, Vec<u8>), String> {
        let head = format!(
            "{method} /{path} HTTP/1.1\r\nHost: provisioning\r\nUser-Agent: {}\r\n\
             Content-Length: {}\r\n\r\n",
            self.agent,
            body.len()
        );
        let failed = |e: std::io::Error| format!("http: {method} {path}: {e}");
        let stream = self.stream.get_mut();
        stream.write_all(head.as_bytes()).await.map_err(failed)?;
        stream.write_all(body).await.map_err(failed)?;
        let mut status_line = String::new();
        self.stream
            .read_line(&mut status_line)
            .await
            .map_err(failed)?;
        let status: u16 = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("http: {method} {path}: bad status line {status_line:?}"))?;
        let mut length = 0usize;
        loop {
            let mut line = String::new();
            self.stream.read_line(&mut line).await.map_err(failed)?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut content = vec![0u8; length];
        if method != "HEAD" {
            self.stream.read_exact(&mut content).await.map_err(failed)?;
        }
        Ok((status, content))
    }

    /// GETs `name`, which must be served.
    async fn get(&mut self, name: &str) -> Result<Vec<u8>, String> {
        match self.exchange("GET", name, b"").await? {
            (200, body) => Ok(body),
            (status, _) => Err(format!("http: GET {name}: {status}")),
        }
    }

    /// PUTs `name`, which must be stored.
    async fn put(&mut self, name: &str, content: &[u8]) -> Result<(), String> {
        match self.exchange("PUT", name, content).await? {
            (200..=204, _) => Ok(()),
            (status, _) => Err(format!("http: PUT {name}: {status}")),
        }
    }
}

/// The names in a Polycom master file's `CONFIG_FILES` attribute.
fn config_files(master: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(master);
    let Some(at) = text.find("CONFIG_FILES=\"") else {
        return Vec::new();
    };
    let rest = &text[at + "CONFIG_FILES=\"".len()..];
    let list = rest.split('"').next().unwrap_or_default();
    list.split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
        .map(str::to_string)
        .collect()
}

async fn polycom_over_http(http_address: SocketAddr, phone: &Phone) -> Result<(), String> {
    let mac = phone.lower();
    let mut http = Http::connect(http_address, phone.agent()).await?;
    let log = format!("boot of {mac}: updater 5.9.7\n");
    http.put(&format!("{mac}-boot.log"), log.as_bytes()).await?;
    let master = http.get(&format!("{mac}.cfg")).await?;
    let files = config_files(&master);
    if files.is_empty() {
        return Err("http: the master file lists no CONFIG_FILES".into());
    }
    for name in files {
        http.get(&name).await?;
    }
    match http
        .exchange("GET", &format!("{mac}-phone.cfg"), b"")
        .await?
    {
        (200 | 404, _) => {}
        (status, _) => return Err(format!("http: GET {mac}-phone.cfg: {status}")),
    }
    http.put(&format!("{mac}-app.log"), b"application started\n")
        .await
}

async fn aastra_over_http(http_address: SocketAddr, phone: &Phone) -> Result<(), String> {
    let mut http = Http::connect(http_address, phone.agent()).await?;
    http.get("aastra.cfg").await?;
    http.get("6757i.cfg").await?;
    let upper: String = phone.mac.iter().map(|b| format!("{b:02X}")).collect();
    http.get(&format!("{upper}.cfg")).await?;
    Ok(())
}

/// A Yealink boot: `<mac>.boot`, then the files it includes, in order.
async fn yealink_over_http(http_address: SocketAddr, phone: &Phone) -> Result<(), String> {
    let mut http = Http::connect(http_address, phone.agent()).await?;
    let boot = http.get(&format!("{}.boot", phone.lower())).await?;
    let includes: Vec<String> = String::from_utf8_lossy(&boot)
        .lines()
        .filter_map(|line| line.strip_prefix("include:config "))
        .map(|name| name.trim_matches('"').to_string())
        .collect();
    if includes.is_empty() {
        return Err("http: the boot file includes no file".into());
    }
    for name in includes {
        http.get(&name).await?;
    }
    Ok(())
}

/// The factory-default Polycom boot over FTP (blocking client, on a blocking thread).
fn polycom_over_ftp(ftp_address: &str, phone: &Phone) -> Result<(), String> {
    use suppaftp::FtpStream;
    use suppaftp::types::FileType;
    let failed = |e: suppaftp::FtpError| format!("ftp: {e}");
    let mac = phone.lower();
    let mut ftp = FtpStream::connect(ftp_address).map_err(failed)?;
    ftp.get_ref()
        .set_read_timeout(Some(HTTP_WAIT))
        .map_err(|e| e.to_string())?;
    ftp.get_ref().set_nodelay(true).map_err(|e| e.to_string())?;
    ftp.login("PlcmSpIp", "PlcmSpIp").map_err(failed)?;
    ftp.transfer_type(FileType::Binary).map_err(failed)?;
    let master = ftp.retr_as_buffer(&format!("{mac}.cfg")).map_err(failed)?;
    let files = config_files(master.get_ref());
    if files.is_empty() {
        return Err("ftp: the master file lists no CONFIG_FILES".into());
    }
    for name in files {
        ftp.retr_as_buffer(&name).map_err(failed)?;
    }
    let mut log: &[u8] = b"application started\n";
    ftp.put_file(format!("{mac}-app.log"), &mut log)
        .map_err(failed)?;
    let _ = ftp.quit();
    Ok(())
}

/// One phone's boot: its time from DISCOVER to the ACK and to the last file, or why it failed.
async fn boot(
    relay: Arc<Relay>,
    http: SocketAddr,
    ftp: String,
    phone: Phone,
) -> Result<(Duration, Duration), String> {
    let started = Instant::now();
    dora(&relay, &phone).await?;
    let leased = started.elapsed();
    if phone.over_ftp {
        let for_ftp = phone.clone();
        tokio::task::spawn_blocking(move || polycom_over_ftp(&ftp, &for_ftp))
            .await
            .map_err(|e| e.to_string())??;
    } else {
        match phone.make {
            Make::Polycom => polycom_over_http(http, &phone).await?,
            Make::Aastra => aastra_over_http(http, &phone).await?,
            Make::Yealink => yealink_over_http(http, &phone).await?,
        }
    }
    Ok((leased, started.elapsed()))
}

/// A process's CPU time (user and system) and peak resident memory, from `/proc`.
fn server_usage(pid: &str) -> Option<(Duration, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces): utime is the 12th, stime the 13th.
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let peak_kib = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())?;
    // Linux counts CPU time in ticks of 1/100 s (USER_HZ).
    Some((Duration::from_millis(ticks * 10), peak_kib))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[tokio::main]
async fn main() {
    let dhcp: SocketAddr = setting("DHCP_ADDR").parse().expect("DHCP_ADDR host:port");
    let http: SocketAddr = setting("HTTP_ADDR").parse().expect("HTTP_ADDR host:port");
    let ftp = setting("FTP_ADDR");
    let phones = number("PHONES", 10_000);
    let concurrency = number("CONCURRENCY", 1_000);
    let ftp_every = number("FTP_EVERY", 10);
    let pid = std::env::var("SERVER_PID").ok();
    let relay = Relay::new(dhcp).await.expect("a relay socket");
    let slots = Arc::new(Semaphore::new(concurrency));
    let before = pid.as_deref().and_then(server_usage);
    let started = Instant::now();
    let mut boots = Vec::with_capacity(phones);
    for index in 0..phones {
        let phone = Phone::new(index, ftp_every);
        let (relay, ftp, slots) = (Arc::clone(&relay), ftp.clone(), Arc::clone(&slots));
        boots.push(tokio::spawn(async move {
            let _slot = slots.acquire_owned().await.expect("semaphore open");
            (phone.over_ftp, boot(relay, http, ftp, phone).await)
        }));
    }
    let mut times = Vec::with_capacity(phones);
    let mut leases = Vec::with_capacity(phones);
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    let mut over_ftp = 0;
    for handle in boots {
        match handle.await {
            Ok((ftp_boot, Ok((leased, took)))) => {
                leases.push(leased);
                times.push(took);
                over_ftp += usize::from(ftp_boot);
            }
            Ok((_, Err(e))) => *errors.entry(e).or_default() += 1,
            Err(e) => *errors.entry(e.to_string()).or_default() += 1,
        }
    }
    let wall = started.elapsed();
    let after = pid.as_deref().and_then(server_usage);
    times.sort_unstable();
    leases.sort_unstable();
    let failed: usize = errors.values().sum();
    println!(
        "phones            {phones} ({} Polycom, {} Aastra, {} Yealink; {over_ftp} over FTP)",
        phones.div_ceil(3),
        (phones + 1) / 3,
        phones / 3
    );
    println!("provisioned       {}", times.len());
    println!("errors            {failed}");
    for (error, count) in errors.iter().take(10) {
        println!("  {count} x {error}");
    }
    println!("wall time         {:.2} s", wall.as_secs_f64());
    println!(
        "phones/s          {:.0}",
        times.len() as f64 / wall.as_secs_f64()
    );
    println!(
        "p50 DISCOVER to last file  {:.1} ms",
        percentile(&times, 50.0).as_secs_f64() * 1e3
    );
    println!(
        "p99 DISCOVER to last file  {:.1} ms",
        percentile(&times, 99.0).as_secs_f64() * 1e3
    );
    println!(
        "DHCP alone        p50 {:.1} ms, p99 {:.1} ms, {} requests sent again",
        percentile(&leases, 50.0).as_secs_f64() * 1e3,
        percentile(&leases, 99.0).as_secs_f64() * 1e3,
        RESENT.load(Ordering::Relaxed)
    );
    if let (Some((cpu_before, _)), Some((cpu_after, peak_kib))) = (before, after) {
        let cpu = cpu_after.saturating_sub(cpu_before);
        println!(
            "server CPU        {:.2} s ({:.0}% of one core over the wall time)",
            cpu.as_secs_f64(),
            cpu.as_secs_f64() / wall.as_secs_f64() * 100.0
        );
        println!("server peak RSS   {:.1} MiB", peak_kib as f64 / 1024.0);
    }
    if failed > 0 {
        std::process::exit(1);
    }
}
