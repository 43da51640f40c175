//! `phoneprov serve`: its flags ([`ServeArgs`]) turned into a [`ServerConfig`], the server
//! started with [`Server::start`], SIGHUP reloading the templates, and SIGINT or SIGTERM stopping
//! it with [`phoneprov::server::Running::stop`].

use phoneprov::store::prelude::*;
use std::net::SocketAddr;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use tokio::signal::unix::{SignalKind, signal};

use phoneprov::admin::api::DEFAULT_BODY_LIMIT;
use phoneprov::config::{Serving, Storage};
use phoneprov::config_file::ConfigFile;
use phoneprov::dhcp::subnet::SubnetConfig;
use phoneprov::domain::SiteName;
use phoneprov::import::{ImportError, TableRow, apply_declared_settings};
use phoneprov::provision::upload::{DEFAULT_LOG_KEEP, DEFAULT_MAX_UPLOAD, UploadLimits};
use phoneprov::publish::{PublishSettings, Target};
use phoneprov::server::{
    AdminConfig, DhcpConfig, ListenConfig, PhoneConfig, PushConfig, Server, ServerConfig,
};
use phoneprov::site_edit::apply_declared;
use phoneprov::store::{SqlStore, url_without_password};
use phoneprov::transport::connection::HttpLimits;
use phoneprov::transport::ftp::auth::Account;
use phoneprov::transport::ftp::{FtpConfig, parse_port_range};

use crate::announce;
use crate::dhcp::polycom_option;
use crate::guard::GuardFlags;
use crate::tell;
use crate::tls::TlsFlags;

