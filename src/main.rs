//! The `phoneprov` command: parses the command line and runs one command. `anyhow` lives here and
//! only here; the library reports typed errors.

use std::io::{IsTerminal, Read, Write};
use std::net::SocketAddr;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use tokio::signal::unix::{SignalKind, signal};

use phoneprov::check::{Severity, check};
use phoneprov::config::{DEFAULT_DATA_DIR, Serving, Storage};
use phoneprov::config_file::ConfigFile;
use phoneprov::domain::{Mac, Vendor};
use phoneprov::handset::firmware::FirmwarePins;
use phoneprov::import::{ImportError, ImportOptions, export_csv, import_csv};
use phoneprov::provision::live::{ChangedPhones, Live};
use phoneprov::provision::upload::{DEFAULT_LOG_KEEP, DEFAULT_MAX_UPLOAD, UploadLimits};
use phoneprov::provision::{Deployment, Fetch, Provisioner};
use phoneprov::push::pusher::{PushSettings, Pusher, Reason};
use phoneprov::render::{Renderer, TemplateProblem};
use phoneprov::serve::api::Controls;
use phoneprov::serve::api::DEFAULT_BODY_LIMIT;
use phoneprov::serve::ftp::auth::Account;
use phoneprov::serve::ftp::{FtpConfig, FtpServer, parse_port_range};
use phoneprov::serve::phone_files::PhoneFiles;
use phoneprov::serve::sightings::Recorder;
use phoneprov::serve::tftp::TftpServer;
use phoneprov::serve::workers;
use phoneprov::site_edit::apply_declared;
use phoneprov::store::{SqlStore, Store, url_without_password};

mod cli_dhcp;
mod cli_failover;
mod cli_guard;
mod cli_phone;

mod cli_tls;

mod cli_settings;
mod cli_site;

use cli_dhcp::{DhcpChoices, LeaseAction, WebPort, polycom_option, start_dhcp};
use cli_failover::{ExtensionAction, VoicemailAction};
use cli_guard::GuardFlags;
use cli_tls::TlsFlags;
use phoneprov::serve::access::Access;
use phoneprov::serve::address_slots::ConnectionLimit;
use phoneprov::serve::bindings::Bindings;
use phoneprov::serve::connection::HttpLimits;
use phoneprov::serve::digest::Challenger;
use phoneprov::serve::tls::TlsServer;

use cli_site::SiteAction;
use phoneprov::serve::guard::{Guard, GuardSettings};

/// Provisioning server for SIP desk phones (Polycom, Aastra/Mitel).
#[derive(Debug, Parser)]
#[command(name = "phoneprov", version, about)]
struct Cli {
    #[command(flatten)]
    storage: StorageArgs,
    /// Log lines as text (`key=value` fields) or as JSON objects, one per line (for a log
    /// collector; audit lines have the target `audit`).
    #[arg(long, global = true, env = "PHONEPROV_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"])]
    log_format: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
struct StorageArgs {
    /// Config file (TOML): any flag below under its name, e.g. http_listen = "0.0.0.0:80", and
    /// the DHCP subnets. Flags and environment variables win over it.
    #[arg(long, global = true, env = cli_settings::CONFIG_ENV)]
    config: Option<PathBuf>,
    /// Folder for the database (SQLite) and other data.
    #[arg(long, global = true, env = "PHONEPROV_DATA_DIR", default_value = DEFAULT_DATA_DIR)]
    data_dir: PathBuf,
    /// Database URL, e.g. postgres://user@host/db (default: SQLite in the data folder).
    #[arg(
        long,
        global = true,
        env = "PHONEPROV_DATABASE_URL",
        hide_env_values = true
    )]
    database_url: Option<String>,
    /// Folder of template overrides (default: templates in the data folder).
    #[arg(long, global = true, env = "PHONEPROV_TEMPLATES_DIR")]
    templates_dir: Option<PathBuf>,
    /// phoneprov's own address as phones reach it, sent as the call server of sites that have
    /// none set (default: this host's first non-loopback IPv4 address).
    #[arg(long, global = true, env = "PHONEPROV_SERVER_ADDRESS")]
    server_address: Option<String>,
    /// Folder of firmware and vendor files (default: firmware in the data folder).
    #[arg(long, global = true, env = "PHONEPROV_FIRMWARE_DIR")]
    firmware_dir: Option<PathBuf>,
    /// The application image of a Polycom model under the firmware folder, MODEL=PATH or
    /// MODEL=FAMILY:PATH (family sip21, sip31, sip32, uc4 or uc5 when the image is not the
    /// model's own line), e.g. VVX_400=vvx/5.9.7/sip.ld; repeat for several models.
    #[arg(
        long = "firmware-pin",
        global = true,
        env = "PHONEPROV_FIRMWARE_PIN",
        value_delimiter = ','
    )]
    firmware_pins: Vec<String>,
}

