//! (Part of the `phoneprov` binary, not the library.) `phoneprov site ...`: list and show sites,
//! add and change them, rebalance a site's registration distribution, switch a site over to its
//! alternate and back. Each change is one transaction with its audit entry; a running server
//! serves it within a second and pushes the phones it changes.

use phoneprov::store::prelude::*;
use std::collections::BTreeMap;
use std::process::ExitCode;

use clap::{Args, Subcommand};

use phoneprov::domain::{CallServer, Site, SiteName};
use phoneprov::site_edit::{SiteInput, edited_settings};
use phoneprov::store::SqlStore;

use crate::columns::print_columns;
use crate::say;

#[derive(Debug, Subcommand)]
pub enum SiteAction {
    /// Every site with its call servers, alternate and switchover state.
    List,
    /// One site's settings and how its extensions are spread over its call servers.
    Show {
        /// The site.
        name: String,
    },
    /// Create a site (settings not given start from the defaults, SIP port 5060).
    Add {
        /// The new site's name.
        name: String,
        #[command(flatten)]
        fields: SiteFields,
    },
    /// Change the settings given; the others keep their value.
    Set {
        /// The site.
        name: String,
        #[command(flatten)]
        fields: SiteFields,
    },
    /// Spread the site's extensions evenly over its call servers again, moving the fewest.
    Rebalance {
        /// The site.
        name: String,
    },
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

/// The settings `site add` and `site set` take.
#[derive(Debug, Args)]
pub struct SiteFields {
    /// A call server, ADDRESS[:PORT][/CAPACITY]; repeat for several. Replaces the list.
    #[arg(long = "server", value_name = "SERVER", value_parser = CallServer::parse)]
    servers: Vec<CallServer>,
    /// Remove every call server (phones then get phoneprov's own address).
    #[arg(long, conflicts_with = "servers")]
    no_servers: bool,
    /// SIP port of servers without their own, and of the phones.
    #[arg(long)]
    sip_port: Option<u16>,
    /// The site to switch over to ("" for none).
    #[arg(long)]
    alternate: Option<String>,
    /// The site's own voice mail server ("" for its call server).
    #[arg(long)]
    voicemail_server: Option<String>,
    /// Numbers the call server uses itself, e.g. 200-299,500.
    #[arg(long)]
    reserved_numbers: Option<String>,
    /// SNTP server.
    #[arg(long)]
    sntp_server: Option<String>,
    /// The site's time zone, an IANA name such as Europe/Berlin ("" to clear); it decides the
    /// offset and daylight saving rules phones get.
    #[arg(long)]
    time_zone: Option<String>,
    /// Without a time zone: offset of local standard time from UTC in seconds (-28800: Pacific).
    #[arg(long, allow_hyphen_values = true)]
    utc_offset_seconds: Option<i32>,
    /// Without a time zone: whether daylight saving time applies (on the US rules).
    #[arg(long)]
    daylight_saving: Option<bool>,
    /// Emergency numbers, dialled at once, e.g. 911,9911 or 112.
    #[arg(long)]
    emergency_numbers: Option<String>,
    /// The site's own dial plan, digit-map rules separated by | (e.g.
    /// "0[1-9]xxxxxxx|00x.T|[1-7]xx"); "" for the North American plan.
    #[arg(long)]
    dial_plan: Option<String>,
    /// Local time the phones' daily re-check of their files starts (HH:MM, spread over two
    /// hours), or off.
    #[arg(long)]
    recheck: Option<String>,
    /// Digits in an extension number: 3 or 4.
    #[arg(long)]
    extension_length: Option<i64>,
    /// Digits of a local number: 7 or 10.
    #[arg(long)]
    local_dialing: Option<i64>,
    /// Whether phones beep while a message waits.
    #[arg(long)]
    mwi_beep: Option<bool>,
    /// Registration expiry in seconds.
    #[arg(long)]
    registration_expiry: Option<u32>,
    /// Trust on first use: credential files go only to the address that first fetched the
    /// phone's master file (reset with `phoneprov phone unbind`).
    #[arg(long)]
    trust_first_address: Option<bool>,
}

impl SiteFields {
    fn into_input(self) -> SiteInput {
        let call_servers = if self.no_servers {
            Some(Vec::new())
        } else {
            (!self.servers.is_empty()).then_some(self.servers)
        };
        SiteInput {
            call_servers,
            sip_port: self.sip_port,
            alternate_site: self.alternate,
            voicemail_server: self.voicemail_server,
            reserved_numbers: self.reserved_numbers,
            sntp_server: self.sntp_server,
            utc_offset_seconds: self.utc_offset_seconds,
            daylight_saving: self.daylight_saving,
            extension_length: self.extension_length,
            local_dialing: self.local_dialing,
            mwi_beep: self.mwi_beep,
            registration_expiry: self.registration_expiry,
            trust_first_address: self.trust_first_address,
            time_zone: self.time_zone,
            emergency_numbers: self.emergency_numbers,
            dial_plan: self.dial_plan,
            recheck: self.recheck,
            ..SiteInput::default()
        }
    }
}

/// Who the audit log names for CLI changes.
pub fn actor() -> String {
    format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    )
}

