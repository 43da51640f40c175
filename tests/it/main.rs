//! Every integration test in one binary (linked once): each module is one area of the product,
//! driven through the real `phoneprov` binary or the library, with real clients. One test is a
//! binary of its own: `tests/store_recovery.rs` limits its own process's file size.

#[allow(dead_code)]
mod common;

mod access;
mod api;
mod attack;
mod audit;
mod cli;
mod config_file;
mod dashboard;
mod dhcp;
mod dhcp_allocate;
mod dhcp_memory;
mod dhcp_udhcpc;
mod directory;
mod distribution;
mod docs;
mod e2e;
mod failover;
mod field;
mod first_day;
mod ftp;
mod guard;
mod hardening;
mod helpful_errors;
mod http;
mod import;
mod import_kill;
mod in_process;
mod inbox;
mod keys;
mod logins;
mod multinode;
mod outage;
mod poly_today;
mod publish;
mod push;
mod render;
mod schemathesis;
mod secrets;
mod settings;
mod site_rules;
mod store;
mod voicemail;
mod web;
mod yealink;
