//! [`SqlStore`]: the store on sqlx's `Any` driver (each role's trait is implemented in the role's
//! file: `provisioning.rs`, `leases.rs`, ...). The same SQL runs on SQLite and PostgreSQL
//! (`$n` placeholders, `ON CONFLICT ... DO UPDATE`, `RETURNING`, integers for flags and times).

use std::sync::Arc;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyConnection, Connection};
use sqlx::{AnyPool, Executor};

use crate::domain::Mode;
use crate::store::roles::ProvisioningData;
use crate::store::secrets::SecretKey;
use crate::store::transaction::{begin_write, bump_revision};
use crate::store::{Backend, StoreError, migrations, url_without_password};
use crate::store::{connect, distribution, notices};

/// The store on a SQLite file or a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pub(super) pool: AnyPool,
    pub(super) backend: Backend,
    pub(super) key: SecretKey,
    /// Other nodes' change notices (PostgreSQL; its own connection, opened on first wait).
    pub(super) listener: Arc<notices::Listener>,
    /// The file or URL (without password), named when it cannot be written.
    pub(super) target: String,
}

/// Whether a connection may go back to the pool: not while it is still inside a transaction
/// (a COMMIT that failed, e.g. on a full disk, and whose rollback failed too). Reusing it would
/// fail every later write ("non-zero transaction depth") until a restart; closing it lets the
/// pool open a fresh one, so the store recovers once the cause is gone.
async fn leave_no_transaction_open(conn: &mut AnyConnection) -> Result<bool, sqlx::Error> {
    // Runs any rollback still queued first.
    conn.ping().await?;
    if conn.is_in_transaction() {
        tracing::warn!("a database connection was left inside a transaction: closed");
        return Ok(false);
    }
    Ok(true)
}

impl SqlStore {
    /// Connects to `url` (`sqlite://PATH?mode=rwc` or `postgres://...`) and brings the schema up
    /// to date; SIP passwords are sealed with `key` (older clear ones are sealed now). SQLite
    /// connections use WAL with full fsync on commit and foreign keys on.
    pub async fn open(url: &str, key: SecretKey) -> Result<SqlStore, StoreError> {
        let url = &connect::with_sqlite_create_mode(url);
        let backend = Backend::from_url(url)?;
        sqlx::any::install_default_drivers();
        connect::probe(url, backend).await?;
        let options = match backend {
            Backend::Sqlite => AnyPoolOptions::new()
                .max_connections(4)
                .acquire_timeout(connect::FIRST_CONNECT_TIMEOUT)
                .after_release(|conn, _meta| Box::pin(leave_no_transaction_open(conn)))
                .after_connect(|conn, _meta| {
                    Box::pin(async move {
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        Ok(())
                    })
                }),
            Backend::Postgres => AnyPoolOptions::new()
                .max_connections(10)
                .acquire_timeout(connect::POSTGRES_ACQUIRE_TIMEOUT)
                .after_release(|conn, _meta| Box::pin(leave_no_transaction_open(conn))),
        };
        let pool = options.connect(url).await.map_err(|e| {
            tracing::debug!(url = %url_without_password(url), "cannot open database");
            StoreError::Database(e)
        })?;
        migrations::migrator(backend).run(&pool).await?;
        let store = SqlStore {
            pool,
            backend,
            key,
            listener: Arc::new(notices::Listener::new(url)),
            target: connect::target_of(url, backend),
        };
        // A read-only file opens and serves reads: refuse it now, naming it, rather than fail
        // every write later.
        store.check_writable().await?;
        // Extensions written before registration distribution existed get their servers, and
        // passwords written before sealing existed are sealed.
        let mut tx = begin_write(&store.pool).await?;
        if distribution::settle(backend, &mut tx, None, Mode::Place).await? > 0 {
            bump_revision(&mut tx, None).await?;
        }
        seal_clear_passwords(&mut tx, &store.key).await?;
        tx.commit().await?;
        Ok(store)
    }

    /// A read transaction whose statements all see one snapshot of the data.
    pub(super) async fn begin_snapshot_read(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            // One snapshot for every statement, not one per statement.
            tx.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                .await?;
        }
        Ok(tx)
    }

    /// Closes every connection (SQLite then checkpoints its WAL).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Seals every password still stored in clear (written before sealing existed), in the
/// caller's transaction; how many.
async fn seal_clear_passwords(
    conn: &mut sqlx::AnyConnection,
    key: &SecretKey,
) -> Result<usize, StoreError> {
    use sqlx::Row;
    let rows =
        sqlx::query("SELECT number, password FROM extensions WHERE password NOT LIKE 'sealed1:%'")
            .fetch_all(&mut *conn)
            .await?;
    for row in &rows {
        let number: String = row.try_get("number")?;
        let clear: String = row.try_get("password")?;
        sqlx::query("UPDATE extensions SET password = $1 WHERE number = $2")
            .bind(key.seal(&clear)?)
            .bind(number)
            .execute(&mut *conn)
            .await?;
    }
    Ok(rows.len())
}
