//! The whole server as a library: [`Server::start`] takes a [`ServerConfig`] and returns the
//! [`Running`] server (every listener bound, the live data loaded, the writers started);
//! [`Running::stop`] stops it and writes out what is queued. The `phoneprov serve` command is a
//! thin layer over it (flags into a config, signals into reload and stop), and tests start a
//! server in process the same way.
//!
//! The composition, in the order it is built: store → live data (provisioning) → the phone-file
//! policy (guard, access, bindings, sightings) → the phone-facing transports (HTTP workers,
//! HTTPS, FTP, TFTP) with the admin API and web page on the HTTP router → DHCP and the
//! check-sync pusher.

mod dhcp;
mod error;
mod problem_log;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::task::JoinHandle;

pub use dhcp::DhcpConfig;
pub use error::ServerError;

use crate::admin::api::Controls;
use crate::config::Serving;
use crate::dhcp::server::{DhcpServer, LeaseControl};
use crate::domain::Mac;
use crate::policy::access::Access;
use crate::policy::bindings::Bindings;
use crate::policy::digest::Challenger;
use crate::policy::guard::{Guard, GuardSettings};
use crate::policy::phone_files::PhoneFiles;
use crate::policy::sightings::Recorder;
use crate::provision::Provisioner;
use crate::provision::live::{ChangedPhones, Live};
use crate::provision::upload::UploadLimits;
use crate::push::pusher::{PushQueue, PushSettings, Pusher, Reason};
use crate::render::Renderer;
use crate::store::{SqlStore, Store};
use crate::transport::address_slots::ConnectionLimit;
use crate::transport::admin_budget::AdminBudget;
use crate::transport::connection::HttpLimits;
use crate::transport::ftp::{FtpConfig, FtpServer};
use crate::transport::local_socket::LocalSocket;
use crate::transport::tftp::TftpServer;
use crate::transport::tftp_sessions::TftpSessions;
use crate::transport::tls::{TlsServer, TlsSetup};
use crate::transport::workers;
use dhcp::{WebPort, start_dhcp};

/// What phones are served, on every transport.
#[derive(Debug, Clone)]
pub struct PhoneConfig {
    /// Optional HTTP path prefix phones may use, e.g. `/prov`.
    pub prefix: Option<String>,
    /// Size limits of phone uploads.
    pub uploads: UploadLimits,
    /// Limits of every HTTP(S) connection.
    pub limits: HttpLimits,
    /// Most HTTP(S) connections per address.
    pub connections_per_address: usize,
}

/// Where phoneprov listens; `None` is off.
#[derive(Debug, Default)]
pub struct ListenConfig {
    /// Plain HTTP.
    pub http: Option<SocketAddr>,
    /// HTTPS, with its certificate (and client CA).
    pub https: Option<(SocketAddr, TlsSetup)>,
    /// FTP (and FTPS when the FTP config has TLS).
    pub ftp: Option<SocketAddr>,
    /// TFTP.
    pub tftp: Option<SocketAddr>,
    /// DHCP.
    pub dhcp: Option<SocketAddr>,
    /// The check-sync pusher's SIP socket.
    pub push: Option<SocketAddr>,
}

/// How check-sync pushes are paced and timed.
#[derive(Debug, Clone, Copy)]
pub struct PushConfig {
    /// Most pushes per second.
    pub rate: u32,
    /// How long a push waits for its answer.
    pub timeout: std::time::Duration,
}

