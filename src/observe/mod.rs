//! What operators watch: Prometheus metrics ([`metrics`]), the recent problems the dashboard
//! shows ([`activity`]), `/healthz` ([`health`]) and the log's writer thread ([`log_writer`]).

pub mod activity;
pub mod health;
pub mod log_writer;
pub mod metrics;
pub mod shown;
