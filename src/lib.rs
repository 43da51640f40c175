//! phoneprov: a provisioning server for SIP desk phones (Polycom, Aastra/Mitel).
//!
//! The map of the crate, in the order a phone's request crosses it (`docs/architecture.md`):
//!
//! - [`transport`]: the phone-facing servers (HTTP, HTTPS, FTP, TFTP), thin adapters that turn a
//!   request into a [`provision::FileName`] and answer what the policy decides.
//! - [`policy`]: the phone-file policy every transport shares: what a name finds, who may receive
//!   it, the enumeration defense, uploads, firmware, last seen.
//! - [`provision`]: the provisioning core: file names parsed once, resolved and rendered from the
//!   live data (one generation per request, rendered files cached per revision).
//! - [`handset`]: each vendor in a folder behind the [`handset::Handset`] trait; [`render`]:
//!   Tera templates, escaping per format, the XML check.
//! - [`store`]: the database by role (narrow traits, `Store` their sum), on sqlx for SQLite and
//!   PostgreSQL; an in-memory lease store.
//! - [`domain`]: pure types and rules (MAC addresses, vendors and models, sites, extensions,
//!   phones). No I/O.
//! - Beside the phone path: [`admin`] (API, web page, token), [`observe`] (metrics, activity,
//!   health, log writer), [`import`] (CSV in and out), [`dhcp`], [`push`] (check-sync NOTIFY),
//!   [`site_edit`], [`check`], [`clock`], [`config`], [`config_file`], [`private_file`],
//!   [`demo`], [`testing`].
//! - [`server`]: the whole server as a library, `Server::start(config)` and `Running::stop()`;
//!   the `phoneprov` command (`src/bin/phoneprov/`) is a thin layer over it.
//!
//! No module imports one that imports it back (`scripts/check-layers`, run by CI).
#![warn(missing_docs)]
#![warn(unreachable_pub)]

pub mod admin;
pub mod check;
pub mod clock;
pub mod config;
pub mod config_file;
pub mod demo;
pub mod dhcp;
pub mod domain;
pub mod handset;
pub mod http_common;
pub mod import;
pub mod observe;
pub mod policy;
pub mod private_file;
pub mod provision;
pub mod publish;
pub mod push;
pub mod render;
pub mod server;
pub mod site_edit;
pub mod store;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod transport;
