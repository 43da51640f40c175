//! The schema migrations of each backend, embedded in the binary (no migration files are needed
//! at run time, and no sqlx macros at build time).

use sqlx::SqlSafeStr;
use sqlx::migrate::{Migration, MigrationType, Migrator};

use crate::store::Backend;

/// `(version, description, SQLite SQL, PostgreSQL SQL)`, in order.
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "init",
        include_str!("../../migrations/sqlite/0001_init.sql"),
        include_str!("../../migrations/postgres/0001_init.sql"),
    ),
    (
        2,
        "dhcp leases",
        include_str!("../../migrations/sqlite/0002_dhcp_leases.sql"),
        include_str!("../../migrations/postgres/0002_dhcp_leases.sql"),
    ),
    (
        3,
        "phone pushes",
        include_str!("../../migrations/sqlite/0003_phone_pushes.sql"),
        include_str!("../../migrations/postgres/0003_phone_pushes.sql"),
    ),
    (
        4,
        "switchover",
        include_str!("../../migrations/sqlite/0004_switchover.sql"),
        include_str!("../../migrations/postgres/0004_switchover.sql"),
    ),
    (
        5,
        "call servers",
        include_str!("../../migrations/sqlite/0005_call_servers.sql"),
        include_str!("../../migrations/postgres/0005_call_servers.sql"),
    ),
    (
        6,
        "phone access",
        include_str!("../../migrations/sqlite/0006_phone_access.sql"),
        include_str!("../../migrations/postgres/0006_phone_access.sql"),
    ),
    (
        7,
        "shared nodes",
        include_str!("../../migrations/sqlite/0007_shared_nodes.sql"),
        include_str!("../../migrations/postgres/0007_shared_nodes.sql"),
    ),
    (
        8,
        "site clock",
        include_str!("../../migrations/sqlite/0008_site_clock.sql"),
        include_str!("../../migrations/postgres/0008_site_clock.sql"),
    ),
    (
        9,
        "ban phones and store probe",
        include_str!("../../migrations/sqlite/0009_ban_phones.sql"),
        include_str!("../../migrations/postgres/0009_ban_phones.sql"),
    ),
    (
        10,
        "settings",
        include_str!("../../migrations/sqlite/0010_settings.sql"),
        include_str!("../../migrations/postgres/0010_settings.sql"),
    ),
    (
        11,
        "upload trust",
        include_str!("../../migrations/sqlite/0011_upload_trust.sql"),
        include_str!("../../migrations/postgres/0011_upload_trust.sql"),
    ),
    (
        12,
        "phone home",
        include_str!("../../migrations/sqlite/0012_phone_home.sql"),
        include_str!("../../migrations/postgres/0012_phone_home.sql"),
    ),
    (
        13,
        "settings vendor",
        include_str!("../../migrations/sqlite/0013_settings_vendor.sql"),
        include_str!("../../migrations/postgres/0013_settings_vendor.sql"),
    ),
    (
        14,
        "site dial plan",
        include_str!("../../migrations/sqlite/0014_site_dial_plan.sql"),
        include_str!("../../migrations/postgres/0014_site_dial_plan.sql"),
    ),
    (
        15,
        "switchover by default",
        include_str!("../../migrations/sqlite/0015_switchover_by_default.sql"),
        include_str!("../../migrations/postgres/0015_switchover_by_default.sql"),
    ),
    (
        16,
        "logged problems",
        include_str!("../../migrations/sqlite/0016_logged_problems.sql"),
        include_str!("../../migrations/postgres/0016_logged_problems.sql"),
    ),
];

/// The migrator for one backend.
pub(super) fn migrator(backend: Backend) -> Migrator {
    let migrations = MIGRATIONS
        .iter()
        .map(|(version, description, sqlite, postgres)| {
            let sql = match backend {
                Backend::Sqlite => *sqlite,
                Backend::Postgres => *postgres,
            };
            Migration::new(
                *version,
                (*description).into(),
                MigrationType::Simple,
                sql.into_sql_str(),
                false,
            )
        })
        .collect();
    Migrator::with_migrations(migrations)
}
