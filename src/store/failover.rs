//! Switchover, switchback, enabling switchover per extension, relocation, rebalancing a site's
//! registration distribution, and the audit log.
//! Each is one transaction: read what the rule needs, check it ([`crate::domain::failover`]),
//! write the change, bump the data revision and append the audit entry; a failure anywhere
//! writes nothing. A site's switchover is one flag, so a switchover of any number of
//! extensions is all or nothing, also across a crash.

use sqlx::{AnyConnection, AnyPool, Row};

use crate::clock::now_ms;
use crate::domain::{
    Extension, ExtensionNumber, Mode, Site, SiteName, new_site_rule_breach, switchover_split,
};
use crate::store::distribution;
use crate::store::load::{load_extension, load_extensions, load_sites};
use crate::store::secrets::SecretKey;
use crate::store::transaction::{begin_write, bump_revision};
use crate::store::{Backend, StoreError};

/// Appends an audit entry inside the caller's transaction.
pub(super) async fn record(
    conn: &mut AnyConnection,
    actor: &str,
    action: &str,
    subject: &str,
    detail: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO audit_log (at_ms, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(now_ms())
    .bind(actor)
    .bind(action)
    .bind(subject)
    .bind(detail)
    .execute(&mut *conn)
    .await?;
    tracing::info!(target: "audit", actor, action, subject, detail, "admin change");
    Ok(())
}

/// The newest `limit` audit entries, newest first.
pub(super) async fn audit(pool: &AnyPool, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
    let rows = sqlx::query(
        "SELECT at_ms, actor, action, subject, detail FROM audit_log ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(AuditEntry {
                at_ms: row.try_get("at_ms")?,
                actor: row.try_get("actor")?,
                action: row.try_get("action")?,
                subject: row.try_get("subject")?,
                detail: row.try_get("detail")?,
            })
        })
        .collect()
}

fn site_named<'a>(sites: &'a [Site], name: &SiteName) -> Result<&'a Site, StoreError> {
    sites
        .iter()
        .find(|s| s.name == *name)
        .ok_or_else(|| StoreError::NotFound(format!("site {name}")))
}

async fn stored_extension(
    conn: &mut AnyConnection,
    key: &SecretKey,
    number: &ExtensionNumber,
) -> Result<Extension, StoreError> {
    load_extension(conn, number, key)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("extension {number}")))
}

fn alternate_of<'a>(sites: &'a [Site], site: &Site) -> Option<&'a Site> {
    let id = site.settings.alternate_site?;
    sites.iter().find(|s| s.id == id)
}

