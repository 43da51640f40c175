//! Phone-facing servers. Each is a thin adapter over the provisioning core: it turns a request
//! into a file name and answers from [`live::Live`]. No server knows a vendor.

pub mod activity;
pub mod api;
pub mod firmware;
pub mod ftp;
pub mod http;
pub mod live;
pub mod metrics;
pub mod phone_files;
pub mod sightings;
pub mod tftp;
pub mod token;
pub mod web;
pub mod workers;
