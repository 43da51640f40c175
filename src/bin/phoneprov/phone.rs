//! (Part of the `phoneprov` binary, not the library.) `phoneprov phone`: who may fetch a phone's
//! credential files — its HTTP login, and its trust-on-first-use binding.

use phoneprov::store::prelude::*;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

use phoneprov::domain::{Mac, PhoneLogin};
use phoneprov::store::SqlStore;

use crate::site::actor;

/// What to do to a phone's access.
#[derive(Debug, Subcommand)]
pub enum PhoneAction {
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
