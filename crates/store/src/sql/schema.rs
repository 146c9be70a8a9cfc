use async_trait::async_trait;
use sqlx::Row;

use super::super::SCHEMA_SHAPE_SQL;
use super::SqlTx;
use crate::{Result, SchemaRepo};

#[async_trait]
impl SchemaRepo for SqlTx {
    async fn schema_shape(&mut self) -> Result<Vec<(String, String, bool)>> {
        let rows = sqlx::query(SCHEMA_SHAPE_SQL).fetch_all(self.c()).await?;
        rows.iter()
            .map(|r| Ok((r.try_get::<String, _>("t")?, r.try_get::<String, _>("c")?, r.try_get::<bool, _>("nn")?)))
            .collect()
    }
}