// Parsed once at start; the size of the `serve` variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum Command {
    /// Open the store and serve phones until Ctrl-C.
    Serve {
        /// Load the demo deployment if the store has no extensions and no phones.
        #[arg(long, env = "PHONEPROV_DEMO")]
        demo: bool,
        /// Address and port of the phone-facing HTTP server (port 80 needs privilege), or `off`
        /// (with --https-listen).
        #[arg(long, env = "PHONEPROV_HTTP_LISTEN", default_value = "0.0.0.0:8080", value_parser = listen_or_off, overrides_with = "http_listen")]
        http_listen: ListenOrOff,
        /// Seconds a client has to send a request's headers over HTTP(S), also while a kept-alive
        /// connection waits for its next request; a slower one is disconnected.
        #[arg(long, env = "PHONEPROV_HTTP_HEADER_TIMEOUT", default_value_t = phoneprov::serve::connection::DEFAULT_HEADER_TIMEOUT_SECONDS, value_parser = clap::value_parser!(u64).range(1..=3600))]
        http_header_timeout: u64,
        /// Also serve phone files under this path prefix, e.g. /prov.
        #[arg(long, env = "PHONEPROV_HTTP_PREFIX")]
        http_prefix: Option<String>,
        /// Largest phone upload accepted, in bytes.
        #[arg(long, env = "PHONEPROV_UPLOAD_MAX_BYTES", default_value_t = DEFAULT_MAX_UPLOAD)]
        upload_max_bytes: usize,
        /// Newest bytes kept of each phone log.
        #[arg(long, env = "PHONEPROV_LOG_KEEP_BYTES", default_value_t = DEFAULT_LOG_KEEP)]
        log_keep_bytes: usize,
        /// Bearer token of the admin API (default: generated once, kept in the data folder).
        #[arg(long, env = "PHONEPROV_ADMIN_TOKEN", hide_env_values = true)]
        admin_token: Option<String>,
        /// Largest admin API request body (a CSV import), in bytes.
        #[arg(long, env = "PHONEPROV_API_BODY_LIMIT", default_value_t = DEFAULT_BODY_LIMIT)]
        api_body_limit: usize,
        /// Address and port of the FTP server (21 needs privilege), or "off".
        #[arg(long, env = "PHONEPROV_FTP_LISTEN", default_value = "0.0.0.0:2121", value_parser = listen_or_off)]
        ftp_listen: ListenOrOff,
        /// An FTP login, USER:PASSWORD; repeat (or separate with commas) to accept several
        /// (default: the Polycom factory login PlcmSpIp:PlcmSpIp).
        #[arg(long = "ftp-account", env = "PHONEPROV_FTP_ACCOUNTS", value_delimiter = ',', hide_env_values = true, value_parser = Account::parse)]
        ftp_accounts: Vec<Account>,
        /// Ports for passive FTP data connections.
        #[arg(long, env = "PHONEPROV_FTP_PASSIVE_PORTS", default_value = "30000-30999", value_parser = parse_port_range)]
        ftp_passive_ports: std::ops::RangeInclusive<u16>,
        /// IPv4 address announced for passive FTP (behind NAT; default: the address the phone
        /// connected to).
        #[arg(long, env = "PHONEPROV_FTP_PASSIVE_HOST")]
        ftp_passive_host: Option<std::net::Ipv4Addr>,
        /// Refuse active-mode FTP (PORT/EPRT); by default it is allowed for old firmware.
        #[arg(long, env = "PHONEPROV_FTP_NO_ACTIVE")]
        ftp_no_active: bool,
        /// Most FTP sessions one address may hold at once (addresses in --allow-network: no
        /// limit); more are answered 421.
        #[arg(long, env = "PHONEPROV_FTP_SESSIONS_PER_ADDRESS", default_value_t = phoneprov::serve::address_slots::DEFAULT_SESSIONS_PER_ADDRESS, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000))]
        ftp_sessions_per_address: usize,
        /// Most HTTP(S) connections one address may hold at once (addresses in --allow-network:
        /// no limit); more are closed at once.
        #[arg(long, env = "PHONEPROV_HTTP_CONNECTIONS_PER_ADDRESS", default_value_t = phoneprov::serve::address_slots::DEFAULT_CONNECTIONS_PER_ADDRESS, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1_000_000))]
        http_connections_per_address: usize,
        /// Address and port of the TFTP server, e.g. 0.0.0.0:69 (default: off).
        #[arg(long, env = "PHONEPROV_TFTP_LISTEN")]
        tftp_listen: Option<SocketAddr>,
        /// Address and port of the DHCP server, e.g. 0.0.0.0:67 (default: off). It answers
        /// phones' DHCPINFORM with their boot-server options and nothing else.
        #[arg(long, env = "PHONEPROV_DHCP_LISTEN")]
        dhcp_listen: Option<SocketAddr>,
        /// Boot-server URL sent to Polycom phones (default: phoneprov's FTP, else HTTP, URL).
        #[arg(long, env = "PHONEPROV_DHCP_POLYCOM_URL")]
        dhcp_polycom_url: Option<String>,
        /// The DHCP option Polycom phones are set to read (160, or 128-254 where 160 is taken;
        /// 66 sends it in option 66 only).
        #[arg(long, env = "PHONEPROV_DHCP_POLYCOM_OPTION", default_value_t = 160, value_parser = polycom_option)]
        dhcp_polycom_option: u8,
        /// Do not also send the Polycom URL as option 66.
        #[arg(long, env = "PHONEPROV_DHCP_NO_OPTION_66")]
        dhcp_no_option_66: bool,
        /// Configuration-server URL sent to Aastra/Mitel phones (default: phoneprov's HTTP URL).
        #[arg(long, env = "PHONEPROV_DHCP_AASTRA_URL")]
        dhcp_aastra_url: Option<String>,
        /// Address and port the check-sync NOTIFYs leave from and their answers come to, or
        /// "off" to push nothing (default: any port on all addresses).
        #[arg(long, env = "PHONEPROV_PUSH_LISTEN", default_value = "0.0.0.0:0", value_parser = listen_or_off)]
        push_listen: ListenOrOff,
        /// Phones sent a check-sync NOTIFY per second at most.
        #[arg(long, env = "PHONEPROV_PUSH_RATE", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        push_rate: u32,
        /// Seconds a NOTIFY waits for the phone's answer, retransmitted meanwhile (RFC 3261
        /// timer F).
        #[arg(long, env = "PHONEPROV_PUSH_TIMEOUT", default_value_t = 32, value_parser = clap::value_parser!(u64).range(1..=300))]
        push_timeout: u64,
        #[command(flatten)]
        guard: GuardFlags,
        #[command(flatten)]
        tls: TlsFlags,
    },
    /// Import extensions and phones from a CSV file (all rows or none).
    Import {
        /// CSV file, or - for standard input.
        file: PathBuf,
        /// Report what would change and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Also delete extensions and phones the file does not name.
        #[arg(long)]
        replace: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Print progress of the database write to stderr.
        #[arg(long)]
        progress: bool,
    },
    /// Write every extension with its phone and site as CSV (the import format).
    Export {
        /// Output file (default: standard output).
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Include the SIP passwords (keep such a file secret).
        #[arg(long)]
        with_passwords: bool,
    },
    /// Render every file of every phone and report problems to fix before phones boot.
    Check,
    /// Sites: list, show, add, set, rebalance, switch over to the alternate site and back.
    Site {
        #[command(subcommand)]
        action: SiteAction,
    },
    /// Relocate an extension to another site, or set whether it follows its site's switchover.
    Extension {
        #[command(subcommand)]
        action: ExtensionAction,
    },
    /// A phone's login for its credential files, and its trust-on-first-use binding.
    Phone {
        #[command(subcommand)]
        action: cli_phone::PhoneAction,
    },
    /// The central voice mail server: show, set, mark down (phones use the backup) and up.
    Voicemail {
        #[command(subcommand)]
        action: VoicemailAction,
    },
    /// List DHCP leases, or release one.
    Leases {
        #[command(subcommand)]
        action: Option<LeaseAction>,
    },
    /// Print exactly the bytes a phone would receive for a file (or why there is none).
    Render {
        /// File name as a phone asks for it, e.g. 0004f214ab37.cfg, 201.cfg, aastra.cfg.
        #[arg(required_unless_present = "mac")]
        file: Option<String>,
        /// A phone: without FILE, print its own file (Polycom master or Aastra <MAC>.cfg).
        #[arg(long)]
        mac: Option<String>,
    },
}

