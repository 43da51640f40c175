//! The servers: phone-facing ones (HTTP, FTP, TFTP), each a thin adapter over the provisioning
//! core that turns a request into a file name and answers from [`crate::provision::live::Live`] (no server knows a
//! vendor); the admin API ([`api`]) and the admin web page ([`web`]) over it; metrics and the
//! recent activity the dashboard shows ([`activity`]).

pub mod access;
pub mod activity;
pub mod address_slots;
pub mod api;
pub mod bindings;
pub mod connection;
pub mod digest;

pub mod firmware;
pub mod followers;
pub mod ftp;
pub mod guard;
pub mod health;
pub mod held_uploads;
pub mod http;
pub mod login_limit;
pub mod metrics;
pub mod phone_files;
pub mod refused;
pub mod shared_bans;
pub mod sightings;
pub mod tftp;
pub mod tls;
pub mod token;
pub mod upload_writer;
pub mod web;
pub mod workers;