/// The flags of `phoneprov serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Load the demo deployment if the store has no extensions and no phones.
    #[arg(long, env = "PHONEPROV_DEMO")]
    pub demo: bool,
    /// Address and port of the phone-facing HTTP server (port 80 needs privilege), or `off`
    /// (with --https-listen).
    #[arg(long, env = "PHONEPROV_HTTP_LISTEN", default_value = "0.0.0.0:8080", value_parser = listen_or_off, overrides_with = "http_listen")]
    pub http_listen: ListenOrOff,
    /// Seconds a client has to send a request's headers over HTTP(S), also while a kept-alive
    /// connection waits for its next request; a slower one is disconnected.
    #[arg(long, env = "PHONEPROV_HTTP_HEADER_TIMEOUT", default_value_t = phoneprov::transport::connection::DEFAULT_HEADER_TIMEOUT_SECONDS, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub http_header_timeout: u64,
    /// Also serve phone files under this path prefix, e.g. /prov.
    #[arg(long, env = "PHONEPROV_HTTP_PREFIX")]
    pub http_prefix: Option<String>,
    /// Largest phone upload accepted, in bytes.
    #[arg(long, env = "PHONEPROV_UPLOAD_MAX_BYTES", default_value_t = DEFAULT_MAX_UPLOAD)]
    pub upload_max_bytes: usize,
    /// Newest bytes kept of each phone log.
    #[arg(long, env = "PHONEPROV_LOG_KEEP_BYTES", default_value_t = DEFAULT_LOG_KEEP)]
    pub log_keep_bytes: usize,
    /// Bearer token of the admin API (default: generated once, kept in the data folder).
    #[arg(long, env = "PHONEPROV_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// A reverse proxy in front of the admin page and API (e.g. for HTTPS), as CIDR; repeatable.
    /// Requests from it are counted for login limits by the address its X-Forwarded-For names.
    #[arg(
        long = "trusted-proxy",
        env = "PHONEPROV_TRUSTED_PROXY",
        value_delimiter = ',',
        value_name = "CIDR"
    )]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Largest admin API request body (a CSV import), in bytes.
    #[arg(long, env = "PHONEPROV_API_BODY_LIMIT", default_value_t = DEFAULT_BODY_LIMIT)]
    pub api_body_limit: usize,
    /// Address and port of the FTP server (21 needs privilege), or "off".
    #[arg(long, env = "PHONEPROV_FTP_LISTEN", default_value = "0.0.0.0:2121", value_parser = listen_or_off)]
    pub ftp_listen: ListenOrOff,
    /// An FTP login, USER:PASSWORD; repeat (or separate with commas) to accept several
    /// (default: the Polycom factory login PlcmSpIp:PlcmSpIp).
    #[arg(long = "ftp-account", env = "PHONEPROV_FTP_ACCOUNTS", value_delimiter = ',', hide_env_values = true, value_parser = Account::parse)]
    pub ftp_accounts: Vec<Account>,
    /// Ports for passive FTP data connections.
    #[arg(long, env = "PHONEPROV_FTP_PASSIVE_PORTS", default_value = "30000-30999", value_parser = parse_port_range)]
    pub ftp_passive_ports: std::ops::RangeInclusive<u16>,
    /// IPv4 address announced for passive FTP (behind NAT; default: the address the phone
    /// connected to).
    #[arg(long, env = "PHONEPROV_FTP_PASSIVE_HOST")]
    pub ftp_passive_host: Option<std::net::Ipv4Addr>,
    /// Allow active-mode FTP (PORT/EPRT) for firmware that cannot use passive mode: the server
    /// then connects to whatever host and port a logged-in client names.
    #[arg(long, env = "PHONEPROV_FTP_ACTIVE", conflicts_with = "ftp_no_active")]
    pub ftp_active: bool,
    /// Refuse active-mode FTP (the default; kept for older configurations).
    #[arg(long, env = "PHONEPROV_FTP_NO_ACTIVE", hide = true)]
    pub ftp_no_active: bool,
    /// Most FTP sessions one address may hold at once (addresses in --allow-network: no
    /// limit); more are answered 421.
    #[arg(long, env = "PHONEPROV_FTP_SESSIONS_PER_ADDRESS", default_value_t = phoneprov::transport::address_slots::DEFAULT_SESSIONS_PER_ADDRESS, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
    pub ftp_sessions_per_address: usize,
    /// Most HTTP(S) connections one address may hold at once (addresses in --allow-network:
    /// no limit); more are closed at once.
    #[arg(long, env = "PHONEPROV_HTTP_CONNECTIONS_PER_ADDRESS", default_value_t = phoneprov::transport::address_slots::DEFAULT_CONNECTIONS_PER_ADDRESS, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
    pub http_connections_per_address: usize,
    /// Address and port of the TFTP server, e.g. 0.0.0.0:69 (default: off).
    #[arg(long, env = "PHONEPROV_TFTP_LISTEN")]
    pub tftp_listen: Option<SocketAddr>,
    /// Address and port of the DHCP server, e.g. 0.0.0.0:67 (default: off). It answers
    /// phones' DHCPINFORM with their boot-server options and nothing else.
    #[arg(long, env = "PHONEPROV_DHCP_LISTEN")]
    pub dhcp_listen: Option<SocketAddr>,
    /// Boot-server URL sent to Polycom phones (default: phoneprov's FTP, else HTTP, URL).
    #[arg(long, env = "PHONEPROV_DHCP_POLYCOM_URL")]
    pub dhcp_polycom_url: Option<String>,
    /// The DHCP option Polycom phones are set to read (160, or 128-254 where 160 is taken;
    /// 66 sends it in option 66 only).
    #[arg(long, env = "PHONEPROV_DHCP_POLYCOM_OPTION", default_value_t = 160, value_parser = polycom_option)]
    pub dhcp_polycom_option: u8,
    /// Do not also send the Polycom URL as option 66.
    #[arg(long, env = "PHONEPROV_DHCP_NO_OPTION_66")]
    pub dhcp_no_option_66: bool,
    /// Configuration-server URL sent to Aastra/Mitel phones (default: phoneprov's HTTP URL).
    #[arg(long, env = "PHONEPROV_DHCP_AASTRA_URL")]
    pub dhcp_aastra_url: Option<String>,
    /// Provisioning URL sent to Yealink phones (default: phoneprov's HTTP URL).
    #[arg(long, env = "PHONEPROV_DHCP_YEALINK_URL")]
    pub dhcp_yealink_url: Option<String>,
    /// A custom DHCP option (128-254) Yealink phones are set to read: the URL goes there as
    /// well as in option 66 (default: option 66 only).
    #[arg(long, env = "PHONEPROV_DHCP_YEALINK_OPTION", value_parser = crate::dhcp::custom_option)]
    pub dhcp_yealink_option: Option<u8>,
    /// Address and port the check-sync NOTIFYs leave from and their answers come to, or
    /// "off" to push nothing (default: any port on all addresses).
    #[arg(long, env = "PHONEPROV_PUSH_LISTEN", default_value = "0.0.0.0:0", value_parser = listen_or_off)]
    pub push_listen: ListenOrOff,
    /// Phones sent a check-sync NOTIFY per second at most.
    #[arg(long, env = "PHONEPROV_PUSH_RATE", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub push_rate: u32,
    /// Seconds a NOTIFY waits for the phone's answer, retransmitted meanwhile (RFC 3261
    /// timer F).
    #[arg(long, env = "PHONEPROV_PUSH_TIMEOUT", default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub push_timeout: u64,
    /// Publish every file phones can ask for to a boot server the site already has, after every
    /// change (debounced): ftp://USER[:PASS]@HOST[:PORT]/PATH, ftps://... or dir:/PATH; repeat
    /// for several.
    #[arg(long, env = "PHONEPROV_PUBLISH", value_delimiter = ' ')]
    pub publish: Vec<String>,
    /// CA certificates (PEM) FTPS boot servers' certificates must chain to (default: the
    /// system's).
    #[arg(long, env = "PHONEPROV_PUBLISH_CA")]
    pub publish_ca: Option<std::path::PathBuf>,
    /// A file holding the FTP password of the publish targets whose URL has none (or
    /// PHONEPROV_PUBLISH_PASSWORD).
    #[arg(long, env = "PHONEPROV_PUBLISH_PASSWORD_FILE")]
    pub publish_password_file: Option<std::path::PathBuf>,
    /// Also publish every file of the firmware folder.
    #[arg(long, env = "PHONEPROV_PUBLISH_WITH_FIRMWARE")]
    pub publish_with_firmware: bool,
    /// Seconds the data must be still before it is published.
    #[arg(long, env = "PHONEPROV_PUBLISH_DEBOUNCE", default_value_t = 2, value_parser = clap::value_parser!(u64).range(0..=3600))]
    pub publish_debounce: u64,
    #[command(flatten)]
    pub guard: GuardFlags,
    #[command(flatten)]
    pub tls: TlsFlags,
}