pub async fn site(store: &SqlStore, action: SiteAction) -> anyhow::Result<ExitCode> {
    match action {
        SiteAction::List => list(store).await?,
        SiteAction::Show { name } => show(store, &name).await?,
        SiteAction::Add { name, fields } => save(store, &name, fields, true).await?,
        SiteAction::Set { name, fields } => save(store, &name, fields, false).await?,
        SiteAction::Rebalance { name } => {
            let site = SiteName::parse(&name)?;
            let moved = store.rebalance(&site, &actor()).await?;
            say(format_args!(
                "site {site} rebalanced: {moved} extension(s) moved\n"
            ))?;
            show(store, &name).await?;
        }
        SiteAction::Switchover { name } => switch(store, &name, true).await?,
        SiteAction::Switchback { name } => switch(store, &name, false).await?,
    }
    Ok(ExitCode::SUCCESS)
}

fn servers_text(site: &Site) -> String {
    if site.settings.call_servers.is_empty() {
        return "(phoneprov's address)".to_string();
    }
    site.settings
        .call_servers
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

async fn list(store: &SqlStore) -> anyhow::Result<()> {
    let sites = store.sites().await?;
    let rows: Vec<Vec<String>> = sites
        .iter()
        .map(|site| {
            let alternate = site
                .settings
                .alternate_site
                .and_then(|id| sites.iter().find(|s| s.id == id))
                .map_or("-".to_string(), |s| s.name.to_string());
            let state = if site.switched_over {
                "SWITCHED OVER"
            } else {
                "home"
            };
            vec![
                site.name.to_string(),
                servers_text(site),
                alternate,
                state.to_string(),
            ]
        })
        .collect();
    print_columns(&["SITE", "CALL SERVERS", "ALTERNATE", "STATE"], &rows)
}

async fn show(store: &SqlStore, name: &str) -> anyhow::Result<()> {
    let name = SiteName::parse(name)?;
    let sites = store.sites().await?;
    let site = sites
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| anyhow::anyhow!("no site {name}"))?;
    let site_name = |id| {
        sites
            .iter()
            .find(|s| s.id == id)
            .map(|s| s.name.to_string())
    };
    say(format_args!("site {name}\n"))?;
    for (field, value) in site.settings.describe(site_name) {
        say(format_args!("  {field:<20} {value}\n"))?;
    }
    // How many extensions each server is primary and backup for.
    let mut counts: BTreeMap<String, (usize, usize)> = site
        .settings
        .bins()
        .into_iter()
        .map(|b| (b.key, (0, 0)))
        .collect();
    let extensions = store.extensions().await?;
    for registration in extensions
        .iter()
        .filter(|e| e.current_site == site.id)
        .filter_map(|e| e.registration.as_ref())
    {
        if let Some(count) = counts.get_mut(&registration.primary) {
            count.0 += 1;
        }
        if let Some(count) = registration.backup.as_ref().and_then(|b| counts.get_mut(b)) {
            count.1 += 1;
        }
    }
    for (server, (primary, backup)) in counts {
        say(format_args!(
            "  server {server:<28} primary for {primary:>6}, backup for {backup:>6}\n"
        ))?;
    }
    Ok(())
}

async fn save(
    store: &SqlStore,
    name: &str,
    fields: SiteFields,
    create: bool,
) -> anyhow::Result<()> {
    let name = SiteName::parse(name)?;
    let sites = store.sites().await?;
    let settings = edited_settings(&sites, &name, fields.into_input(), create)?;
    if create {
        store.create_site(&name, &settings, &actor()).await?;
        say(format_args!("site {name} created\n"))
    } else {
        store.update_site(&name, &settings, &actor()).await?;
        say(format_args!("site {name} changed\n"))
    }
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
