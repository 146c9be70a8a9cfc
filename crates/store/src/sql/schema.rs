use async_trait::async_trait;

use super::driver::{SCHEMA_SHAPE_SQL, SqlTx, get};
use crate::{Result, SchemaRepo};

#[async_trait]
impl SchemaRepo for SqlTx {
    async fn schema_shape(&mut self) -> Result<Vec<(String, String, bool)>> {
        self.all(SCHEMA_SHAPE_SQL, args![], |r| Ok((get(r, "t")?, get(r, "c")?, get(r, "nn")?))).await
    }
}
