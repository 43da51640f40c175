//! [`SqlStore`]: the [`Store`] on sqlx's `Any` driver. The same SQL runs on SQLite and PostgreSQL
//! (`$n` placeholders, `ON CONFLICT ... DO UPDATE`, `RETURNING`, integers for flags and times).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures_lite::StreamExt;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyConnection, Connection};
use sqlx::{AnyPool, Executor, Row};

use crate::clock::now_ms;
use crate::domain::{
    Ban, Extension, ExtensionNumber, FileFetch, Lease, Mac, Mode, Phone, PhoneLogin, PushRecord,
    SightingBatch, Site, SiteId, SiteName, SiteSettings, Upload, UploadInfo, UploadWrite,
    Voicemail, call_servers_text,
};
use crate::store::batch::{Param, Tracker, bind_all, delete_keys, insert_rows};
use crate::store::failover::{self, AuditEntry};
use crate::store::load::{load_extension, load_extensions, load_sites};
use crate::store::rows::{self, LAST_SEEN_COLUMNS, PHONE_COLUMNS, SITE_COLUMNS};
use crate::store::secrets::SecretKey;
use crate::store::transaction::{begin_write, bump_revision, read_revision};
use crate::store::{
    Backend, ChangeSet, Counts, PhoneActivity, Progress, Snapshot, Store, StoreError, migrations,
    url_without_password,
};
use crate::store::{bans, distribution, notices, phone_access, voicemail};

