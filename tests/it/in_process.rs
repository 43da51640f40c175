//! The server as a library: `Server::start` in this test process on every backend, phones
//! served over real HTTP (curl) and FTP (suppaftp), the data changed through the store and
//! served within seconds, and `Running::stop` releasing the ports and writing what is queued
//! (the phone's last-seen record).

use phoneprov::store::prelude::*;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use phoneprov::config::Serving;
use phoneprov::policy::guard::GuardSettings;
use phoneprov::provision::upload::UploadLimits;
use phoneprov::server::{
    AdminConfig, DhcpConfig, ListenConfig, PhoneConfig, PushConfig, Server, ServerConfig,
};
use phoneprov::store::SqlStore;
use phoneprov::transport::connection::HttpLimits;
use phoneprov::transport::ftp::FtpConfig;

use crate::common::server::curl;
use crate::common::{self, golden_deployment};

const POLYCOM_UA: &str = "FileTransport PolycomVVX-VVX_400-UA/5.9.7.4477 Type/Application";

fn loopback() -> Option<SocketAddr> {
    Some(SocketAddr::from(([127, 0, 0, 1], 0)))
}

fn config(store: SqlStore, data_dir: &std::path::Path) -> ServerConfig {
    ServerConfig {
        store,
        data_dir: data_dir.to_path_buf(),
        serving: Serving::new(data_dir, None, Some("127.0.0.1".into())),
        demo: false,
        listen: ListenConfig {
            http: loopback(),
            ftp: loopback(),
            ..ListenConfig::default()
        },
        phones: PhoneConfig {
            prefix: None,
            uploads: UploadLimits::default(),
            limits: HttpLimits::default(),
            connections_per_address: 64,
        },
        admin: AdminConfig {
            token: Some("in-process-token-0123456789".into()),
            body_limit: 1 << 20,
            trusted_proxies: Vec::new(),
        },
        ftp: FtpConfig::default(),
        dhcp: DhcpConfig::default(),
        push: PushConfig {
            rate: 10,
            timeout: Duration::from_secs(1),
        },
        guard: GuardSettings::default(),
        publish: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_started_in_process_serves_phones_and_stops() {
    for db in common::databases().await {
        let store = db.open().await;
        golden_deployment(&store).await;
        let running = Server::start(config(store.clone(), db.dir.path()))
            .await
            .expect("server starts");
        let addresses = running.addresses();
        let http = addresses.http.expect("HTTP listens");
        let ftp = addresses.ftp.expect("FTP listens");
        assert!(addresses.https.is_none() && addresses.dhcp.is_none());
        let base = format!("http://{http}");

        // The phone's boot: its master file, then its extension's file from the same address.
        let get = |name: &str| {
            let url = format!("{base}/{name}");
            tokio::task::spawn_blocking(move || curl(&url, &["-A", POLYCOM_UA]))
        };
        let master = get("0004f214ab37.cfg").await.unwrap();
        assert_eq!(
            master.status,
            200,
            "{}",
            String::from_utf8_lossy(&master.body)
        );
        assert!(String::from_utf8_lossy(&master.body).contains("201.cfg"));
        let extension = get("201.cfg").await.unwrap();
        assert_eq!(extension.status, 200);
        assert!(String::from_utf8_lossy(&extension.body).contains("alice-secret-201"));
        assert_eq!(get("0004f2999999.cfg").await.unwrap().status, 404);

        // FTP from the same server: the site file.
        let site = tokio::task::spawn_blocking(move || {
            let mut session = suppaftp::FtpStream::connect(ftp).expect("FTP connects");
            session
                .login("PlcmSpIp", "PlcmSpIp")
                .expect("factory login");
            let file = session.retr_as_buffer("altigen.cfg").expect("RETR");
            let _ = session.quit();
            file.into_inner()
        })
        .await
        .unwrap();
        assert!(String::from_utf8_lossy(&site).contains("<polycomConfig>"));

        // A change through the store is served without a restart.
        let csv = "extension,display_name\n201,Alice Renamed\n";
        phoneprov::import::import_csv(&store, csv.as_bytes(), &Default::default(), &|_, _| {})
            .await
            .expect("import");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let body = String::from_utf8_lossy(&get("201.cfg").await.unwrap().body).to_string();
            if body.contains("Alice Renamed") {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the change was not served: {body}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }

        running.stop().await.expect("server stops");
        // Stopped: the port is closed, and the fetches were written out as last seen.
        assert_eq!(
            curl(&format!("{base}/201.cfg"), &["--max-time", "2"]).status,
            0
        );
        let phone = store
            .phone(&phoneprov::domain::Mac::parse("0004f214ab37").unwrap())
            .await
            .unwrap()
            .expect("the phone");
        assert!(phone.last_seen.is_some(), "the boot was recorded at stop");
        store.close().await;
    }
}
