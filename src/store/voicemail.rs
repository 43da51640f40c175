//! The deployment's central voice mail settings (one row): read with every snapshot, changed by
//! admins in one transaction with its audit entry and a revision bump, so phones get new files.

use sqlx::{AnyConnection, AnyPool, Row};

use crate::domain::Voicemail;
use crate::store::StoreError;
use crate::store::failover::record;
use crate::store::transaction::{begin_write, bump_revision};

pub(super) async fn load(conn: &mut AnyConnection) -> Result<Voicemail, StoreError> {
    let row = sqlx::query("SELECT central, backup, central_down FROM voicemail WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    Ok(Voicemail {
        central: row.try_get("central")?,
        backup: row.try_get("backup")?,
        central_down: row.try_get::<i64, _>("central_down")? != 0,
    })
}

fn shown(server: &Option<String>) -> &str {
    server.as_deref().unwrap_or("(none)")
}

pub(super) async fn set_servers(
    pool: &AnyPool,
    central: Option<String>,
    backup: Option<String>,
    actor: &str,
) -> Result<(), StoreError> {
    let mut tx = begin_write(pool).await?;
    let before = load(&mut tx).await?;
    sqlx::query("UPDATE voicemail SET central = $1, backup = $2 WHERE id = 1")
        .bind(central.as_deref())
        .bind(backup.as_deref())
        .execute(&mut *tx)
        .await?;
    bump_revision(&mut tx, None).await?;
    let detail = format!(
        "central {} -> {}, backup {} -> {}",
        shown(&before.central),
        shown(&central),
        shown(&before.backup),
        shown(&backup)
    );
    record(&mut tx, actor, "voicemail-set", "voicemail", &detail).await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn mark(pool: &AnyPool, down: bool, actor: &str) -> Result<(), StoreError> {
    let mut tx = begin_write(pool).await?;
    let before = load(&mut tx).await?;
    if before.central.is_none() {
        return Err(StoreError::Refused(
            "no central voice mail server is set".to_string(),
        ));
    }
    if down && before.backup.is_none() {
        return Err(StoreError::Refused(
            "the central voice mail server has no backup to take over".to_string(),
        ));
    }
    if before.central_down == down {
        return Err(StoreError::Refused(format!(
            "the central voice mail server is already marked {}",
            if down { "down" } else { "up" }
        )));
    }
    sqlx::query("UPDATE voicemail SET central_down = $1 WHERE id = 1")
        .bind(i64::from(down))
        .execute(&mut *tx)
        .await?;
    bump_revision(&mut tx, None).await?;
    let (action, detail) = if down {
        (
            "voicemail-down",
            format!("MWI and call-back to {}", shown(&before.backup)),
        )
    } else {
        (
            "voicemail-up",
            format!("MWI and call-back to {}", shown(&before.central)),
        )
    };
    record(&mut tx, actor, action, "voicemail", &detail).await?;
    tx.commit().await?;
    Ok(())
}

use crate::store::roles::*;
use crate::store::sql::SqlStore;
use async_trait::async_trait;

#[async_trait]
impl VoicemailStore for SqlStore {
    async fn voicemail(&self) -> Result<Voicemail, StoreError> {
        load(&mut *self.pool.acquire().await?).await
    }

    async fn set_voicemail(
        &self,
        central: Option<String>,
        backup: Option<String>,
        actor: &str,
    ) -> Result<(), StoreError> {
        set_servers(&self.pool, central, backup, actor).await
    }

    async fn mark_voicemail(&self, down: bool, actor: &str) -> Result<(), StoreError> {
        mark(&self.pool, down, actor).await
    }
}
