//! The phone-facing transports, each a thin adapter that turns a request into a
//! [`crate::provision::FileName`] and a [`crate::policy::access::Requester`], asks the phone-file
//! policy ([`crate::policy::phone_files::PhoneFiles`]) and answers in its own terms: HTTP
//! ([`http`], served by the per-core [`workers`] and over TLS by [`tls`]), FTP ([`ftp`]) and
//! TFTP ([`tftp`], its transfer budget in [`tftp_sessions`]). What keeps one client from taking
//! them down: per-address connection limits ([`address_slots`]), the admin path's own budget
//! ([`admin_budget`]), bounded request bodies ([`crate::http_common::request_body`]) and connection handling
//! ([`connection`]); the admin API also listens on a local socket ([`local_socket`]). No
//! transport knows a vendor.

pub mod address_slots;
pub mod admin_budget;
pub mod connection;
pub mod ftp;
pub mod http;
pub mod local_socket;
pub mod tftp;
pub mod tftp_sessions;
pub mod tls;
pub mod workers;
