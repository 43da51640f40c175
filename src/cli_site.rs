//! (Part of the `phoneprov` binary, not the library.) `phoneprov site ...`: list sites, switch a
//! site over to its alternate and back. Each change is one transaction with its audit entry; a
//! running server serves it within a second and pushes the phones it changes.

use std::process::ExitCode;

use clap::Subcommand;

use phoneprov::domain::SiteName;
use phoneprov::store::{SqlStore, Store};

use crate::say;

#[derive(Debug, Subcommand)]
pub enum SiteAction {
    /// Every site with its call server, alternate and switchover state.
    List,
    /// Move every switchover-enabled extension of the site to its alternate site's call server.
    Switchover {
        /// The site.
        name: String,
    },
    /// Return the site's switched-over extensions to their home call server.
    Switchback {
        /// The site.
        name: String,
    },
}

/// Who the audit log names for CLI changes.
fn actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}

pub async fn site(store: &SqlStore, action: SiteAction) -> anyhow::Result<ExitCode> {
    match action {
        SiteAction::List => {
            let sites = store.sites().await?;
            for site in &sites {
                let alternate = site
                    .settings
                    .alternate_site
                    .and_then(|id| sites.iter().find(|s| s.id == id))
                    .map_or("-".to_string(), |s| s.name.to_string());
                say(format_args!(
                    "{:<16}  {:<24}  alternate {:<16}  {}\n",
                    site.name,
                    format!(
                        "{}:{}",
                        site.settings.sip_server.as_deref().unwrap_or("(phoneprov)"),
                        site.settings.effective_sip_port()
                    ),
                    alternate,
                    if site.switched_over {
                        "SWITCHED OVER"
                    } else {
                        "home"
                    },
                ))?;
            }
        }
        SiteAction::Switchover { name } => switch(store, &name, true).await?,
        SiteAction::Switchback { name } => switch(store, &name, false).await?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Switches the site over (`over`) or back and says how many extensions moved.
async fn switch(store: &SqlStore, name: &str, over: bool) -> anyhow::Result<()> {
    let site = SiteName::parse(name)?;
    let moved = store.switch_site(&site, over, &actor()).await?;
    let (done, place) = if over {
        ("switched over", "on the alternate site")
    } else {
        ("switched back", "home")
    };
    say(format_args!(
        "site {site} {done}: {moved} extension(s) {place}\n"
    ))
}