/// The store on a SQLite file or a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
    key: SecretKey,
    /// Other nodes' change notices (PostgreSQL; its own connection, opened on first wait).
    listener: Arc<notices::Listener>,
    /// The file or URL (without password), named when it cannot be written.
    target: String,
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
        let backend = Backend::from_url(url)?;
        sqlx::any::install_default_drivers();
        let options = match backend {
            Backend::Sqlite => AnyPoolOptions::new()
                .max_connections(4)
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
            target: match backend {
                Backend::Sqlite => url
                    .trim_start_matches("sqlite://")
                    .split('?')
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                Backend::Postgres => url_without_password(url),
            },
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
    async fn begin_snapshot_read(
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

fn site_name_of(sites: &[Site], id: crate::domain::SiteId) -> Option<String> {
    sites
        .iter()
        .find(|s| s.id == id)
        .map(|s| s.name.to_string())
}

/// Phones with their lines, in one query (a phone with n lines is n rows): every row costs a
/// round trip through sqlx's SQLite worker, so fewer rows load faster.
async fn load_phones(
    conn: &mut AnyConnection,
    only: Option<&Mac>,
    with_last_seen: bool,
) -> Result<Vec<Phone>, StoreError> {
    let mut columns = PHONE_COLUMNS.to_string();
    if with_last_seen {
        columns = format!("{columns}, {LAST_SEEN_COLUMNS}");
    }
    let columns = columns
        .split(", ")
        .map(|c| format!("p.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let filter = if only.is_some() {
        "WHERE p.mac = $1"
    } else {
        ""
    };
    let sql = format!(
        "SELECT {columns}, l.line AS line, l.extension AS extension FROM phones p \
         LEFT JOIN phone_lines l ON l.mac = p.mac {filter} ORDER BY p.mac"
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    if let Some(mac) = only {
        query = query.bind(mac.polycom_name());
    }
    // Row by row, as extensions are.
    let mut rows = query.fetch(&mut *conn);
    let mut phones: Vec<Phone> = Vec::new();
    let mut current_mac = String::new();
    while let Some(row) = rows.next().await {
        let row = &row?;
        // Rows come ordered by MAC; a phone with n lines is n rows in a row.
        let mac_text: String = row.try_get("mac")?;
        if mac_text != current_mac || phones.is_empty() {
            phones.push(rows::phone(row, with_last_seen)?);
            current_mac = mac_text;
        }
        if let Some((line, number)) = rows::line_of_join(row)?
            && let Some(phone) = phones.last_mut()
        {
            phone.lines.insert(line, number);
        }
    }
    Ok(phones)
}

fn site_params(name: &SiteName, s: &SiteSettings) -> Vec<Param> {
    vec![
        Param::Text(name.as_str().to_string()),
        Param::Text(call_servers_text(&s.call_servers)),
        Param::MaybeInt(s.sip_port.map(i64::from)),
        Param::Int(i64::from(s.utc_offset_seconds.unwrap_or(0))),
        Param::Int(i64::from(s.daylight_saving)),
        Param::Text(s.sntp_server.clone()),
        Param::Int(i64::from(s.extension_length.digits())),
        Param::Int(i64::from(s.local_dialing.digits())),
        Param::Int(i64::from(s.mwi_beep)),
        Param::MaybeInt(s.registration_expiry.map(i64::from)),
        Param::MaybeInt(s.alternate_site.map(|id| id.0)),
        Param::MaybeText(s.voicemail_server.clone()),
        Param::Text(s.reserved_numbers.to_string()),
        Param::Int(i64::from(s.trust_first_address)),
        Param::MaybeText(s.time_zone.as_ref().map(ToString::to_string)),
        Param::Int(i64::from(s.utc_offset_seconds.is_some())),
        Param::Text(s.emergency_numbers.to_string()),
        Param::Text(s.recheck.to_string()),
    ]
}

fn extension_params(e: &Extension, now: i64, key: &SecretKey) -> Result<Vec<Param>, StoreError> {
    Ok(vec![
        Param::Text(e.number.as_str().to_string()),
        Param::Text(e.display_name.clone()),
        Param::MaybeText(e.label.clone()),
        Param::MaybeText(e.auth_user.clone()),
        Param::Text(key.seal(&e.password)?),
        Param::Int(e.home_site.0),
        Param::Int(e.current_site.0),
        Param::Int(i64::from(e.switchover_enabled)),
        Param::Int(now),
    ])
}

fn phone_params(p: &Phone, now: i64) -> Vec<Param> {
    vec![
        Param::Text(p.mac.polycom_name()),
        Param::Text(p.vendor.as_str().to_string()),
        Param::Int(i64::from(p.vendor_pinned)),
        Param::MaybeText(p.model.clone()),
        Param::Int(now),
    ]
}

const SITE_WRITE_COLUMNS: &str = "name, call_servers, sip_port, utc_offset_seconds, \
     daylight_saving, sntp_server, extension_length, local_dialing, mwi_beep, \
     registration_expiry, alternate_site_id, voicemail_server, reserved_numbers, \
     trust_first_address, time_zone, time_offset_set, emergency_numbers, recheck";

const UPSERT_EXTENSIONS: (&str, &str) = (
    "INSERT INTO extensions (number, display_name, label, auth_user, password, home_site_id, \
     current_site_id, switchover_enabled, updated_at_ms)",
    "ON CONFLICT (number) DO UPDATE SET display_name = excluded.display_name, \
     label = excluded.label, auth_user = excluded.auth_user, password = excluded.password, \
     home_site_id = excluded.home_site_id, current_site_id = excluded.current_site_id, \
     switchover_enabled = excluded.switchover_enabled, updated_at_ms = excluded.updated_at_ms",
);

const UPSERT_PHONES: (&str, &str) = (
    "INSERT INTO phones (mac, vendor, vendor_pinned, model, updated_at_ms)",
    "ON CONFLICT (mac) DO UPDATE SET vendor = excluded.vendor, \
     vendor_pinned = excluded.vendor_pinned, model = excluded.model, \
     updated_at_ms = excluded.updated_at_ms",
);

async fn apply_in(
    backend: Backend,
    conn: &mut AnyConnection,
    changes: &ChangeSet,
    key: &SecretKey,
    progress: Progress<'_>,
) -> Result<i64, StoreError> {
    let revision = bump_revision(conn, Some(changes.expected_revision)).await?;
    let now = now_ms();
    let macs_with_new_lines: Vec<String> = changes
        .replace_lines
        .iter()
        .map(|(mac, _)| mac.polycom_name())
        .collect();
    let deleted_phones: Vec<String> = changes
        .delete_phones
        .iter()
        .map(Mac::polycom_name)
        .collect();
    let deleted_extensions: Vec<String> = changes
        .delete_extensions
        .iter()
        .map(|n| n.as_str().to_string())
        .collect();
    let extension_rows: Vec<Vec<Param>> = changes
        .upsert_extensions
        .iter()
        .map(|e| extension_params(e, now, key))
        .collect::<Result<_, _>>()?;
    let phone_rows: Vec<Vec<Param>> = changes
        .upsert_phones
        .iter()
        .map(|p| phone_params(p, now))
        .collect();
    let line_rows: Vec<Vec<Param>> = changes
        .replace_lines
        .iter()
        .chain(&changes.lines_of_new_phones)
        .flat_map(|(mac, lines)| {
            lines.iter().map(move |(line, number)| {
                vec![
                    Param::Text(mac.polycom_name()),
                    Param::Int(i64::from(*line)),
                    Param::Text(number.as_str().to_string()),
                ]
            })
        })
        .collect();
    let total = macs_with_new_lines.len()
        + deleted_phones.len()
        + deleted_extensions.len()
        + extension_rows.len()
        + phone_rows.len()
        + line_rows.len();
    let mut tracker = Tracker::new(total, progress);

    // Lines go first so the one-line-per-extension rule holds at every step.
    delete_keys(
        backend,
        conn,
        "DELETE FROM phone_lines WHERE mac",
        &macs_with_new_lines,
        &mut tracker,
    )
    .await?;
    delete_keys(
        backend,
        conn,
        "DELETE FROM phones WHERE mac",
        &deleted_phones,
        &mut tracker,
    )
    .await?;
    delete_keys(
        backend,
        conn,
        "DELETE FROM extensions WHERE number",
        &deleted_extensions,
        &mut tracker,
    )
    .await?;
    let (head, tail) = UPSERT_EXTENSIONS;
    insert_rows(backend, conn, head, tail, &extension_rows, &mut tracker).await?;
    let (head, tail) = UPSERT_PHONES;
    insert_rows(backend, conn, head, tail, &phone_rows, &mut tracker).await?;
    insert_rows(
        backend,
        conn,
        "INSERT INTO phone_lines (mac, line, extension)",
        "",
        &line_rows,
        &mut tracker,
    )
    .await?;
    // Only the sites that gained or changed extensions can have one to place.
    let touched: std::collections::BTreeSet<SiteId> = changes
        .upsert_extensions
        .iter()
        .map(|e| e.current_site)
        .collect();
    for site in touched {
        distribution::settle(backend, conn, Some(site), Mode::Place).await?;
    }
    Ok(revision)
}

/// Latest sighting per phone and `(count, latest)` per phone and file.
/// Last seen of many phones in one statement: `UPDATE ... FROM (VALUES ...)`, whose columns are
/// `column1`... on both backends. An older sighting never overwrites a newer one.
const RECORD_LAST_SEEN: (&str, &str) = (
    "UPDATE phones SET last_seen_at_ms = v.column2, last_ip = v.column3, \
     last_user_agent = v.column4, last_firmware = v.column5, last_file = v.column6, \
     last_transport = v.column7 FROM (",
    ") AS v WHERE phones.mac = v.column1 \
     AND (phones.last_seen_at_ms IS NULL OR phones.last_seen_at_ms <= v.column2)",
);

/// Fetch counts of many phones and files in one statement; unknown phones are skipped.
const COUNT_FETCHES: (&str, &str) = (
    "INSERT INTO phone_fetches (mac, file, fetch_count, last_at_ms, transport) \
     SELECT v.column1, v.column2, v.column3, v.column4, v.column5 FROM (",
    ") AS v WHERE EXISTS (SELECT 1 FROM phones WHERE phones.mac = v.column1) \
     ON CONFLICT (mac, file) DO UPDATE SET \
     fetch_count = phone_fetches.fetch_count + excluded.fetch_count, \
     transport = CASE WHEN excluded.last_at_ms >= phone_fetches.last_at_ms \
       THEN excluded.transport ELSE phone_fetches.transport END, \
     last_at_ms = CASE WHEN excluded.last_at_ms >= phone_fetches.last_at_ms \
       THEN excluded.last_at_ms ELSE phone_fetches.last_at_ms END",
);

#[async_trait]
impl Store for SqlStore {
    fn backend(&self) -> Backend {
        self.backend
    }

    async fn revision(&self) -> Result<i64, StoreError> {
        read_revision(&mut *self.pool.acquire().await?).await
    }

    async fn check_writable(&self) -> Result<(), StoreError> {
        let not_writable = |e: StoreError| StoreError::NotWritable {
            target: self.target.clone(),
            reason: e.to_string(),
        };
        let mut tx = begin_write(&self.pool).await.map_err(not_writable)?;
        sqlx::query(
            "INSERT INTO store_probe (id, at_ms) VALUES (1, $1) \
             ON CONFLICT (id) DO UPDATE SET at_ms = excluded.at_ms",
        )
        .bind(crate::clock::now_ms())
        .execute(&mut *tx)
        .await
        .map_err(|e| not_writable(e.into()))?;
        tx.commit().await.map_err(|e| not_writable(e.into()))
    }

    async fn counts(&self) -> Result<Counts, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM sites) AS sites, \
             (SELECT COUNT(*) FROM extensions) AS extensions, \
             (SELECT COUNT(*) FROM phones) AS phones",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(Counts {
            sites: row.try_get("sites")?,
            extensions: row.try_get("extensions")?,
            phones: row.try_get("phones")?,
        })
    }

    async fn sites(&self) -> Result<Vec<Site>, StoreError> {
        load_sites(&mut *self.pool.acquire().await?).await
    }

    async fn site(&self, name: &SiteName) -> Result<Option<Site>, StoreError> {
        let sql = format!("SELECT {SITE_COLUMNS} FROM sites WHERE name = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(name.as_str())
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(rows::site).transpose()
    }

    async fn create_site(
        &self,
        name: &SiteName,
        settings: &SiteSettings,
        actor: &str,
    ) -> Result<Site, StoreError> {
        let mut tx = begin_write(&self.pool).await?;
        bump_revision(&mut tx, None).await?;
        let exists = sqlx::query("SELECT id FROM sites WHERE name = $1")
            .bind(name.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_some() {
            return Err(StoreError::AlreadyExists(format!("site {name}")));
        }
        let columns = SITE_WRITE_COLUMNS.split(", ").count();
        let placeholders: Vec<String> = (1..=columns).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO sites ({SITE_WRITE_COLUMNS}) VALUES ({}) RETURNING {SITE_COLUMNS}",
            placeholders.join(",")
        );
        let params = site_params(name, settings);
        let query = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), &params);
        let row = query.fetch_one(&mut *tx).await?;
        let site = rows::site(&row)?;
        let sites = load_sites(&mut tx).await?;
        let detail = settings
            .describe(|id| site_name_of(&sites, id))
            .into_iter()
            .map(|(field, value)| format!("{field}: {value}"))
            .collect::<Vec<_>>()
            .join("; ");
        failover::record(&mut tx, actor, "site-create", name.as_str(), &detail).await?;
        tx.commit().await?;
        Ok(site)
    }

    async fn update_site(
        &self,
        name: &SiteName,
        settings: &SiteSettings,
        actor: &str,
    ) -> Result<(), StoreError> {
        let mut tx = begin_write(&self.pool).await?;
        bump_revision(&mut tx, None).await?;
        let sites = load_sites(&mut tx).await?;
        let before = sites.iter().find(|s| s.name == *name);
        let assignments: Vec<String> = SITE_WRITE_COLUMNS
            .split(", ")
            .enumerate()
            .skip(1)
            .map(|(i, column)| format!("{} = ${}", column.trim(), i + 1))
            .collect();
        let sql = format!(
            "UPDATE sites SET {} WHERE name = $1",
            assignments.join(", ")
        );
        let params = site_params(name, settings);
        let query = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), &params);
        let result = query.execute(&mut *tx).await?;
        match before {
            Some(site) if result.rows_affected() > 0 => {
                let mut detail =
                    settings.changes_from(&site.settings, |id| site_name_of(&sites, id));
                if site.settings.bins() != settings.bins() {
                    let moved =
                        distribution::settle(self.backend, &mut tx, Some(site.id), Mode::Rebalance)
                            .await?;
                    detail.push_str(&format!("; {moved} extension(s) moved"));
                }
                failover::record(&mut tx, actor, "site-update", name.as_str(), &detail).await?;
            }
            _ => return Err(StoreError::NotFound(format!("site {name}"))),
        }
        tx.commit().await?;
        Ok(())
    }

    async fn extensions(&self) -> Result<Vec<Extension>, StoreError> {
        load_extensions(&mut *self.pool.acquire().await?, &self.key).await
    }

    async fn extension(&self, number: &ExtensionNumber) -> Result<Option<Extension>, StoreError> {
        load_extension(&mut *self.pool.acquire().await?, number, &self.key).await
    }

    async fn phones(&self) -> Result<Vec<Phone>, StoreError> {
        load_phones(&mut *self.pool.acquire().await?, None, true).await
    }

    async fn phone(&self, mac: &Mac) -> Result<Option<Phone>, StoreError> {
        let mut phones = load_phones(&mut *self.pool.acquire().await?, Some(mac), true).await?;
        Ok(phones.pop())
    }

    async fn snapshot(&self) -> Result<Snapshot, StoreError> {
        // Extensions and phones are read in parallel on two connections. Every write bumps the
        // revision, so two read transactions that see the same revision see the same data.
        let mut first = self.begin_snapshot_read().await?;
        let mut second = self.begin_snapshot_read().await?;
        let revision = read_revision(&mut first).await?;
        if read_revision(&mut second).await? != revision {
            // A write landed between the two: read everything on one connection instead.
            drop(second);
            let snapshot = Snapshot {
                revision,
                sites: load_sites(&mut first).await?,
                extensions: load_extensions(&mut first, &self.key).await?,
                phones: load_phones(&mut first, None, false).await?,
                voicemail: voicemail::load(&mut first).await?,
                logins: phone_access::load_logins(&mut first, &self.key).await?,
            };
            first.commit().await?;
            return Ok(snapshot);
        }
        // A task of its own, so the rows are decoded on another core.
        let phones = tokio::spawn(async move {
            let phones = load_phones(&mut second, None, false).await?;
            second.commit().await?;
            Ok::<_, StoreError>(phones)
        });
        let sites = load_sites(&mut first).await?;
        let extensions = load_extensions(&mut first, &self.key).await?;
        let voicemail = voicemail::load(&mut first).await?;
        let logins = phone_access::load_logins(&mut first, &self.key).await?;
        first.commit().await?;
        let phones = phones
            .await
            .map_err(|e| StoreError::Task(e.to_string()))??;
        Ok(Snapshot {
            revision,
            sites,
            extensions,
            phones,
            voicemail,
            logins,
        })
    }

    async fn apply(
        &self,
        changes: &ChangeSet,
        actor: &str,
        progress: Progress<'_>,
    ) -> Result<i64, StoreError> {
        let mut tx = begin_write(&self.pool).await?;
        let revision = apply_in(self.backend, &mut tx, changes, &self.key, progress).await?;
        failover::record(
            &mut tx,
            actor,
            "change",
            "extensions and phones",
            &changes.summary(),
        )
        .await?;
        tx.commit().await?;
        Ok(revision)
    }

    async fn record_sightings(&self, batch: &SightingBatch) -> Result<(), StoreError> {
        let latest: Vec<Vec<Param>> = batch
            .latest()
            .map(|s| {
                vec![
                    Param::Text(s.mac.polycom_name()),
                    Param::Int(s.at_ms),
                    Param::Text(s.ip.clone()),
                    Param::MaybeText(s.user_agent.clone()),
                    Param::MaybeText(s.firmware.clone()),
                    Param::Text(s.file.clone()),
                    Param::Text(s.transport.as_str().to_string()),
                ]
            })
            .collect();
        let fetches: Vec<Vec<Param>> = batch
            .fetches()
            .map(|(mac, fetch)| {
                vec![
                    Param::Text(mac.polycom_name()),
                    Param::Text(fetch.file.clone()),
                    Param::Int(fetch.count),
                    Param::Int(fetch.last_at_ms),
                    Param::Text(fetch.transport.as_str().to_string()),
                ]
            })
            .collect();
        let mut tracker = Tracker::new(latest.len() + fetches.len(), &|_, _| {});
        let mut tx = begin_write(&self.pool).await?;
        let (head, tail) = RECORD_LAST_SEEN;
        insert_rows(self.backend, &mut tx, head, tail, &latest, &mut tracker).await?;
        let (head, tail) = COUNT_FETCHES;
        insert_rows(self.backend, &mut tx, head, tail, &fetches, &mut tracker).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn fetches(&self, mac: &Mac) -> Result<Vec<FileFetch>, StoreError> {
        let rows = sqlx::query(
            "SELECT file, fetch_count, last_at_ms, transport FROM phone_fetches \
             WHERE mac = $1 ORDER BY file",
        )
        .bind(mac.polycom_name())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::fetch).collect()
    }

    async fn put_uploads(&self, uploads: &[UploadWrite]) -> Result<Vec<bool>, StoreError> {
        crate::store::uploads::save(&self.pool, uploads).await
    }

    async fn upload(&self, mac: &Mac, name: &str) -> Result<Option<Upload>, StoreError> {
        let row = sqlx::query(
            "SELECT mac, name, content, updated_at_ms FROM phone_uploads \
             WHERE mac = $1 AND name = $2",
        )
        .bind(mac.polycom_name())
        .bind(name)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(rows::upload).transpose()
    }

    async fn uploads(&self, mac: &Mac) -> Result<Vec<UploadInfo>, StoreError> {
        let rows = sqlx::query(
            "SELECT name, CAST(length(content) AS BIGINT) AS size, updated_at_ms \
             FROM phone_uploads WHERE mac = $1 ORDER BY name",
        )
        .bind(mac.polycom_name())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(rows::upload_info).collect()
    }

    async fn save_leases(&self, leases: &[Lease]) -> Result<Vec<Lease>, StoreError> {
        crate::store::leases::save(self.backend, &self.pool, leases).await
    }

    async fn leases_since(
        &self,
        since_ms: i64,
    ) -> Result<Vec<Result<Lease, StoreError>>, StoreError> {
        crate::store::leases::changed_since(&self.pool, since_ms).await
    }

    async fn wait_for_change(&self, most: Duration) {
        match self.backend {
            Backend::Postgres => self.listener.wait(most).await,
            Backend::Sqlite => tokio::time::sleep(most).await,
        }
    }

    async fn bans(&self) -> Result<Vec<Ban>, StoreError> {
        bans::in_force(&self.pool).await
    }

    async fn save_ban(&self, ban: &Ban) -> Result<(), StoreError> {
        bans::save(&self.pool, ban).await
    }

    async fn lift_ban(&self, address: &str) -> Result<bool, StoreError> {
        bans::lift(&self.pool, address).await
    }

    async fn leases(&self) -> Result<Vec<Result<Lease, StoreError>>, StoreError> {
        crate::store::leases::load(&self.pool).await
    }

    async fn save_push(&self, mac: &Mac, record: &PushRecord) -> Result<(), StoreError> {
        crate::store::pushes::save(&self.pool, mac, record).await
    }

    async fn push(&self, mac: &Mac) -> Result<Option<PushRecord>, StoreError> {
        crate::store::pushes::load(&self.pool, mac).await
    }

    async fn switch_site(
        &self,
        site: &SiteName,
        over: bool,
        actor: &str,
    ) -> Result<usize, StoreError> {
        failover::switch_site(&self.pool, &self.key, site, over, actor).await
    }

    async fn set_switchover(
        &self,
        number: &ExtensionNumber,
        enabled: bool,
        actor: &str,
    ) -> Result<(), StoreError> {
        failover::set_switchover(&self.pool, &self.key, number, enabled, actor).await
    }

    async fn relocate(
        &self,
        number: &ExtensionNumber,
        site: &SiteName,
        actor: &str,
    ) -> Result<(), StoreError> {
        failover::relocate(self.backend, &self.pool, &self.key, number, site, actor).await
    }

    async fn pushes(&self, limit: i64) -> Result<Vec<(Mac, PushRecord)>, StoreError> {
        crate::store::pushes::recent(&self.pool, limit).await
    }

    async fn phone_activity(&self, since_ms: i64) -> Result<PhoneActivity, StoreError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM phones WHERE last_seen_at_ms >= $1) AS seen, \
             (SELECT COUNT(*) FROM phones WHERE last_seen_at_ms IS NULL) AS never",
        )
        .bind(since_ms)
        .fetch_one(&self.pool)
        .await?;
        Ok(PhoneActivity {
            seen_since: row.try_get("seen")?,
            never_seen: row.try_get("never")?,
        })
    }

    async fn rebalance(&self, site: &SiteName, actor: &str) -> Result<usize, StoreError> {
        failover::rebalance(self.backend, &self.pool, site, actor).await
    }

    async fn voicemail(&self) -> Result<Voicemail, StoreError> {
        voicemail::load(&mut *self.pool.acquire().await?).await
    }

    async fn set_voicemail(
        &self,
        central: Option<String>,
        backup: Option<String>,
        actor: &str,
    ) -> Result<(), StoreError> {
        voicemail::set_servers(&self.pool, central, backup, actor).await
    }

    async fn mark_voicemail(&self, down: bool, actor: &str) -> Result<(), StoreError> {
        voicemail::mark(&self.pool, down, actor).await
    }

    async fn audit(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        failover::audit(&self.pool, limit).await
    }

    async fn set_phone_login(
        &self,
        mac: &Mac,
        login: Option<&PhoneLogin>,
        actor: &str,
    ) -> Result<(), StoreError> {
        phone_access::set_login(&self.pool, &self.key, mac, login, actor).await
    }

    async fn phone_bindings(&self) -> Result<Vec<(Mac, IpAddr)>, StoreError> {
        phone_access::bindings(&self.pool).await
    }

    async fn phone_bindings_since(&self, since_ms: i64) -> Result<Vec<(Mac, IpAddr)>, StoreError> {
        phone_access::bindings_since(&self.pool, since_ms).await
    }

    async fn bind_phone(&self, mac: &Mac, address: IpAddr) -> Result<Option<IpAddr>, StoreError> {
        phone_access::bind(&self.pool, mac, address).await
    }

    async fn unbind_phone(&self, mac: &Mac, actor: &str) -> Result<Option<IpAddr>, StoreError> {
        phone_access::unbind(&self.pool, mac, actor).await
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
