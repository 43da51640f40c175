//! `phoneprov publish TARGET`: renders every file phones can ask for and publishes it, once, to
//! a boot server the site already has (FTP, FTPS or a folder); the summary says what was sent,
//! deleted, left unchanged and what failed, and the exit code is 1 unless everything went.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use phoneprov::config::Serving;
use phoneprov::publish::{Target, publish_to, rendered_file_set};
use phoneprov::server::{load_templates, provisioner_of};
use phoneprov::store::SqlStore;

use crate::{data, say, tell};

/// Where and how to publish.
#[derive(Debug, Args)]
pub struct PublishArgs {
    /// ftp://USER[:PASS]@HOST[:PORT]/PATH, ftps://… (explicit TLS), or dir:/PATH. Add
    /// ?mode=active for active FTP.
    pub target: String,
    /// Also publish every file of the firmware folder (images, sip.cfg, ringtones).
    #[arg(long)]
    pub with_firmware: bool,
    /// CA certificates (PEM) the FTPS server's certificate must chain to (default: the
    /// system's).
    #[arg(long)]
    pub publish_ca: Option<PathBuf>,
    /// A file holding the FTP password (when the URL has none).
    #[arg(long)]
    pub publish_password_file: Option<PathBuf>,
}

/// The FTP password given outside the URL: `PHONEPROV_PUBLISH_PASSWORD`, else the file.
pub fn password(file: Option<&PathBuf>) -> anyhow::Result<Option<String>> {
    if let Ok(password) = std::env::var("PHONEPROV_PUBLISH_PASSWORD")
        && !password.is_empty()
    {
        return Ok(Some(password));
    }
    file.map(|path| {
        // A password other users can read is no secret: refused, as the key and token files.
        phoneprov::private_file::refuse_exposed(path)?;
        std::fs::read_to_string(path)
            .map(|text| text.trim_end_matches(['\r', '\n']).to_string())
            .with_context(|| format!("cannot read the password file {}", path.display()))
    })
    .transpose()
}

pub async fn publish(
    store: &SqlStore,
    serving: &Serving,
    args: PublishArgs,
) -> anyhow::Result<ExitCode> {
    let password = password(args.publish_password_file.as_ref())?;
    let target = Target::parse(&args.target, password.as_deref())?;
    let provisioner = provisioner_of(serving, load_templates(serving));
    let deployment = data::deployment(store, serving).await?;
    let firmware = args.with_firmware.then(|| serving.firmware_dir.clone());
    let files = rendered_file_set(&deployment, &provisioner, firmware.as_deref())?;
    tell(format_args!("publishing {} files to {target}", files.len()));
    let ca = args.publish_ca.clone();
    let report = tokio::task::spawn_blocking(move || publish_to(&target, ca.as_deref(), &files))
        .await
        .context("the publish task failed")?;
    say(&report)?;
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