/// An address to listen on, or none (`off`).
#[derive(Debug, Clone, Copy)]
pub struct ListenOrOff(Option<SocketAddr>);

fn listen_or_off(text: &str) -> Result<ListenOrOff, String> {
    if text.eq_ignore_ascii_case("off") {
        return Ok(ListenOrOff(None));
    }
    text.parse()
        .map(|address| ListenOrOff(Some(address)))
        .map_err(|_| format!("{text:?} is not ADDRESS:PORT or off"))
}

/// Serves until SIGINT or SIGTERM.
pub async fn serve(
    store: &SqlStore,
    storage: &Storage,
    serving: Serving,
    args: ServeArgs,
    mut config_file: ConfigFile,
) -> anyhow::Result<ExitCode> {
    let subnets = std::mem::take(&mut config_file.subnets);
    let config = server_config(store, storage, serving, args, subnets)?;
    let declared = apply_declared(
        store,
        &config_file.sites,
        config_file.voicemail.map(|vm| (vm.central, vm.backup)),
        "config-file",
    )
    .await?;
    if !declared.is_empty() {
        tracing::info!(written = ?declared, "applied the config file's sites and voice mail");
    }
    apply_config_settings(store, &config_file.parameters).await?;
    raise_descriptor_limit();
    ignore_file_size_signal();
    // Signal handlers first: a signal that arrives once "running" is logged must find them.
    let listen_for = |kind: SignalKind| signal(kind).context("cannot listen for signals");
    let (mut interrupt, mut terminate, mut hangup) = (
        listen_for(SignalKind::interrupt())?,
        listen_for(SignalKind::terminate())?,
        listen_for(SignalKind::hangup())?,
    );
    let firmware_dir = config.serving.firmware_dir.clone();
    let own_address = config.serving.server_address.clone();
    let own_interface = config.serving.server_address_interface.clone();
    let own_detected = config.serving.server_address_detected;
    let running = Server::start(config).await?;
    let (token, generated) = running.admin_token();
    if generated {
        tell(format_args!(
            "admin API token (shown once, kept in {}): {token}",
            storage
                .data_dir
                .join(phoneprov::admin::token::TOKEN_FILE)
                .display()
        ));
    }
    let counts = store.counts().await?;
    let addresses = running.addresses();
    let url = |scheme: &str, address: Option<SocketAddr>| {
        address.map_or_else(|| "off".to_string(), |a| format!("{scheme}://{a}/"))
    };
    tracing::info!(
        http = %url("http", addresses.http),
        https = %url("https", addresses.https),
        ftp = %url("ftp", addresses.ftp),
        tftp = %url("tftp", addresses.tftp),
        dhcp = %url("dhcp", addresses.dhcp),
        push = %url("sip", addresses.push),
        firmware = %firmware_dir.display(),
        database = %url_without_password(&storage.url()?),
        backend = %store.backend(),
        sites = counts.sites,
        extensions = counts.extensions,
        phones = counts.phones,
        "phoneprov is running; press Ctrl-C to stop"
    );
    let default_site = store.site(&SiteName::default_site()).await?;
    announce::tell_all(&announce::lines(
        announce::admin_url(&addresses, &own_address),
        default_site.as_ref(),
        &announce::OwnAddress {
            address: &own_address,
            interface: own_interface.as_deref(),
            detected: own_detected,
        },
    ));
    loop {
        tokio::select! {
            _ = interrupt.recv() => break,
            _ = terminate.recv() => break,
            _ = hangup.recv() => {
                tracing::info!("SIGHUP: reloading templates");
                if let Err(failures) = running.reload_templates() {
                    for failure in &failures {
                        tracing::error!("template reload: {failure}");
                    }
                    tracing::error!(
                        failures = failures.len(),
                        "template reload refused: the templates in use keep serving"
                    );
                } else {
                    tracing::info!("templates reloaded");
                }
            }
        }
    }
    tracing::info!("stopping");
    running.stop().await?;
    Ok(ExitCode::SUCCESS)
}