/// The admin API's settings.
#[derive(Debug, Clone)]
pub struct AdminConfig {
    /// The admin token; `None` reads it from the data folder, or makes one there.
    pub token: Option<String>,
    /// The largest request body (CSV imports).
    pub body_limit: usize,
    /// Reverse proxies whose `X-Forwarded-For` names the admin's address (for login limits).
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

/// Everything a server is started with.
pub struct ServerConfig {
    /// The database.
    pub store: SqlStore,
    /// The data folder (the admin token is kept there).
    pub data_dir: PathBuf,
    /// Templates, firmware, pins and phoneprov's own address.
    pub serving: Serving,
    /// Load the demo deployment into an empty store.
    pub demo: bool,
    /// Where to listen.
    pub listen: ListenConfig,
    /// What phones are served and how.
    pub phones: PhoneConfig,
    /// The admin API.
    pub admin: AdminConfig,
    /// The FTP server.
    pub ftp: FtpConfig,
    /// The DHCP server.
    pub dhcp: DhcpConfig,
    /// Check-sync pushes.
    pub push: PushConfig,
    /// The enumeration defense.
    pub guard: GuardSettings,
    /// Publishing to boot servers the site already has, after every change (`None`: off).
    pub publish: Option<crate::publish::PublishSettings>,
}

/// Where a running server listens (`None`: off).
#[derive(Debug, Clone, Copy, Default)]
pub struct Addresses {
    /// Plain HTTP.
    pub http: Option<SocketAddr>,
    /// HTTPS.
    pub https: Option<SocketAddr>,
    /// FTP.
    pub ftp: Option<SocketAddr>,
    /// TFTP.
    pub tftp: Option<SocketAddr>,
    /// DHCP.
    pub dhcp: Option<SocketAddr>,
    /// The check-sync pusher.
    pub push: Option<SocketAddr>,
}

/// Starts servers.
#[derive(Debug)]
pub struct Server;

/// A started server; [`Running::stop`] stops it.
pub struct Running {
    addresses: Addresses,
    token: String,
    token_generated: bool,
    serving: Serving,
    live: Arc<Live>,
    http: Option<workers::Workers>,
    https: Option<TlsServer>,
    ftp: Option<FtpServer>,
    tftp: Option<TftpServer>,
    local_socket: Option<LocalSocket>,
    dhcp: Option<(DhcpServer, LeaseControl)>,
    pusher: Option<(Pusher, PushQueue)>,
    follower: JoinHandle<()>,
    ban_sharing: JoinHandle<()>,
    bindings_writer: JoinHandle<()>,
    recording: JoinHandle<()>,
    problem_saver: problem_log::ProblemSaver,
}

/// Loads the templates, logging every refused override (the built-in template serves instead).
pub fn load_templates(serving: &Serving) -> Renderer {
    let (renderer, problems) = Renderer::load(&serving.templates_dir);
    for problem in &problems {
        tracing::error!("{problem}");
    }
    for name in renderer.overridden() {
        tracing::info!(template = %name, "using the template from the templates folder");
    }
    renderer
}

/// The provisioner of `renderer` with the admin's firmware pins.
pub fn provisioner_of(serving: &Serving, renderer: Renderer) -> Provisioner {
    Provisioner::new(renderer).with_pins(serving.firmware_pins.clone())
}

impl Server {
    /// Starts every configured server on `config.store`: nothing listens until all of them
    /// could bind, and a failure names the listener and how to fix it.
    pub async fn start(config: ServerConfig) -> Result<Running, ServerError> {
        let ServerConfig {
            store,
            data_dir,
            serving,
            demo,
            listen,
            phones,
            admin,
            ftp,
            dhcp,
            push,
            guard,
            publish,
        } = config;
        if listen.http.is_none() && listen.https.is_none() {
            return Err(ServerError::Config(
                "--http-listen off needs --https-listen: phones need a web server".into(),
            ));
        }
        let (token, token_generated) = crate::admin::token::load_or_create(&data_dir, admin.token)?;
        let provisioner = provisioner_of(&serving, load_templates(&serving));
        if demo && let Some(report) = crate::demo::load_if_empty(&store).await? {
            tracing::info!(
                extensions = report.extensions.created.len(),
                phones = report.phones.created.len(),
                data_dir = %data_dir.display(),
                "loaded the demo deployment into {}; your real deployment belongs in a data \
                 folder of its own (serve without --demo uses ./{})",
                data_dir.display(),
                crate::config::DEFAULT_DATA_DIR
            );
        }
        std::fs::create_dir_all(&serving.firmware_dir).map_err(|e| {
            let what = format!(
                "cannot create the firmware folder {}",
                serving.firmware_dir.display()
            );
            ServerError::io(what, e)
        })?;
        let store: Arc<dyn Store> = Arc::new(store);
        let problem_saver = problem_log::ProblemSaver::start(Arc::clone(&store)).await;
        let live = Arc::new(
            Live::load(
                Arc::clone(&store),
                provisioner,
                serving.server_address.clone(),
            )
            .await?,
        );
        for site in live.current().0.sites() {
            if let Some(zone) = site.settings.north_american_plan_abroad() {
                tracing::warn!(
                    "{}",
                    crate::check::north_american_plan_warning(&site.name, zone)
                );
            }
        }
        let bound = listen.http.map(bind_http).transpose()?;
        let http_address = bound.as_ref().map(workers::Bound::address);
        let metrics =
            crate::observe::metrics::install().map_err(|e| ServerError::Metrics(e.to_string()))?;
        let (recorder, recording) = Recorder::start(store.clone());
        let per_address =
            ConnectionLimit::new(phones.connections_per_address, guard.allowed.clone());
        let guard = Arc::new(Guard::new(guard));
        let ban_sharing = tokio::spawn(crate::policy::shared_bans::share_bans(
            Arc::clone(&guard),
            store.clone(),
        ));
        let (bindings, bindings_writer) = Bindings::start(store.clone(), Arc::clone(&live)).await?;
        let access = Access::new(
            Arc::clone(&guard),
            bindings,
            Challenger::new().map_err(ServerError::Random)?,
        );
        let asks_certificates = listen
            .https
            .as_ref()
            .is_some_and(|(_, tls)| tls.asks_certificates());
        let access = if asks_certificates {
            access.requiring_certificates()
        } else {
            access
        };
        access.seed(
            store
                .phones()
                .await?
                .into_iter()
                .filter_map(|phone| Some((phone.mac, phone.last_seen?.ip.parse().ok()?))),
            store.phone_homes().await?,
        );
        let access = Arc::new(access);
        let files = Arc::new(PhoneFiles::new(
            Arc::clone(&live),
            store.clone(),
            recorder,
            serving.firmware_dir.clone(),
            phones.uploads,
            Arc::clone(&guard),
            Arc::clone(&access),
        ));
        let inbox = files.inbox();
        let ftp_server = match listen.ftp {
            Some(address) => {
                let listener = FtpServer::bind(address)
                    .await
                    .map_err(|source| bind_error("FTP", address, source))?;
                let server = FtpServer::start(listener, Arc::clone(&files), ftp)
                    .map_err(|e| ServerError::io("cannot start the FTP server", e))?;
                Some(server)
            }
            None => None,
        };
        let tftp_server = match listen.tftp {
            Some(address) => Some(
                TftpServer::start(address, Arc::clone(&files), TftpSessions::default())
                    .await
                    .map_err(|source| bind_error("TFTP", address, source))?,
            ),
            None => None,
        };
        let ftp_port = ftp_server.as_ref().map(|server| server.address().port());
        let web = match (http_address, &listen.https) {
            (Some(address), _) => WebPort {
                secure: false,
                port: address.port(),
            },
            (None, Some((address, _))) => WebPort {
                secure: true,
                port: address.port(),
            },
            (None, None) => {
                return Err(ServerError::Config(
                    "no web server to point phones at".into(),
                ));
            }
        };
        // Files that name an absolute URL (a Yealink phone book, its firmware) name this one.
        live.set_web_url(crate::handset::boot::web_url(
            &serving.server_address,
            web.secure,
            web.port,
        ));
        let dhcp_server = match listen.dhcp {
            Some(address) => Some(
                start_dhcp(
                    address,
                    dhcp,
                    &serving.server_address,
                    web,
                    ftp_port,
                    &store,
                )
                .await?,
            ),
            None => None,
        };
        let pusher = match listen.push {
            Some(address) => {
                let settings = PushSettings {
                    listen: address,
                    host: serving.server_address.clone(),
                    rate: push.rate,
                    timeout: push.timeout,
                };
                let started = Pusher::start(settings, Arc::clone(&live), Arc::clone(&store));
                Some(
                    started
                        .await
                        .map_err(|source| bind_error("SIP push", address, source))?,
                )
            }
            None => None,
        };
        let admin_logins = Arc::new(
            crate::policy::login_limit::LoginLimit::default()
                .trusting(admin.trusted_proxies.clone())
                .unlocked_by(data_dir.join(crate::policy::login_limit::UNLOCK_FILE)),
        );
        let controls = Controls {
            leases: dhcp_server.as_ref().map(|(_, control)| control.clone()),
            pushes: pusher.as_ref().map(|(_, queue)| queue.clone()),
            guard: Some(guard),
            access: Some(access),
            inbox: Some(inbox),
            publish: publish
                .map(|settings| crate::publish::follow::start(settings, Arc::clone(&live))),
            logins: Arc::clone(&admin_logins),
        };
        let api = crate::admin::api::router(
            Arc::clone(&store),
            Arc::clone(&live),
            controls,
            token.clone(),
            admin.body_limit,
        );
        let api_for_socket = api.clone();
        let web_page = crate::admin::web::router(
            axum::Router::new().nest(crate::admin::api::PREFIX, api.clone()),
            token.clone(),
            admin_logins,
            admin.body_limit,
        );
        let limits = phones.limits;
        let health = Arc::new(crate::observe::health::Health::new(store.clone()));
        // The admin routes have a budget of their own, so phones never wait behind them.
        let admin_routes = axum::Router::new()
            .nest(crate::admin::api::PREFIX, api)
            .merge(web_page)
            .layer(axum::middleware::from_fn_with_state(
                AdminBudget::default(),
                crate::transport::admin_budget::within_budget,
            ));
        let router = crate::transport::http::router(files, phones.prefix)
            .merge(admin_routes)
            .route(
                "/healthz",
                axum::routing::get(move || {
                    let health = Arc::clone(&health);
                    async move { health.answer().await }
                }),
            )
            .merge(crate::observe::metrics::router(metrics))
            .layer(axum::middleware::from_fn(
                crate::observe::metrics::count_requests,
            ))
            // A bug that panics in a handler answers 500 (and is logged) instead of dropping
            // the connection.
            .layer(tower_http::catch_panic::CatchPanicLayer::new());
        // Without it (a data folder path too long for a socket, say) the server still runs.
        let local_socket = match LocalSocket::start(
            &data_dir,
            axum::Router::new().nest(crate::admin::api::PREFIX, api_for_socket),
            limits,
        ) {
            Ok(socket) => Some(socket),
            Err(e) => {
                tracing::warn!("the admin socket in the data folder cannot be opened: {e}");
                None
            }
        };
        let https_server = match listen.https {
            Some((address, setup)) => Some(
                TlsServer::start(address, setup, router.clone(), limits, per_address.clone())
                    .await
                    .map_err(|source| bind_error("HTTPS", address, source))?,
            ),
            None => None,
        };
        let http_server = bound
            .map(|bound| workers::start(bound, router, limits, per_address))
            .transpose()
            .map_err(|e| ServerError::io("cannot start the HTTP workers", e))?;
        let on_change: Option<ChangedPhones> = pusher.as_ref().map(|(_, queue)| {
            let queue = queue.clone();
            Box::new(move |changed: Vec<Mac>| queue.push(changed, Reason::Change)) as ChangedPhones
        });
        let follower = tokio::spawn(Arc::clone(&live).follow_revisions(on_change));
        let addresses = Addresses {
            http: http_address,
            https: https_server.as_ref().map(TlsServer::address),
            ftp: ftp_server.as_ref().map(FtpServer::address),
            tftp: tftp_server.as_ref().map(TftpServer::address),
            dhcp: dhcp_server.as_ref().map(|(server, _)| server.address()),
            push: pusher.as_ref().map(|(pusher, _)| pusher.address()),
        };
        Ok(Running {
            addresses,
            token,
            token_generated,
            serving,
            live,
            http: http_server,
            https: https_server,
            ftp: ftp_server,
            tftp: tftp_server,
            local_socket,
            dhcp: dhcp_server,
            pusher,
            follower,
            ban_sharing,
            bindings_writer,
            recording,
            problem_saver,
        })
    }
}

impl Running {
    /// Where it listens.
    pub fn addresses(&self) -> Addresses {
        self.addresses
    }

