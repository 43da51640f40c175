//! Administration beside the phone path: the admin API ([`api`]), the admin web page ([`web`])
//! over it, and the admin token ([`token`]).

pub mod api;
pub mod token;
pub mod web;