/// The server's config from the flags (and the config file's subnets).
fn server_config(
    store: &SqlStore,
    storage: &Storage,
    serving: Serving,
    args: ServeArgs,
    subnets: Vec<SubnetConfig>,
) -> anyhow::Result<ServerConfig> {
    let publish = publish_settings(&args, &serving.firmware_dir)?;
    let tls = args.tls.setup()?;
    if args.http_listen.0.is_none() && tls.https.is_none() {
        anyhow::bail!("--http-listen off needs --https-listen: phones need a web server");
    }
    let ftp = FtpConfig {
        accounts: if args.ftp_accounts.is_empty() {
            vec![Account::polycom_factory()]
        } else {
            args.ftp_accounts
        },
        passive_ports: args.ftp_passive_ports,
        passive_host: args.ftp_passive_host,
        active: args.ftp_active,
        sessions_per_address: args.ftp_sessions_per_address,
        tls: tls.ftp,
        tls_required: tls.ftps_required,
        ..FtpConfig::default()
    };
    Ok(ServerConfig {
        store: store.clone(),
        data_dir: storage.data_dir.clone(),
        serving,
        demo: args.demo,
        listen: ListenConfig {
            http: args.http_listen.0,
            https: tls.https,
            ftp: args.ftp_listen.0,
            tftp: args.tftp_listen,
            dhcp: args.dhcp_listen,
            push: args.push_listen.0,
        },
        phones: PhoneConfig {
            prefix: args.http_prefix,
            uploads: UploadLimits {
                max_bytes: args.upload_max_bytes,
                log_keep_bytes: args.log_keep_bytes,
            },
            limits: HttpLimits {
                header_timeout: std::time::Duration::from_secs(args.http_header_timeout),
            },
            connections_per_address: args.http_connections_per_address,
        },
        admin: AdminConfig {
            token: args.admin_token,
            body_limit: args.api_body_limit,
            trusted_proxies: args.trusted_proxies,
        },
        ftp,
        dhcp: DhcpConfig {
            polycom_url: args.dhcp_polycom_url,
            polycom_option: args.dhcp_polycom_option,
            option_66: !args.dhcp_no_option_66,
            aastra_url: args.dhcp_aastra_url,
            yealink_url: args.dhcp_yealink_url,
            yealink_option: args.dhcp_yealink_option,
            subnets,
        },
        push: PushConfig {
            rate: args.push_rate,
            timeout: std::time::Duration::from_secs(args.push_timeout),
        },
        guard: args.guard.settings(),
        publish,
    })
}

