//! (Part of the `phoneprov` binary, not the library.) `phoneprov settings`: settings without
//! templates — import them from CSV, list them, and show the settings one phone gets with where
//! each value comes from; and `phoneprov keys`: programmed keys, imported from CSV and listed.

use phoneprov::store::prelude::*;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

use phoneprov::config::Serving;
use phoneprov::domain::Mac;
use phoneprov::import::{
    ImportError, ImportOptions, KEY_COLUMNS, PROFILE_PARAMETER, SETTINGS_COLUMNS, import_keys,
    import_settings,
};
use phoneprov::provision::Deployment;
use phoneprov::server::{load_templates, provisioner_of};
use phoneprov::store::SqlStore;

use crate::data::read_input;
use crate::say;
use crate::site::actor;

/// What to do with programmed keys.
#[derive(Debug, Subcommand)]
pub enum KeysAction {
    /// Import keys from CSV (mac,key,type,value,label): all rows or none; each phone or
    /// profile the file names gets exactly its keys.
    Import {
        /// CSV file, or - for standard input.
        file: PathBuf,
        /// Report what would change and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Print every programmed key as CSV (the import format).
    List,
}

pub async fn keys(store: &SqlStore, action: KeysAction) -> anyhow::Result<ExitCode> {
    match action {
        KeysAction::Import { file, dry_run } => {
            let input = read_input(&file)?;
            let options = ImportOptions {
                dry_run,
                replace: false,
                actor: actor(),
            };
            say(import_keys(store, &input, &options).await?)?;
        }
        KeysAction::List => {
            let book = store.settings().await?;
            let mut owners: Vec<_> = book.keys().iter().collect();
            owners.sort_by(|a, b| a.0.cmp(b.0));
            let mut out = csv::Writer::from_writer(Vec::new());
            out.write_record(KEY_COLUMNS)?;
            for (owner, keys) in owners {
                for key in keys {
                    out.write_record([
                        owner.stored().as_str(),
                        &key.key.to_string(),
                        key.kind.as_str(),
                        &key.value,
                        &key.label,
                    ])?;
                }
            }
            say(String::from_utf8_lossy(&out.into_inner()?))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What to do with settings.
#[derive(Debug, Subcommand)]
pub enum SettingsAction {
    /// Import settings from CSV (scope,target,parameter,value): all rows or none.
    Import {
        /// CSV file, or - for standard input.
        file: PathBuf,
        /// Report what would change and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Remove every setting and profile assignment the file does not set.
        #[arg(long)]
        replace: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Set one setting (an empty value removes it), for the deployment or the scope named:
    /// `settings set --site hq @vlan 20`. Checked like an imported row.
    Set {
        /// For the phones of this site.
        #[arg(long, group = "scope")]
        site: Option<String>,
        /// For this vendor's phones (polycom, aastra, yealink).
        #[arg(long, group = "scope")]
        vendor: Option<String>,
        /// For the phones of this model.
        #[arg(long, group = "scope")]
        model: Option<String>,
        /// For the phones given this profile.
        #[arg(long, group = "scope")]
        profile: Option<String>,
        /// For this phone (its MAC).
        #[arg(long, group = "scope")]
        phone: Option<String>,
        /// The parameter: a neutral one (@vlan) or a vendor's (polycom:up.idleTimeout).
        parameter: String,
        /// The value ("" removes the setting).
        value: String,
    },
    /// Print every setting and profile assignment as CSV (the import format); values of
    /// password parameters are left out unless asked for.
    List {
        /// Include the values of password parameters.
        #[arg(long)]
        with_passwords: bool,
    },
    /// The settings one phone gets, with where each value comes from.
    Show {
        /// The phone's MAC address, any notation.
        mac: String,
    },
}

pub async fn settings(
    store: &SqlStore,
    serving: &Serving,
    action: SettingsAction,
) -> anyhow::Result<ExitCode> {
    match action {
        SettingsAction::Import {
            file,
            dry_run,
            replace,
            json,
        } => {
            let input = read_input(&file)?;
            let options = ImportOptions {
                dry_run,
                replace,
                actor: actor(),
            };
            let mut report = import_settings(store, &input, &options).await?;
            if report.revision.is_some() {
                report.limits = crate::data::limit_warnings(store, serving).await?;
            }
            if json {
                say(format_args!("{}\n", serde_json::to_string_pretty(&report)?))?;
            } else {
                say(&report)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        SettingsAction::Set {
            site,
            vendor,
            model,
            profile,
            phone,
            parameter,
            value,
        } => {
            let (scope, target) = [
                ("site", site),
                ("vendor", vendor),
                ("model", model),
                ("profile", profile),
                ("phone", phone),
            ]
            .into_iter()
            .find_map(|(scope, target)| Some((scope, target?)))
            .unwrap_or(("deployment", String::new()));
            // One row of the settings file, checked and written as an import of it.
            let mut row = csv::Writer::from_writer(Vec::new());
            row.write_record(SETTINGS_COLUMNS)?;
            row.write_record([scope, target.as_str(), parameter.as_str(), value.as_str()])?;
            let input = row.into_inner()?;
            let options = ImportOptions {
                dry_run: false,
                replace: false,
                actor: actor(),
            };
            let mut report = match import_settings(store, &input, &options).await {
                Ok(report) => report,
                // The one row's problems, by field: there is no file line to name.
                Err(ImportError::Rejected(errors)) => {
                    let said: Vec<String> = errors
                        .iter()
                        .map(|e| match &e.column {
                            Some(column) => format!("{column}: {}", e.message),
                            None => e.message.clone(),
                        })
                        .collect();
                    anyhow::bail!("setting refused: {}", said.join("; "));
                }
                Err(other) => return Err(other.into()),
            };
            if report.revision.is_some() {
                report.limits = crate::data::limit_warnings(store, serving).await?;
            }
            say(&report)?;
            Ok(ExitCode::SUCCESS)
        }
        SettingsAction::List { with_passwords } => {
            let book = store.settings().await?;
            let mut out = csv::Writer::from_writer(Vec::new());
            out.write_record(SETTINGS_COLUMNS)?;
            for setting in book.settings() {
                let value = if setting.parameter.is_secret() && !with_passwords {
                    ""
                } else {
                    setting.value.as_str()
                };
                out.write_record([
                    setting.scope.kind(),
                    &setting.scope.target(),
                    &setting.parameter.to_string(),
                    value,
                ])?;
            }
            let mut profiles: Vec<_> = book.profiles().iter().collect();
            profiles.sort();
            for (mac, profile) in profiles {
                out.write_record([
                    "phone",
                    &mac.polycom_name(),
                    PROFILE_PARAMETER,
                    profile.as_str(),
                ])?;
            }
            say(String::from_utf8_lossy(&out.into_inner()?))?;
            Ok(ExitCode::SUCCESS)
        }
        SettingsAction::Show { mac: text } => {
            let mac =
                Mac::parse(&text).with_context(|| format!("{text:?} is not a MAC address"))?;
            let deployment =
                Deployment::new(store.snapshot().await?, serving.server_address.clone())?;
            let phone = deployment
                .phone(&mac)
                .with_context(|| format!("no phone {mac}"))?;
            if let Some(profile) = deployment.settings().profile_of(&mac) {
                say(format_args!("profile: {profile}\n"))?;
            }
            let provisioner = provisioner_of(serving, load_templates(serving));
            for entry in provisioner.settings_of(&deployment, phone) {
                say(format_args!(
                    "{} = {}    ({})\n",
                    entry.parameter, entry.value, entry.origin
                ))?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
