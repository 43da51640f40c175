//! (Part of the `phoneprov` binary, not the library.) `phoneprov extension ...` (relocate an
//! extension, enable its switchover) and `phoneprov voicemail ...` (the central voice mail
//! server, its backup, marking it down and up). Each change is one transaction with its audit
//! entry.

use phoneprov::store::prelude::*;
use std::process::ExitCode;

use clap::Subcommand;

use phoneprov::domain::{ExtensionNumber, SiteName, host};
use phoneprov::store::SqlStore;

use crate::columns::print_columns;
use crate::say;
use crate::site::actor;

#[derive(Debug, Subcommand)]
pub enum ExtensionAction {
    /// List every extension: its name, site, phone and key, and whether it is in the directory.
    List,
    /// Serve the extension from another site, keeping all its settings (its home site: home).
    Relocate {
        /// The extension number.
        number: String,
        /// The site to serve it from.
        site: String,
    },
    /// Let the extension follow its site's switchover (on, the default) or exclude it (off).
    Switchover {
        /// The extension number.
        number: String,
        /// on or off.
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
    /// Let every extension whose home is the site follow its switchover (on) or exclude them
    /// all (off).
    SwitchoverSite {
        /// The site.
        site: String,
        /// on or off.
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
    /// List the extension in the company directory phones get (on, the default) or not (off).
    Directory {
        /// The extension number.
        number: String,
        /// on or off.
        #[arg(value_parser = ["on", "off"])]
        state: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum VoicemailAction {
    /// Where message-waiting and voice mail call-back go now.
    Show,
    /// Set the central voice mail server and its backup ("" for none).
    Set {
        /// The central voice mail server.
        #[arg(long)]
        central: String,
        /// The server that takes over while the central one is marked down.
        #[arg(long, default_value = "")]
        backup: String,
    },
    /// Mark the central voice mail server down: phones use the backup.
    Down,
    /// Mark it up again: phones return to the central server.
    Up,
}

pub async fn extension(store: &SqlStore, action: ExtensionAction) -> anyhow::Result<ExitCode> {
    match action {
        ExtensionAction::List => {
            let sites: std::collections::HashMap<_, _> = store
                .sites()
                .await?
                .into_iter()
                .map(|s| (s.id, s.name.to_string()))
                .collect();
            let mut placement = std::collections::HashMap::new();
            for phone in store.phones().await? {
                for (line, number) in &phone.lines {
                    placement.insert(number.clone(), format!("{} key {line}", phone.mac));
                }
            }
            let rows: Vec<Vec<String>> = store
                .extensions()
                .await?
                .iter()
                .map(|e| {
                    vec![
                        e.number.to_string(),
                        e.display_name.clone(),
                        sites.get(&e.current_site).cloned().unwrap_or_default(),
                        placement
                            .get(&e.number)
                            .cloned()
                            .unwrap_or_else(|| "-".into()),
                        if e.in_directory { "yes" } else { "no" }.to_string(),
                    ]
                })
                .collect();
            print_columns(&["EXTENSION", "NAME", "SITE", "PHONE", "DIRECTORY"], &rows)?;
        }
        ExtensionAction::Relocate { number, site } => {
            let number = ExtensionNumber::parse(&number)?;
            let site = SiteName::parse(&site)?;
            store.relocate(&number, &site, &actor()).await?;
            say(format_args!(
                "extension {number} is served by site {site}\n"
            ))?;
        }
        ExtensionAction::Switchover { number, state } => {
            let number = ExtensionNumber::parse(&number)?;
            store
                .set_switchover(&number, state == "on", &actor())
                .await?;
            say(format_args!("extension {number}: switchover {state}\n"))?;
        }
        ExtensionAction::SwitchoverSite { site, state } => {
            let site = SiteName::parse(&site)?;
            let changed = store
                .set_site_switchover(&site, state == "on", &actor())
                .await?;
            say(format_args!(
                "site {site}: switchover {state} for every extension ({changed} changed)\n"
            ))?;
        }
        ExtensionAction::Directory { number, state } => {
            let number = ExtensionNumber::parse(&number)?;
            store
                .set_in_directory(&number, state == "on", &actor())
                .await?;
            say(format_args!(
                "extension {number}: in the directory {state}\n"
            ))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn server(text: String) -> anyhow::Result<Option<String>> {
    if text.is_empty() {
        return Ok(None);
    }
    Ok(Some(host(&text)?))
}

pub async fn voicemail(store: &SqlStore, action: VoicemailAction) -> anyhow::Result<ExitCode> {
    match action {
        VoicemailAction::Show => {}
        VoicemailAction::Set { central, backup } => {
            store
                .set_voicemail(server(central)?, server(backup)?, &actor())
                .await?;
        }
        VoicemailAction::Down => store.mark_voicemail(true, &actor()).await?,
        VoicemailAction::Up => store.mark_voicemail(false, &actor()).await?,
    }
    let vm = store.voicemail().await?;
    let shown = |s: &Option<String>| s.clone().unwrap_or_else(|| "-".into());
    say(format_args!(
        "central {}{}\nbackup  {}\nmessage-waiting and call-back go to {}\n",
        shown(&vm.central),
        if vm.central_down {
            " (marked down)"
        } else {
            ""
        },
        shown(&vm.backup),
        vm.target("each site's own voice mail server"),
    ))?;
    Ok(ExitCode::SUCCESS)
}