/// mimalloc: the phone-facing hot path allocates small, short-lived buffers on two threads at
/// once, which glibc's allocator serves measurably slower.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let (matches, config_file) =
        match cli_settings::matches(Cli::command(), std::env::args_os().collect()) {
            Ok(parsed) => parsed,
            Err(e) => {
                tell(format_args!("error: {e:#}"));
                return ExitCode::from(2);
            }
        };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };

    let log_writer = init_logging(cli.log_format == "json");
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(phoneprov::serve::workers::BLOCKING_THREADS)
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            tell(format_args!("error: cannot start the async runtime: {e}"));
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(run(cli, config_file));
    drop(runtime);
    // Every log and audit line still queued is written before the last words.
    drop(log_writer);
    match outcome {
        Ok(code) => code,
        Err(e) => {
            report_error(&e);
            ExitCode::FAILURE
        }
    }
}

/// Standard error for log lines, dropping write errors: a server must not stop because whoever
/// read its log went away (tracing would otherwise report the failure with a panicking
/// `eprintln!`).
struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = std::io::stderr().write_all(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        let _ = std::io::stderr().flush();
        Ok(())
    }
}

/// The log filter unless `RUST_LOG` says otherwise: info and up, but only warnings from the FTP
/// library, whose info-level spans would print its whole session state (kilobytes of debug text)
/// in front of every line logged within them, audit lines included.
const DEFAULT_LOG_FILTER: &str = "info,sqlx=error,libunftp=warn";

