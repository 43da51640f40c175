//! The `phoneprov` command: parses the command line and runs one command. `anyhow` lives here and
//! only here; the library reports typed errors.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use phoneprov::config::{DEFAULT_DATA_DIR, Serving, Storage};
use phoneprov::config_file::ConfigFile;
use phoneprov::handset::polycom::firmware::FirmwarePins;
use phoneprov::import::{ImportError, ImportOptions};

mod announce;
mod columns;
mod data;
mod dhcp;
mod exposed;
mod failover;
mod guard;
mod logging;
mod parameters;
mod phone;
mod publish;
mod serve;
mod settings;
mod site;
mod templates;
mod tls;

use dhcp::LeaseAction;
use failover::{ExtensionAction, VoicemailAction};
use site::SiteAction;

/// Provisioning server for SIP desk phones (Polycom, Aastra/Mitel, Yealink).
#[derive(Debug, Parser)]
#[command(name = "phoneprov", version, about)]
struct Cli {
    #[command(flatten)]
    storage: StorageArgs,
    /// Log lines as text (`key=value` fields) or as JSON objects, one per line (for a log
    /// collector; audit lines have the target `audit`).
    #[arg(long, global = true, env = "PHONEPROV_LOG_FORMAT", default_value = "text", value_parser = ["text", "json"], help_heading = "Global options")]
    log_format: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
struct StorageArgs {
    /// Config file (TOML): any flag below under its name, e.g. http_listen = "0.0.0.0:80", and
    /// the DHCP subnets. Flags and environment variables win over it.
    #[arg(long, global = true, env = settings::CONFIG_ENV)]
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
    Serve(Box<serve::ServeArgs>),
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
    /// Relocate an extension to another site, set whether it follows its site's switchover, or
    /// whether it is in the company directory.
    Extension {
        #[command(subcommand)]
        action: ExtensionAction,
    },
    /// A phone's login for its credential files, and its trust-on-first-use binding.
    Phone {
        #[command(subcommand)]
        action: phone::PhoneAction,
    },
    /// Settings without templates: import (CSV), list, and show what one phone gets.
    Settings {
        #[command(subcommand)]
        action: parameters::SettingsAction,
    },
    /// Programmed keys (BLF, speed dial, park, ...): import (CSV) and list.
    Keys {
        #[command(subcommand)]
        action: parameters::KeysAction,
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
    /// Render every file phones can ask for and publish it to a boot server the site already
    /// has (FTP, FTPS or a folder), incrementally: only changed files are sent.
    Publish(publish::PublishArgs),
    /// List the phone models phoneprov knows (the CSV's model column), with their line keys.
    Models,
    /// Lift every admin login lockout of the server running on this data folder (at its next
    /// login attempt).
    Unlock,
    /// The built-in templates: dump them into a folder to start an override from.
    Templates {
        #[command(subcommand)]
        action: templates::TemplatesAction,
    },
    /// Print exactly the bytes a phone would receive for a file (or why there is none).
    Render {
        /// File name as a phone asks for it, e.g. 0004f214ab37.cfg, 201.cfg, aastra.cfg.
        #[arg(required_unless_present = "mac")]
        file: Option<String>,
        /// A phone: without FILE, print its own file (Polycom master, Aastra <MAC>.cfg, Yealink
        /// <mac>.boot).
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
        match settings::matches(Cli::command(), std::env::args_os().collect()) {
            Ok(parsed) => parsed,
            Err(e) => {
                tell(format_args!("error: {e:#}"));
                return ExitCode::from(2);
            }
        };
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // The demo lives apart from the real data: `serve --demo` without a data folder of its own
    // uses the demo's folder.
    if let Command::Serve(args) = &cli.command
        && args.demo
        && matches.value_source("data_dir") == Some(clap::parser::ValueSource::DefaultValue)
    {
        cli.storage.data_dir = PathBuf::from(phoneprov::config::DEMO_DATA_DIR);
    }

    let serving = matches!(cli.command, Command::Serve(_));
    let log_writer = match logging::init_logging(cli.log_format == "json", serving) {
        Ok(guard) => guard,
        Err(e) => {
            tell(format_args!("error: {e}"));
            return ExitCode::FAILURE;
        }
    };
    for warning in exposed::warnings(&matches) {
        tracing::warn!("{warning}");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(phoneprov::transport::workers::BLOCKING_THREADS)
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
    // Every log and audit line still pending is written before the last words.
    drop(log_writer);
    match outcome {
        Ok(code) => code,
        // A reader that stopped early (`phoneprov extension list | head`) is no failure to tell.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            report_error(&e);
            ExitCode::FAILURE
        }
    }
}

/// Whether an error is standard output's reader having gone away.
fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Writes a line to standard error; if that is closed there is nobody left to tell.
fn tell(line: impl std::fmt::Display) {
    let _ = writeln!(std::io::stderr(), "{line}");
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
    tell(format_args!("error: {}", described(error)));
}

/// An error with its causes, each cause told only when the text so far does not already say it
/// (an error that quotes its cause would otherwise repeat it: "denied: denied").
fn described(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let said = cause.to_string();
        if text.contains(&said) {
            continue;
        }
        if !text.is_empty() {
            text.push_str(": ");
        }
        text.push_str(&said);
    }
    text
}

/// Whether the command only reports what it would change.
fn is_dry_run(command: &Command) -> bool {
    match command {
        Command::Import { dry_run, .. } => *dry_run,
        Command::Settings {
            action: parameters::SettingsAction::Import { dry_run, .. },
        }
        | Command::Keys {
            action: parameters::KeysAction::Import { dry_run, .. },
        } => *dry_run,
        _ => false,
    }
}

/// Whether a command only reads the database: it refuses to create one (run from another folder,
/// it would otherwise make an empty database and show an empty deployment).
fn reads_only(command: &Command) -> bool {
    matches!(
        command,
        Command::Export { .. }
            | Command::Check
            | Command::Render { .. }
            | Command::Publish(_)
            | Command::Site {
                action: site::SiteAction::List | site::SiteAction::Show { .. },
            }
            | Command::Extension {
                action: failover::ExtensionAction::List,
            }
            | Command::Voicemail {
                action: failover::VoicemailAction::Show,
            }
            | Command::Phone {
                action: phone::PhoneAction::List,
            }
            | Command::Settings {
                action: parameters::SettingsAction::List { .. }
                    | parameters::SettingsAction::Show { .. },
            }
            | Command::Keys {
                action: parameters::KeysAction::List,
            }
            | Command::Leases {
                action: None | Some(dhcp::LeaseAction::List { .. }),
            }
    )
}

/// A folder of its own under the system's temporary folder, removed when dropped.
struct ScratchFolder(PathBuf);

impl ScratchFolder {
    fn new() -> anyhow::Result<ScratchFolder> {
        let path = std::env::temp_dir().join(format!(
            "phoneprov-dry-run-{}-{}",
            std::process::id(),
            phoneprov::clock::now_ms()
        ));
        std::os::unix::fs::DirBuilderExt::mode(&mut std::fs::DirBuilder::new(), 0o700)
            .create(&path)
            .with_context(|| format!("cannot create the scratch folder {}", path.display()))?;
        Ok(ScratchFolder(path))
    }
}

impl Drop for ScratchFolder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `phoneprov models`: every known model, its vendor and line keys.
fn list_models() -> anyhow::Result<ExitCode> {
    let rows: Vec<Vec<String>> = phoneprov::domain::MODELS
        .iter()
        .map(|m| {
            vec![
                m.name.to_string(),
                m.vendor.as_str().to_string(),
                m.lines.to_string(),
            ]
        })
        .collect();
    columns::print_columns(&["model", "vendor", "line keys"], &rows)?;
    Ok(ExitCode::SUCCESS)
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
    if let Command::Templates { action } = cli.command {
        return templates::templates(action, &serving.templates_dir);
    }
    if let Command::Models = cli.command {
        return list_models();
    }
    if let Command::Unlock = cli.command {
        return unlock_admin_logins(&storage.data_dir);
    }
    // Held until `serve` returns: one server per SQLite data folder.
    let _serve_lock = match cli.command {
        Command::Serve(_) => storage.lock_for_serving()?,
        _ => None,
    };
    // A dry run on a data folder that has no database yet checks against an empty one in a
    // scratch folder: it creates nothing.
    let scratch = match (&cli.command, storage.exists()) {
        (command, false) if is_dry_run(command) => Some(ScratchFolder::new()?),
        _ => None,
    };
    let storage = match &scratch {
        Some(folder) => {
            tell(format_args!(
                "note: there is no database in {} yet: checked against an empty deployment, \
                 and nothing was created",
                storage.data_dir.display()
            ));
            Storage {
                data_dir: folder.0.clone(),
                database_url: None,
            }
        }
        None => storage,
    };
    if !storage.exists() {
        if reads_only(&cli.command) {
            anyhow::bail!(
                "there is no database in {} (no {}): this command reads one and creates none; \
                 run it where the server's data folder is, or give the server's --data-dir (env \
                 PHONEPROV_DATA_DIR) or --database-url",
                storage.data_dir.display(),
                phoneprov::config::SQLITE_FILE
            );
        }
        if !matches!(cli.command, Command::Serve(_)) {
            tell(format_args!(
                "note: there is no database in {} yet: creating one",
                storage.data_dir.display()
            ));
        }
    }
    let store = storage.open().await?;
    let result = match cli.command {
        Command::Serve(args) => serve::serve(&store, &storage, serving, *args, config_file).await,
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
                actor: site::actor(),
            };
            data::import(&store, &serving, &file, options, json, progress).await
        }
        Command::Export {
            output,
            with_passwords,
        } => data::export(&store, output, with_passwords).await,
        Command::Check => data::check(&store, &serving).await,
        Command::Leases { action } => dhcp::leases(&store, action).await,
        Command::Site { action } => site::site(&store, action).await,
        Command::Extension { action } => failover::extension(&store, action).await,
        Command::Voicemail { action } => failover::voicemail(&store, action).await,
        Command::Phone { action } => phone::phone(&store, action).await,
        Command::Settings { action } => parameters::settings(&store, &serving, action).await,
        Command::Keys { action } => parameters::keys(&store, action).await,
        Command::Render { file, mac } => data::render(&store, &serving, file, mac).await,
        Command::Publish(args) => publish::publish(&store, &serving, args).await,
        Command::Templates { .. } | Command::Models | Command::Unlock => {
            unreachable!("handled before the store is opened")
        }
    };
    store.close().await;
    result
}

/// Leaves the unlock file in the data folder: the running server lifts every admin lockout at
/// the next login attempt (only who may write the data folder can do this).
fn unlock_admin_logins(data_dir: &std::path::Path) -> anyhow::Result<ExitCode> {
    if !data_dir.is_dir() {
        anyhow::bail!(
            "{} is not a data folder: give the server's --data-dir",
            data_dir.display()
        );
    }
    let file = data_dir.join(phoneprov::policy::login_limit::UNLOCK_FILE);
    std::fs::write(&file, b"").with_context(|| format!("cannot write {}", file.display()))?;
    say(format_args!(
        "admin logins will be unlocked for every address at the next login attempt (data folder {})\n",
        data_dir.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}
