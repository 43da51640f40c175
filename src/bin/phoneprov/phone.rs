//! (Part of the `phoneprov` binary, not the library.) `phoneprov phone`: who may fetch a phone's
//! credential files — its HTTP login, and its trust-on-first-use binding.

use phoneprov::store::prelude::*;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

use phoneprov::domain::{Mac, PhoneLogin};
use phoneprov::store::SqlStore;

use crate::columns::print_columns;
use crate::site::actor;

/// What to do to a phone's access.
#[derive(Debug, Subcommand)]
pub enum PhoneAction {
    /// List every phone: vendor, model, line keys, when and from where it was last seen.
    List,
    /// Set the login the phone needs for its credential files (HTTP Digest, or Basic over
    /// HTTPS). Give --password once per accepted password (the new and the old one while phones
    /// change over).
    Login {
        /// The phone's MAC address, any notation.
        mac: String,
        /// The user name the phone sends.
        #[arg(long)]
        user: String,
        /// An accepted password (8 to 128 characters); repeatable, up to 8.
        #[arg(long = "password", required = true)]
        passwords: Vec<String>,
    },
    /// Remove the phone's login.
    NoLogin {
        /// The phone's MAC address, any notation.
        mac: String,
    },
    /// Reset the phone's trust-on-first-use binding: its next master-file fetch binds it again.
    Unbind {
        /// The phone's MAC address, any notation.
        mac: String,
    },
}

fn mac(text: &str) -> anyhow::Result<Mac> {
    Mac::parse(text).with_context(|| format!("{text:?} is not a MAC address"))
}

pub async fn phone(store: &SqlStore, action: PhoneAction) -> anyhow::Result<ExitCode> {
    match action {
        PhoneAction::List => {
            let rows: Vec<Vec<String>> = store
                .phones()
                .await?
                .iter()
                .map(|p| {
                    let lines: Vec<String> = p
                        .lines
                        .iter()
                        .map(|(key, number)| format!("{key}:{number}"))
                        .collect();
                    let (seen, from) = p.last_seen.as_ref().map_or_else(
                        || ("never".to_string(), "-".to_string()),
                        |seen| (phoneprov::clock::utc_text(seen.at_ms), seen.ip.clone()),
                    );
                    vec![
                        p.mac.to_string(),
                        p.vendor.to_string(),
                        p.model.clone().unwrap_or_else(|| "-".into()),
                        if lines.is_empty() {
                            "-".into()
                        } else {
                            lines.join(" ")
                        },
                        seen,
                        from,
                    ]
                })
                .collect();
            print_columns(
                &[
                    "MAC",
                    "VENDOR",
                    "MODEL",
                    "LINE KEYS",
                    "LAST SEEN (UTC)",
                    "FROM",
                ],
                &rows,
            )?;
            return Ok(ExitCode::SUCCESS);
        }
        PhoneAction::Login {
            mac: text,
            user,
            passwords,
        } => {
            let mac = mac(&text)?;
            let login = PhoneLogin::new(&user, passwords)?;
            store.set_phone_login(&mac, Some(&login), &actor()).await?;
            println!(
                "{mac}: login {user} with {} accepted password(s)",
                login.passwords.len()
            );
        }
        PhoneAction::NoLogin { mac: text } => {
            let mac = mac(&text)?;
            store.set_phone_login(&mac, None, &actor()).await?;
            println!("{mac}: no login needed");
        }
        PhoneAction::Unbind { mac: text } => {
            let mac = mac(&text)?;
            match store.unbind_phone(&mac, &actor()).await? {
                Some(address) => println!("{mac}: binding to {address} reset"),
                None => println!("{mac}: was not bound"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