/// The publish settings of `serve`, or `None` without `--publish`.
fn publish_settings(
    args: &ServeArgs,
    firmware: &std::path::Path,
) -> anyhow::Result<Option<PublishSettings>> {
    if args.publish.is_empty() {
        return Ok(None);
    }
    let password = crate::publish::password(args.publish_password_file.as_ref())?;
    let targets = args
        .publish
        .iter()
        .map(|text| Target::parse(text, password.as_deref()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(PublishSettings {
        targets,
        ca: args.publish_ca.clone(),
        firmware: args.publish_with_firmware.then(|| firmware.to_path_buf()),
        debounce: std::time::Duration::from_secs(args.publish_debounce),
    }))
}

/// Writing past a file-size limit (`RLIMIT_FSIZE`) kills a process with SIGXFSZ by default.
/// Ignored, such a write fails with an error like a full disk's, which the store reports
/// (`/healthz`, the failed request) instead of the server dying.
fn ignore_file_size_signal() {
    // SAFETY: setting a signal's disposition to "ignore" installs no handler code.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// Raises the soft limit of open descriptors to the hard limit (at most 1,048,576): every phone
/// connection, FTP session and firmware read holds one, and the usual soft default of 1,024 is
/// gone after a thousand half-open connections. Logged when raised; a failure is logged and the
/// server runs with what it has.
fn raise_descriptor_limit() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed, which lives here.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        tracing::warn!("cannot read the open-file limit");
        return;
    }
    let wanted = limit.rlim_max.min(1 << 20);
    if limit.rlim_cur >= wanted {
        return;
    }
    let before = limit.rlim_cur;
    limit.rlim_cur = wanted;
    // SAFETY: as above.
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } == 0 {
        tracing::info!(from = before, to = wanted, "raised the open-file limit");
    } else {
        tracing::warn!(
            limit = before,
            "cannot raise the open-file limit; a flood of connections may exhaust it"
        );
    }
}

/// Applies the config file's `[[setting]]` tables; a refusal names each table and field.
async fn apply_config_settings(
    store: &SqlStore,
    declared: &[phoneprov::config_file::SettingConfig],
) -> anyhow::Result<()> {
    if declared.is_empty() {
        return Ok(());
    }
    let rows: Vec<TableRow> = declared
        .iter()
        .enumerate()
        .map(|(i, s)| TableRow {
            line: i as u64 + 1,
            cells: vec![
                s.scope.clone(),
                s.target.clone(),
                s.parameter.clone(),
                s.value.clone(),
            ],
        })
        .collect();
    match apply_declared_settings(store, &rows, "config-file").await {
        Ok(0) => Ok(()),
        Ok(written) => {
            tracing::info!(written, "applied the config file's settings");
            Ok(())
        }
        Err(ImportError::Rejected(errors)) => {
            let list: Vec<String> = errors
                .iter()
                .map(|e| match &e.column {
                    Some(field) => format!("[[setting]] number {}, {field}: {}", e.line, e.message),
                    None => format!("[[setting]] number {}: {}", e.line, e.message),
                })
                .collect();
            anyhow::bail!("config file: {}", list.join("; "))
        }
        Err(e) => Err(e.into()),
    }
}
