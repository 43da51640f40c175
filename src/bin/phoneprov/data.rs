//! The commands on the data: `import`, `export`, `check` and `render`.

use phoneprov::store::prelude::*;
use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use phoneprov::check::{Severity, check as check_deployment};
use phoneprov::config::Serving;
use phoneprov::domain::Mac;
use phoneprov::import::{ImportOptions, export_csv, import_csv};
use phoneprov::provision::{Deployment, Fetch};
use phoneprov::render::Renderer;
use phoneprov::server::{load_templates, provisioner_of};
use phoneprov::store::SqlStore;

use crate::{say, tell};

pub async fn deployment(store: &SqlStore, serving: &Serving) -> anyhow::Result<Deployment> {
    let snapshot = store.snapshot().await?;
    Ok(Deployment::new(snapshot, serving.server_address.clone())?)
}

pub fn read_input(file: &PathBuf) -> anyhow::Result<Vec<u8>> {
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

/// What the phones cannot keep after an import, as `check` says it.
pub async fn limit_warnings(store: &SqlStore, serving: &Serving) -> anyhow::Result<Vec<String>> {
    let provisioner = provisioner_of(serving, load_templates(serving));
    let deployment = deployment(store, serving).await?;
    Ok(phoneprov::provision::limits::limit_warnings(
        &deployment,
        &provisioner,
    ))
}

pub async fn import(
    store: &SqlStore,
    serving: &Serving,
    file: &PathBuf,
    options: ImportOptions,
    json: bool,
    show_progress: bool,
) -> anyhow::Result<ExitCode> {
    let input = read_input(file)?;
    let progress = |done: usize, total: usize| {
        if show_progress {
            tell(format_args!(
                "written {done} of {total} database rows (extensions, phones and their line keys)"
            ));
        }
    };
    let mut report = import_csv(store, &input, &options, &progress).await?;
    if show_progress && !options.dry_run {
        tell("committed");
    }
    if report.revision.is_some() {
        report.limits = limit_warnings(store, serving).await?;
    }
    if json {
        say(format_args!("{}\n", serde_json::to_string_pretty(&report)?))?;
    } else {
        say(&report)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn export(
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

pub async fn check(store: &SqlStore, serving: &Serving) -> anyhow::Result<ExitCode> {
    let (renderer, problems) = Renderer::load(&serving.templates_dir);
    let provisioner = provisioner_of(serving, renderer);
    let deployment = deployment(store, serving).await?;
    let findings = check_deployment(&deployment, &provisioner, serving, &problems);
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

pub async fn render(
    store: &SqlStore,
    serving: &Serving,
    file: Option<String>,
    mac: Option<String>,
) -> anyhow::Result<ExitCode> {
    let renderer = load_templates(serving);
    let provisioner = provisioner_of(serving, renderer);
    let deployment = deployment(store, serving).await?;
    let name = match (file, mac) {
        (Some(file), _) => file,
        (None, Some(mac)) => {
            let mac = Mac::parse(&mac)?;
            let phone = deployment
                .phone(&mac)
                .with_context(|| format!("no phone with MAC {mac}"))?;
            phoneprov::handset::handset(phone.vendor).phone_file_name(&mac)
        }
        (None, None) => anyhow::bail!("give a FILE or --mac"),
    };
    match provisioner.fetch(&deployment, &name)? {
        Fetch::Found(rendered) => {
            say(phoneprov::provision::with_speed_dials(
                &deployment,
                &name,
                rendered.content,
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Fetch::NotFound(reason) => {
            tell(format_args!("not found (a phone would get 404): {reason}"));
            Ok(ExitCode::FAILURE)
        }
    }
}