    /// The admin token, and whether it was made at this start (to be shown once).
    pub fn admin_token(&self) -> (&str, bool) {
        (&self.token, self.token_generated)
    }

    /// The live data it serves.
    pub fn live(&self) -> &Arc<Live> {
        &self.live
    }

    /// Serves with the templates as they are now in the templates folder, if every file of the
    /// current data renders with them; otherwise keeps the ones in use and returns each failure.
    pub fn reload_templates(&self) -> Result<(), Vec<String>> {
        let provisioner = provisioner_of(&self.serving, load_templates(&self.serving));
        self.live.try_provisioner(provisioner)
    }

    /// Stops every server, then waits for the writers to save what is queued (bindings, last
    /// seen).
    pub async fn stop(self) -> Result<(), ServerError> {
        self.follower.abort();
        self.ban_sharing.abort();
        if let Some(ftp) = self.ftp {
            ftp.stop();
        }
        if let Some(tftp) = self.tftp {
            tftp.stop();
        }
        if let Some(socket) = self.local_socket {
            socket.stop();
        }
        if let Some((pusher, _)) = self.pusher {
            pusher.stop();
        }
        if let Some((dhcp, _)) = self.dhcp {
            dhcp.stop();
        }
        if let Some(https) = self.https {
            https.stop().await;
        }
        if let Some(http) = self.http {
            tokio::task::spawn_blocking(move || http.stop())
                .await
                .map_err(|e| ServerError::io("the HTTP workers cannot be stopped", e.into()))?
                .map_err(|e| ServerError::io("the HTTP server failed", e))?;
        }
        drop(self.live);
        // The servers' handles on the bindings are gone: the writer saves what is left and ends.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(3), self.bindings_writer).await;
        // The servers' handles on the recorder are gone: the writer flushes what is queued.
        self.recording
            .await
            .map_err(|e| ServerError::io("the last-seen writer failed", e.into()))?;
        self.problem_saver.stop().await;
        Ok(())
    }
}

/// Binds the HTTP workers' sockets (one per core).
fn bind_http(address: SocketAddr) -> Result<workers::Bound, ServerError> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    workers::bind(address, cores).map_err(|source| bind_error("HTTP", address, source))
}

