//! phoneprov: a provisioning server for SIP desk phones (Polycom, Aastra/Mitel).
//!
//! The map of the crate:
//!
//! - [`domain`]: pure types and rules (MAC addresses, vendors and models, sites, extensions,
//!   phones). No I/O.
//! - [`store`]: the database behind one [`store::Store`] trait, implemented once on sqlx for
//!   SQLite (the embedded default) and PostgreSQL. Migrations run when a store is opened.
//! - [`import`]: CSV import (parse, check against the database, plan, apply in one transaction)
//!   and export. The CLI and the admin API call the same functions.
//! - [`handset`]: what each vendor's phones ask for and the context of each of their templates.
//! - [`render`]: Tera templates (built in, overridable from a folder), escaping per format, and
//!   the XML check of every Polycom file.
//! - [`provision`]: the core every transport calls: file name in, rendered file (or a reason
//!   why not) out.
//! - [`serve`]: the phone-facing servers (HTTP, FTP, TFTP) over one phone-file service, the
//!   live data and render cache, and the admin API.
//! - [`server`]: the whole server as a library: `Server::start(config)` and `Running::stop()`.
//! - [`dhcp`]: answering phones' DHCPINFORM with their boot-server options, and leasing
//!   addresses on subnets set to allocate.
//! - [`push`]: SIP NOTIFY check-sync to phones whose files an admin change altered.
//! - [`site_edit`]: a site's settings from named fields, shared by the API, CLI and config file.
//! - [`check`]: `phoneprov check`, problems to fix before phones boot.
//! - [`clock`]: wall-clock time in milliseconds, as stored.
//! - [`config`]: the data folder and which database to open.
//! - [`private_file`]: refusing secret files that other users can read.
//! - [`config_file`]: the TOML config file (`--config`): settings and DHCP subnets.
//! - [`testing`]: the DHCP responder the fuzz targets and robustness tests drive.
//! - [`demo`]: the demo deployment loaded by `phoneprov serve --demo` into an empty store.
//!
//! Phone-facing transports (HTTP, FTP, TFTP), rendering and DHCP build on these and never reach
//! the database except through the store.
#![warn(missing_docs)]

pub mod check;
pub mod clock;
pub mod config;
pub mod config_file;
pub mod demo;
pub mod dhcp;
pub mod domain;
pub mod handset;
pub mod import;
pub mod private_file;
pub mod provision;
pub mod push;
pub mod render;
pub mod serve;
pub mod server;
pub mod site_edit;
pub mod store;
pub mod testing;