/// Log lines queued for the writer thread before a logging thread waits for room.
const LOG_QUEUE_LINES: usize = 64 * 1024;

/// Sets up logging to standard error through a writer thread: a request logs its audit line by
/// queueing it, not by a write to stderr on the phone's path. The queue never drops a line (a
/// full queue makes the logging thread wait), and the returned guard writes out every line
/// still queued when it is dropped, at exit.
fn init_logging(json: bool) -> tracing_appender::non_blocking::WorkerGuard {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(DEFAULT_LOG_FILTER));
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .buffered_lines_limit(LOG_QUEUE_LINES)
        .thread_name("phoneprov-log")
        .finish(LogWriter);
    use tracing_subscriber::prelude::*;
    let registry = tracing_subscriber::registry()
        .with(filter)
        .with(phoneprov::serve::activity::ProblemLayer);
    if json {
        registry
            .with(tracing_subscriber::fmt::layer().json().with_writer(writer))
            .init();
    } else {
        registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_writer(writer)
                    .with_ansi(std::io::stderr().is_terminal()),
            )
            .init();
    }
    guard
}

/// Writes a line to standard error; if that is closed there is nobody left to tell.
fn tell(line: impl std::fmt::Display) {
    let _ = writeln!(std::io::stderr(), "{line}");
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

/// Writes to standard output, failing (not panicking) if it is closed.
fn say(text: impl std::fmt::Display) -> anyhow::Result<()> {
    write!(std::io::stdout(), "{text}").context("cannot write to standard output")
}

fn report_error(error: &anyhow::Error) {
    if let Some(ImportError::Rejected(errors)) = error.downcast_ref::<ImportError>() {
        tell(format_args!("error: import refused: {error}"));
        for row_error in errors {
            tell(row_error);
        }
        return;
    }
    tell(format_args!("error: {error:#}"));
}

async fn run(cli: Cli, config_file: ConfigFile) -> anyhow::Result<ExitCode> {
    let pins = FirmwarePins::parse(&cli.storage.firmware_pins)?;
    let serving = Serving::new(
        &cli.storage.data_dir,
        cli.storage.templates_dir,
        cli.storage.server_address,
    )
    .with_firmware(cli.storage.firmware_dir, pins);
    let storage = Storage {
        data_dir: cli.storage.data_dir,
        database_url: cli.storage.database_url,
    };
    // Held until `serve` returns: one server per SQLite data folder.
    let _serve_lock = match cli.command {
        Command::Serve { .. } => storage.lock_for_serving()?,
        _ => None,
    };
    let store = storage.open().await?;
    let result = match cli.command {
        Command::Serve {
            demo,
            http_listen,
            http_header_timeout,
            http_prefix,
            upload_max_bytes,
            log_keep_bytes,
            admin_token,
            api_body_limit,
            ftp_listen,
            ftp_accounts,
            ftp_passive_ports,
            ftp_passive_host,
            ftp_no_active,
            ftp_sessions_per_address,
            http_connections_per_address,
            tftp_listen,
            dhcp_listen,
            dhcp_polycom_url,
            dhcp_polycom_option,
            dhcp_no_option_66,
            dhcp_aastra_url,
            push_listen,
            push_rate,
            push_timeout,
            guard,
            tls,
        } => {
            let http = PhoneConfig {
                prefix: http_prefix,
                uploads: UploadLimits {
                    max_bytes: upload_max_bytes,
                    log_keep_bytes,
                },
                limits: HttpLimits {
                    header_timeout: std::time::Duration::from_secs(http_header_timeout),
                },
                connections_per_address: http_connections_per_address,
            };
            let admin = AdminConfig {
                token: admin_token,
                body_limit: api_body_limit,
            };
            let tls = tls.setup()?;
            let https = tls.https;
            let ftp = FtpConfig {
                accounts: if ftp_accounts.is_empty() {
                    vec![Account::polycom_factory()]
                } else {
                    ftp_accounts
                },
                passive_ports: ftp_passive_ports,
                passive_host: ftp_passive_host,
                active: !ftp_no_active,
                sessions_per_address: ftp_sessions_per_address,
                tls: tls.ftp,
                tls_required: tls.ftps_required,
                ..FtpConfig::default()
            };
            if http_listen.0.is_none() && https.is_none() {
                anyhow::bail!("--http-listen off needs --https-listen: phones need a web server");
            }
            let listeners = Listeners {
                http: http_listen.0,
                https,
                ftp: ftp_listen.0,
                tftp: tftp_listen,
                dhcp: dhcp_listen,
                push: push_listen.0,
            };
            let dhcp = DhcpChoices {
                polycom_url: dhcp_polycom_url,
                polycom_option: dhcp_polycom_option,
                option_66: !dhcp_no_option_66,
                aastra_url: dhcp_aastra_url,
                subnets: config_file.subnets,
            };
            let declared = apply_declared(
                &store,
                &config_file.sites,
                config_file.voicemail.map(|vm| (vm.central, vm.backup)),
                "config-file",
            )
            .await?;
            if !declared.is_empty() {
                tracing::info!(written = ?declared, "applied the config file's sites and voice mail");
            }
            let push = PushChoices {
                rate: push_rate,
                timeout: std::time::Duration::from_secs(push_timeout),
            };
            let options = ServeOptions {
                demo,
                listeners,
                phones: http,
                admin,
                ftp,
                dhcp,
                push,
                guard: guard.settings(),
            };
            serve(&store, &storage, &serving, options).await
        }
        Command::Import {
            file,
            dry_run,
            replace,
            json,
            progress,
        } => {
            let options = ImportOptions {
                dry_run,
                replace,
                actor: cli_site::actor(),
            };
            import(&store, &file, options, json, progress).await
        }
        Command::Export {
            output,
            with_passwords,
        } => export(&store, output, with_passwords).await,
        Command::Check => run_check(&store, &serving).await,
        Command::Leases { action } => cli_dhcp::leases(&store, action).await,
        Command::Site { action } => cli_site::site(&store, action).await,
        Command::Extension { action } => cli_failover::extension(&store, action).await,
        Command::Voicemail { action } => cli_failover::voicemail(&store, action).await,
        Command::Phone { action } => cli_phone::phone(&store, action).await,
        Command::Render { file, mac } => render(&store, &serving, file, mac).await,
    };
    store.close().await;
    result
}

/// Loads the templates, logging every refused override (the built-in template serves instead).
fn load_templates(serving: &Serving) -> (Renderer, Vec<TemplateProblem>) {
    let (renderer, problems) = Renderer::load(&serving.templates_dir);
    for problem in &problems {
        tracing::error!("{problem}");
    }
    for name in renderer.overridden() {
        tracing::info!(template = %name, "using the template from the templates folder");
    }
    (renderer, problems)
}

/// The provisioner of `renderer` with the admin's firmware pins.
fn provisioner_of(serving: &Serving, renderer: Renderer) -> Provisioner {
    Provisioner::new(renderer).with_pins(serving.firmware_pins.clone())
}

async fn deployment(store: &SqlStore, serving: &Serving) -> anyhow::Result<Deployment> {
    let snapshot = store.snapshot().await?;
    Ok(Deployment::new(snapshot, serving.server_address.clone())?)
}

/// What phones are served, on every transport.
struct PhoneConfig {
    /// Optional HTTP path prefix phones may use, e.g. `/prov`.
    prefix: Option<String>,
    /// Size limits of phone uploads.
    uploads: UploadLimits,
    /// Limits of every HTTP(S) connection.
    limits: HttpLimits,
    /// Most HTTP(S) connections per address.
    connections_per_address: usize,
}

/// Everything `serve` is told.
struct ServeOptions {
    demo: bool,
    listeners: Listeners,
    phones: PhoneConfig,
    admin: AdminConfig,
    ftp: FtpConfig,
    dhcp: DhcpChoices,
    push: PushChoices,
    guard: GuardSettings,
}

/// Where phoneprov listens.
struct Listeners {
    http: Option<SocketAddr>,
    https: Option<(SocketAddr, phoneprov::serve::tls::TlsSetup)>,
    ftp: Option<SocketAddr>,
    tftp: Option<SocketAddr>,
    dhcp: Option<SocketAddr>,
    push: Option<SocketAddr>,
}

/// How check-sync pushes are paced and timed.
struct PushChoices {
    rate: u32,
    timeout: std::time::Duration,
}

/// An address to listen on, or none (`off`).
#[derive(Debug, Clone, Copy)]
struct ListenOrOff(Option<SocketAddr>);

fn listen_or_off(text: &str) -> Result<ListenOrOff, String> {
    if text.eq_ignore_ascii_case("off") {
        return Ok(ListenOrOff(None));
    }
    text.parse()
        .map(|address| ListenOrOff(Some(address)))
        .map_err(|_| format!("{text:?} is not ADDRESS:PORT or off"))
}

/// The admin API's settings.
struct AdminConfig {
    token: Option<String>,
    body_limit: usize,
}

/// Binds the HTTP workers' sockets (one per core), explaining a permission error.
fn listen(address: SocketAddr) -> anyhow::Result<workers::Bound> {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    workers::bind(address, cores)
        .map_err(|e| bind_failed("HTTP", address, &e, "--http-listen 0.0.0.0:8080"))
}

/// Why a server cannot listen, with how to fix a permission error.
fn bind_failed(
    server: &str,
    address: SocketAddr,
    error: &std::io::Error,
    example: &str,
) -> anyhow::Error {
    if error.kind() == std::io::ErrorKind::PermissionDenied {
        anyhow::anyhow!(
            "the {server} server cannot listen on {address}: permission denied. Ports below 1024 \
             need root or the capability (sudo setcap cap_net_bind_service=+ep \
             /path/to/phoneprov); or listen on a port above 1023, e.g. {example}"
        )
    } else if error.kind() == std::io::ErrorKind::AddrInUse {
        anyhow::anyhow!(
            "the {server} server cannot listen on {address}: another program (another phoneprov \
             serve?) already listens there; stop it or choose another address, e.g. {example}"
        )
    } else {
        anyhow::anyhow!("the {server} server cannot listen on {address}: {error}")
    }
}

async fn serve(
    store: &SqlStore,
    storage: &Storage,
    serving: &Serving,
    options: ServeOptions,
) -> anyhow::Result<ExitCode> {
    let ServeOptions {
        demo,
        listeners,
        phones: http,
        admin,
        ftp,
        dhcp,
        push,
        guard,
    } = options;
    raise_descriptor_limit();
    ignore_file_size_signal();
    let (token, generated) =
        phoneprov::serve::token::load_or_create(&storage.data_dir, admin.token)?;
    if generated {
        tell(format_args!(
            "admin API token (shown once, kept in {}): {token}",
            storage
                .data_dir
                .join(phoneprov::serve::token::TOKEN_FILE)
                .display()
        ));
    }
    let provisioner = provisioner_of(serving, load_templates(serving).0);
    if demo && let Some(report) = phoneprov::demo::load_if_empty(store).await? {
        tracing::info!(
            extensions = report.extensions.created.len(),
            phones = report.phones.created.len(),
            "loaded the demo deployment"
        );
    }
    std::fs::create_dir_all(&serving.firmware_dir).with_context(|| {
        format!(
            "cannot create the firmware folder {}",
            serving.firmware_dir.display()
        )
    })?;
    // Signal handlers first: a signal that arrives once "running" is logged must find them.
    let listen_for = |kind: SignalKind| signal(kind).context("cannot listen for signals");
    let (mut interrupt, mut terminate, mut hangup) = (
        listen_for(SignalKind::interrupt())?,
        listen_for(SignalKind::terminate())?,
        listen_for(SignalKind::hangup())?,
    );
    let store_handle: Arc<dyn Store> = Arc::new(store.clone());
    let live = Arc::new(
        Live::load(
            Arc::clone(&store_handle),
            provisioner,
            serving.server_address.clone(),
        )
        .await?,
    );
    let bound = listeners.http.map(listen).transpose()?;
    let http_address = bound.as_ref().map(workers::Bound::address);
    let firmware_dir = serving.firmware_dir.clone();
    let metrics = phoneprov::serve::metrics::install().context("cannot set up metrics")?;
    let (recorder, recording) = Recorder::start(Arc::clone(&store_handle));
    let per_address = ConnectionLimit::new(http.connections_per_address, guard.allowed.clone());
    let guard = Arc::new(Guard::new(guard));
    let ban_sharing = tokio::spawn(phoneprov::serve::shared_bans::share_bans(
        Arc::clone(&guard),
        Arc::clone(&store_handle),
    ));
    let (bindings, bindings_writer) =
        Bindings::start(Arc::clone(&store_handle), Arc::clone(&live)).await?;
    let access = Access::new(
        Arc::clone(&guard),
        bindings,
        Challenger::new().context("cannot draw a random key for login nonces")?,
    );
    let access = if listeners
        .https
        .as_ref()
        .is_some_and(|(_, tls)| tls.asks_certificates())
    {
        access.requiring_certificates()
    } else {
        access
    };
    access.seed(
        store_handle
            .phones()
            .await?
            .into_iter()
            .filter_map(|phone| Some((phone.mac, phone.last_seen?.ip.parse().ok()?))),
    );
    let access = Arc::new(access);
    let files = Arc::new(PhoneFiles::new(
        Arc::clone(&live),
        Arc::clone(&store_handle),
        recorder,
        serving.firmware_dir.clone(),
        http.uploads,
        Arc::clone(&guard),
        Arc::clone(&access),
    ));
    let ftp_server = match listeners.ftp {
        Some(address) => {
            let listener = FtpServer::bind(address)
                .await
                .map_err(|e| bind_failed("FTP", address, &e, "--ftp-listen 0.0.0.0:2121"))?;
            Some(FtpServer::start(listener, Arc::clone(&files), ftp)?)
        }
        None => None,
    };
    let tftp_server = match listeners.tftp {
        Some(address) => Some(
            TftpServer::start(address, Arc::clone(&files))
                .await
                .map_err(|e| bind_failed("TFTP", address, &e, "--tftp-listen 0.0.0.0:6969"))?,
        ),
        None => None,
    };
    let ftp_port = ftp_server.as_ref().map(|server| server.address().port());
    let dhcp_server = match listeners.dhcp {
        Some(address) => Some(
            start_dhcp(
                address,
                dhcp,
                &serving.server_address,
                match (http_address, &listeners.https) {
                    (Some(address), _) => WebPort {
                        secure: false,
                        port: address.port(),
                    },
                    (None, Some((address, _))) => WebPort {
                        secure: true,
                        port: address.port(),
                    },
                    (None, None) => anyhow::bail!("no web server to point phones at"),
                },
                ftp_port,
                &store_handle,
            )
            .await?,
        ),
        None => None,
    };
    let pusher =
        match listeners.push {
            Some(address) => {
                let settings = PushSettings {
                    listen: address,
                    host: serving.server_address.clone(),
                    rate: push.rate,
                    timeout: push.timeout,
                };
                let started = Pusher::start(settings, Arc::clone(&live), Arc::clone(&store_handle));
                Some(started.await.map_err(|e| {
                    bind_failed("SIP push", address, &e, "--push-listen 0.0.0.0:5070")
                })?)
            }
            None => None,
        };
    let admin_logins = Arc::new(phoneprov::serve::login_limit::LoginLimit::default());
    let controls = Controls {
        leases: dhcp_server.as_ref().map(|(_, control)| control.clone()),
        pushes: pusher.as_ref().map(|(_, queue)| queue.clone()),
        guard: Some(guard),
        access: Some(access),
        logins: Arc::clone(&admin_logins),
    };
    let web_token = token.clone();
    let api = phoneprov::serve::api::router(
        Arc::clone(&store_handle),
        Arc::clone(&live),
        controls,
        token,
        admin.body_limit,
    );
    let web = phoneprov::serve::web::router(
        axum::Router::new().nest(phoneprov::serve::api::PREFIX, api.clone()),
        web_token,
        admin_logins,
        admin.body_limit,
    );
    let limits = http.limits;
    let health = Arc::new(phoneprov::serve::health::Health::new(Arc::clone(
        &store_handle,
    )));
    let router = phoneprov::serve::http::router(files, http.prefix)
        .nest(phoneprov::serve::api::PREFIX, api)
        .merge(web)
        .route(
            "/healthz",
            axum::routing::get(move || {
                let health = Arc::clone(&health);
                async move { health.answer().await }
            }),
        )
        .merge(phoneprov::serve::metrics::router(metrics))
        .layer(axum::middleware::from_fn(
            phoneprov::serve::metrics::count_requests,
        ))
        // A bug that panics in a handler answers 500 (and is logged) instead of dropping the
        // connection.
        .layer(tower_http::catch_panic::CatchPanicLayer::new());
    let https_server = match listeners.https {
        Some((address, setup)) => Some(
            TlsServer::start(address, setup, router.clone(), limits, per_address.clone())
                .await
                .map_err(|e| bind_failed("HTTPS", address, &e, "--https-listen 0.0.0.0:8443"))?,
        ),
        None => None,
    };
    let server = bound
        .map(|bound| workers::start(bound, router, limits, per_address))
        .transpose()
        .context("cannot start the HTTP workers")?;
    let on_change: Option<ChangedPhones> = pusher.as_ref().map(|(_, queue)| {
        let queue = queue.clone();
        Box::new(move |changed: Vec<Mac>| queue.push(changed, Reason::Change)) as ChangedPhones
    });
    let follower = tokio::spawn(Arc::clone(&live).follow_revisions(on_change));
    let counts = store.counts().await?;
    tracing::info!(
                http = %http_address.map(|a| format!("http://{a}/")).unwrap_or_else(|| "off".into()),
        https = %https_server.as_ref().map(|s| format!("https://{}/", s.address())).unwrap_or_else(|| "off".into()),
        ftp = %ftp_server.as_ref().map(|s| format!("ftp://{}/", s.address())).unwrap_or_else(|| "off".into()),
        tftp = %tftp_server.as_ref().map(|s| format!("tftp://{}/", s.address())).unwrap_or_else(|| "off".into()),
        dhcp = %dhcp_server.as_ref().map(|(s, _)| format!("dhcp://{}/", s.address())).unwrap_or_else(|| "off".into()),
        push = %pusher.as_ref().map(|(p, _)| format!("sip://{}/", p.address())).unwrap_or_else(|| "off".into()),
        firmware = %firmware_dir.display(),
        database = %url_without_password(&storage.url()?),
        backend = %store.backend(),
        sites = counts.sites,
        extensions = counts.extensions,
        phones = counts.phones,
        "phoneprov is running; press Ctrl-C to stop"
    );
    loop {
        tokio::select! {
            _ = interrupt.recv() => break,
            _ = terminate.recv() => break,
            _ = hangup.recv() => {
                tracing::info!("SIGHUP: reloading templates");
                if let Err(failures) = live.try_provisioner(provisioner_of(serving, load_templates(serving).0)) {
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
    follower.abort();
    ban_sharing.abort();
    if let Some(ftp) = ftp_server {
        ftp.stop();
    }
    if let Some(tftp) = tftp_server {
        tftp.stop();
    }
    if let Some((pusher, _)) = pusher {
        pusher.stop();
    }
    if let Some((dhcp, _)) = dhcp_server {
        dhcp.stop();
    }
    if let Some(https) = https_server {
        https.stop().await;
    }
    if let Some(server) = server {
        tokio::task::spawn_blocking(move || server.stop())
            .await
            .context("the HTTP workers cannot be stopped")?
            .context("the HTTP server failed")?;
    }
    // The servers' handles on the bindings are gone: the writer saves what is left and ends.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(3), bindings_writer).await;
    // The server's handles on the recorder are gone: the writer flushes what is queued and ends.
    recording.await.context("the last-seen writer failed")?;
    Ok(ExitCode::SUCCESS)
}

fn read_input(file: &PathBuf) -> anyhow::Result<Vec<u8>> {
    let mut input = Vec::new();
    if file.as_os_str() == "-" {
        std::io::stdin()
            .read_to_end(&mut input)
            .context("cannot read standard input")?;
    } else {
        input = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    }
    Ok(input)
}

async fn import(
    store: &SqlStore,
    file: &PathBuf,
    options: ImportOptions,
    json: bool,
    show_progress: bool,
) -> anyhow::Result<ExitCode> {
    let input = read_input(file)?;
    let progress = |done: usize, total: usize| {
        if show_progress {
            tell(format_args!("written {done} of {total} rows"));
        }
    };
    let report = import_csv(store, &input, &options, &progress).await?;
    if show_progress && !options.dry_run {
        tell("committed");
    }
    if json {
        say(format_args!("{}\n", serde_json::to_string_pretty(&report)?))?;
    } else {
        say(&report)?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn export(
    store: &SqlStore,
    output: Option<PathBuf>,
    with_passwords: bool,
) -> anyhow::Result<ExitCode> {
    match output {
        Some(path) => {
            // Write beside the target, then rename: a failed export never leaves half a file.
            // The owner's alone (0600): it may hold every SIP password.
            let partial = path.with_extension("csv.partial");
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .mode(0o600)
                .open(&partial)
                .with_context(|| format!("cannot create {}", partial.display()))?;
            file.set_permissions(std::fs::Permissions::from_mode(0o600))
                .with_context(|| format!("cannot make {} private", partial.display()))?;
            export_csv(store, std::io::BufWriter::new(file), with_passwords).await?;
            std::fs::rename(&partial, &path)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            export_csv(store, &mut lock, with_passwords).await?;
            lock.flush().context("cannot write to standard output")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn run_check(store: &SqlStore, serving: &Serving) -> anyhow::Result<ExitCode> {
    let (renderer, problems) = Renderer::load(&serving.templates_dir);
    let provisioner = provisioner_of(serving, renderer);
    let deployment = deployment(store, serving).await?;
    let findings = check(&deployment, &provisioner, serving, &problems);
    for finding in &findings {
        say(format_args!("{finding}\n"))?;
    }
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    say(format_args!(
        "check: {errors} error(s), {warnings} warning(s)\n"
    ))?;
    Ok(if errors > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

async fn render(
    store: &SqlStore,
    serving: &Serving,
    file: Option<String>,
    mac: Option<String>,
) -> anyhow::Result<ExitCode> {
    let (renderer, _) = load_templates(serving);
    let provisioner = provisioner_of(serving, renderer);
    let deployment = deployment(store, serving).await?;
    let name = match (file, mac) {
        (Some(file), _) => file,
        (None, Some(mac)) => {
            let mac = Mac::parse(&mac)?;
            let phone = deployment
                .phone(&mac)
                .with_context(|| format!("no phone with MAC {mac}"))?;
            match phone.vendor {
                Vendor::Polycom => format!("{}.cfg", mac.polycom_name()),
                Vendor::Aastra => format!("{}.cfg", mac.aastra_name()),
            }
        }
        (None, None) => anyhow::bail!("give a FILE or --mac"),
    };
    match provisioner.fetch(&deployment, &name)? {
        Fetch::Found(rendered) => {
            say(&rendered.content)?;
            Ok(ExitCode::SUCCESS)
        }
        Fetch::NotFound(reason) => {
            tell(format_args!("not found (a phone would get 404): {reason}"));
            Ok(ExitCode::FAILURE)
        }
    }
}
