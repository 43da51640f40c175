//! What operators watch: Prometheus metrics ([`metrics`]), the recent problems the dashboard
//! shows ([`activity`]) and `/healthz` ([`health`]).

pub mod activity;
pub mod health;
pub mod metrics;
