//! [`ProblemStore`] on SQL: the recent warnings and errors, saved in one statement per batch
//! and trimmed to the newest [`LOGGED_PROBLEMS_KEPT`].

use async_trait::async_trait;
use sqlx::Row;

use crate::store::batch::{Param, Tracker, insert_rows};
use crate::store::data::LoggedProblem;
use crate::store::error::StoreError;
use crate::store::roles::*;
use crate::store::sql::SqlStore;
use crate::store::transaction::begin_write;

const INSERT: &str = "INSERT INTO logged_problems (at_ms, level, kind, message, phone)";

#[async_trait]
impl ProblemStore for SqlStore {
    async fn save_problems(&self, problems: &[LoggedProblem]) -> Result<(), StoreError> {
        if problems.is_empty() {
            return Ok(());
        }
        let rows: Vec<Vec<Param>> = problems
            .iter()
            .map(|p| {
                vec![
                    Param::Int(p.at_ms),
                    Param::Text(p.level.clone()),
                    Param::Text(p.kind.clone()),
                    Param::Text(p.message.clone()),
                    Param::MaybeText(p.phone.clone()),
                ]
            })
            .collect();
        let mut tx = begin_write(&self.pool).await?;
        let mut tracker = Tracker::new(rows.len(), &|_, _| {});
        insert_rows(self.backend, &mut tx, INSERT, "", &rows, &mut tracker).await?;
        sqlx::query(
            "DELETE FROM logged_problems WHERE at_ms < (SELECT at_ms FROM logged_problems \
             ORDER BY at_ms DESC LIMIT 1 OFFSET $1)",
        )
        .bind(LOGGED_PROBLEMS_KEPT - 1)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn logged_problems(&self) -> Result<Vec<LoggedProblem>, StoreError> {
        let rows = sqlx::query(
            "SELECT at_ms, level, kind, message, phone FROM logged_problems \
             ORDER BY at_ms DESC LIMIT $1",
        )
        .bind(LOGGED_PROBLEMS_KEPT)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(LoggedProblem {
                    at_ms: row.try_get("at_ms")?,
                    level: row.try_get("level")?,
                    kind: row.try_get("kind")?,
                    message: row.try_get("message")?,
                    phone: row.try_get("phone")?,
                })
            })
            .collect()
    }
}
