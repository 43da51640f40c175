//! Settings of the load generators (`bench/ftp/boots.rs`, `bench/boot-storm/main.rs`), read from
//! the environment.

/// The variable `name`, which must be set.
pub fn setting(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("set {name}"))
}

/// The number in `name`, else `default`.
pub fn number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