/// A listener that could not bind, with a flag that would work: for an address in use, the
/// next free port on the same address (checked now), else a port above 1023.
fn bind_error(server: &'static str, address: SocketAddr, source: std::io::Error) -> ServerError {
    let (flag, unprivileged, udp) = match server {
        "HTTP" => ("--http-listen", 8080, false),
        "HTTPS" => ("--https-listen", 8443, false),
        "FTP" => ("--ftp-listen", 2121, false),
        "TFTP" => ("--tftp-listen", 6969, true),
        _ => ("--push-listen", 5070, true),
    };
    let free = (source.kind() == std::io::ErrorKind::AddrInUse)
        .then(|| free_port_after(address, udp))
        .flatten();
    let example = match free {
        Some(free) => format!("{flag} {free}"),
        None => format!("{flag} 0.0.0.0:{unprivileged}"),
    };
    ServerError::Bind {
        server,
        address,
        source,
        example,
    }
}

/// The first of the next 50 ports on `address`'s IP that nothing listens on now.
fn free_port_after(address: SocketAddr, udp: bool) -> Option<SocketAddr> {
    (1..=50u16)
        .filter_map(|step| address.port().checked_add(step))
        .map(|port| SocketAddr::new(address.ip(), port))
        .find(|candidate| {
            if udp {
                std::net::UdpSocket::bind(candidate).is_ok()
            } else {
                std::net::TcpListener::bind(candidate).is_ok()
            }
        })
}
