//! [`ProvisioningData`] on SQL: the sites, extensions and phones, the snapshot phone files are
//! rendered from, and change sets applied in one transaction under the data revision.

use std::time::Duration;

use async_trait::async_trait;
use sqlx::{AnyConnection, Row};

use crate::clock::now_ms;
use crate::domain::Snapshot;
use crate::domain::{
    Extension, ExtensionNumber, Mac, Mode, Phone, Site, SiteId, SiteName, SiteSettings,
    call_servers_text,
};
use crate::store::backend::Backend;
use crate::store::batch::{Param, Tracker, bind_all, delete_keys, insert_rows};
use crate::store::data::{ChangeSet, Counts, PhoneActivity, Progress};
use crate::store::error::StoreError;
use crate::store::load::{load_extension, load_extensions, load_phones, load_sites};
use crate::store::roles::*;
use crate::store::rows::{self, SITE_COLUMNS};
use crate::store::secrets::SecretKey;
use crate::store::sql::SqlStore;
use crate::store::transaction::{begin_write, bump_revision, read_revision};
use crate::store::{distribution, failover, phone_access, settings, voicemail};

fn site_name_of(sites: &[Site], id: crate::domain::SiteId) -> Option<String> {
    sites
        .iter()
        .find(|s| s.id == id)
        .map(|s| s.name.to_string())
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
        Param::MaybeText(s.dial_plan.as_ref().map(ToString::to_string)),
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
        Param::Int(i64::from(e.in_directory)),
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
     trust_first_address, time_zone, time_offset_set, emergency_numbers, recheck, dial_plan";

const UPSERT_EXTENSIONS: (&str, &str) = (
    "INSERT INTO extensions (number, display_name, label, auth_user, password, home_site_id, \
     current_site_id, switchover_enabled, in_directory, updated_at_ms)",
    "ON CONFLICT (number) DO UPDATE SET display_name = excluded.display_name, \
     label = excluded.label, auth_user = excluded.auth_user, password = excluded.password, \
     home_site_id = excluded.home_site_id, current_site_id = excluded.current_site_id, \
     switchover_enabled = excluded.switchover_enabled, in_directory = excluded.in_directory, \
     updated_at_ms = excluded.updated_at_ms",
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

#[async_trait]
impl ProvisioningData for SqlStore {
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
                settings: settings::load(&mut first, &self.key).await?,
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
        let settings = settings::load(&mut first, &self.key).await?;
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
            settings,
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

    async fn wait_for_change(&self, most: Duration) {
        match self.backend {
            Backend::Postgres => self.listener.wait(most).await,
            Backend::Sqlite => tokio::time::sleep(most).await,
        }
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
}