fn list(numbers: &[ExtensionNumber]) -> String {
    numbers
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Switches a site over to its alternate (`over`) or back; the number of extensions that move.
pub(super) async fn switch_site(
    pool: &AnyPool,
    key: &SecretKey,
    name: &SiteName,
    over: bool,
    actor: &str,
) -> Result<usize, StoreError> {
    let mut tx = begin_write(pool).await?;
    let sites = load_sites(&mut tx).await?;
    let site = site_named(&sites, name)?;
    let Some(alternate) = alternate_of(&sites, site) else {
        return Err(StoreError::Refused(format!(
            "site {name} has no alternate site to switch over to"
        )));
    };
    if site.switched_over == over {
        return Err(StoreError::Refused(if over {
            format!("site {name} is already switched over to {}", alternate.name)
        } else {
            format!("site {name} is not switched over")
        }));
    }
    let extensions = load_extensions(&mut tx, key).await?;
    // Who follows: every extension at home not excluded, but a number the alternate's call
    // server uses itself stays home.
    let split = switchover_split(&extensions, site, Some(alternate));
    let moving = split.moving;
    let staying: Vec<ExtensionNumber> = split.staying.iter().map(|e| e.number.clone()).collect();
    sqlx::query("UPDATE sites SET switched_over = $1 WHERE id = $2")
        .bind(i64::from(over))
        .bind(site.id.0)
        .execute(&mut *tx)
        .await?;
    bump_revision(&mut tx, None).await?;
    let (action, detail) = if over {
        let stays = if staying.is_empty() {
            String::new()
        } else {
            format!(
                "; {} stay home (numbers site {} uses itself)",
                list(&staying),
                alternate.name
            )
        };
        (
            "switchover",
            format!("{} extension(s) to {}{stays}", moving.len(), alternate.name),
        )
    } else {
        ("switchback", format!("{} extension(s) home", moving.len()))
    };
    record(&mut tx, actor, action, name.as_str(), &detail).await?;
    tx.commit().await?;
    Ok(moving.len())
}

/// Enables or disables switchover for one extension.
pub(super) async fn set_switchover(
    pool: &AnyPool,
    key: &SecretKey,
    number: &ExtensionNumber,
    enabled: bool,
    actor: &str,
) -> Result<(), StoreError> {
    let mut tx = begin_write(pool).await?;
    let extension = stored_extension(&mut tx, key, number).await?;
    let sites = load_sites(&mut tx).await?;
    let wanted = Extension {
        switchover_enabled: enabled,
        ..extension.clone()
    };
    if let Some(breach) = new_site_rule_breach(Some(&extension), &wanted, &sites) {
        return Err(StoreError::Refused(breach.to_string()));
    }
    sqlx::query(
        "UPDATE extensions SET switchover_enabled = $1, updated_at_ms = $2 WHERE number = $3",
    )
    .bind(i64::from(enabled))
    .bind(now_ms())
    .bind(number.as_str())
    .execute(&mut *tx)
    .await?;
    bump_revision(&mut tx, None).await?;
    let action = if enabled {
        "switchover-enable"
    } else {
        "switchover-disable"
    };
    record(&mut tx, actor, action, number.as_str(), "").await?;
    tx.commit().await?;
    Ok(())
}

/// Makes every extension of `site` (its home) follow its switchover, or excludes them all: one
/// change with one audit entry. How many were changed.
pub(super) async fn set_site_switchover(
    pool: &AnyPool,
    site: &SiteName,
    enabled: bool,
    actor: &str,
) -> Result<usize, StoreError> {
    let mut tx = begin_write(pool).await?;
    let sites = load_sites(&mut tx).await?;
    let home = site_named(&sites, site)?;
    let changed = sqlx::query(
        "UPDATE extensions SET switchover_enabled = $1, updated_at_ms = $2 \
         WHERE home_site_id = $3 AND switchover_enabled <> $1",
    )
    .bind(i64::from(enabled))
    .bind(now_ms())
    .bind(home.id.0)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let changed = usize::try_from(changed).unwrap_or(usize::MAX);
    if changed > 0 {
        bump_revision(&mut tx, None).await?;
        let (action, detail) = if enabled {
            (
                "switchover-enable-site",
                format!("{changed} extension(s) follow"),
            )
        } else {
            (
                "switchover-disable-site",
                format!("{changed} extension(s) excluded"),
            )
        };
        record(&mut tx, actor, action, site.as_str(), &detail).await?;
    }
    tx.commit().await?;
    Ok(changed)
}

/// Relocates an extension to `site` (its home site relocates it home), keeping its settings.
pub(super) async fn relocate(
    backend: Backend,
    pool: &AnyPool,
    key: &SecretKey,
    number: &ExtensionNumber,
    site: &SiteName,
    actor: &str,
) -> Result<(), StoreError> {
    let mut tx = begin_write(pool).await?;
    let sites = load_sites(&mut tx).await?;
    let target = site_named(&sites, site)?;
    let extension = stored_extension(&mut tx, key, number).await?;
    let wanted = Extension {
        current_site: target.id,
        ..extension.clone()
    };
    if let Some(breach) = new_site_rule_breach(Some(&extension), &wanted, &sites) {
        return Err(StoreError::Refused(breach.to_string()));
    }
    let from = sites
        .iter()
        .find(|s| s.id == extension.current_site)
        .map_or_else(String::new, |s| s.name.to_string());
    sqlx::query("UPDATE extensions SET current_site_id = $1, updated_at_ms = $2 WHERE number = $3")
        .bind(target.id.0)
        .bind(now_ms())
        .bind(number.as_str())
        .execute(&mut *tx)
        .await?;
    distribution::settle(backend, &mut tx, Some(target.id), Mode::Place).await?;
    bump_revision(&mut tx, None).await?;
    let detail = if target.id == extension.home_site {
        format!("from {from} home to {site}")
    } else {
        format!("from {from} to {site}")
    };
    record(&mut tx, actor, "relocate", number.as_str(), &detail).await?;
    tx.commit().await?;
    Ok(())
}

/// Rebalances a site's registration distribution; the number of extensions that moved.
pub(super) async fn rebalance(
    backend: Backend,
    pool: &AnyPool,
    name: &SiteName,
    actor: &str,
) -> Result<usize, StoreError> {
    let mut tx = begin_write(pool).await?;
    let sites = load_sites(&mut tx).await?;
    let site = site_named(&sites, name)?;
    let moved = distribution::settle(backend, &mut tx, Some(site.id), Mode::Rebalance).await?;
    if moved > 0 {
        bump_revision(&mut tx, None).await?;
    }
    let detail = format!(
        "{moved} extension(s) moved over {} call server(s)",
        site.settings.call_servers.len()
    );
    record(&mut tx, actor, "rebalance", name.as_str(), &detail).await?;
    tx.commit().await?;
    Ok(moved)
}

use crate::store::data::AuditEntry;
use crate::store::roles::*;
use crate::store::sql::SqlStore;
use async_trait::async_trait;

#[async_trait]
impl FailoverStore for SqlStore {
    async fn switch_site(
        &self,
        site: &SiteName,
        over: bool,
        actor: &str,
    ) -> Result<usize, StoreError> {
        switch_site(&self.pool, &self.key, site, over, actor).await
    }

    async fn set_switchover(
        &self,
        number: &ExtensionNumber,
        enabled: bool,
        actor: &str,
    ) -> Result<(), StoreError> {
        set_switchover(&self.pool, &self.key, number, enabled, actor).await
    }

    async fn set_site_switchover(
        &self,
        site: &SiteName,
        enabled: bool,
        actor: &str,
    ) -> Result<usize, StoreError> {
        set_site_switchover(&self.pool, site, enabled, actor).await
    }

    async fn relocate(
        &self,
        number: &ExtensionNumber,
        site: &SiteName,
        actor: &str,
    ) -> Result<(), StoreError> {
        relocate(self.backend, &self.pool, &self.key, number, site, actor).await
    }

    async fn rebalance(&self, site: &SiteName, actor: &str) -> Result<usize, StoreError> {
        rebalance(self.backend, &self.pool, site, actor).await
    }

    async fn audit(&self, limit: i64) -> Result<Vec<AuditEntry>, StoreError> {
        audit(&self.pool, limit).await
    }

    async fn note(
        &self,
        actor: &str,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        let mut tx = begin_write(&self.pool).await?;
        record(&mut tx, actor, action, subject, detail).await?;
        tx.commit().await?;
        Ok(())
    }
}
