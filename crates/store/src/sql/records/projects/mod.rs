//! Projects, their members and the account's tags (R-PRJ-1): the SQL.
use async_trait::async_trait;

use super::super::driver::SqlTx;
use crate::ProjectRepo;

#[async_trait]
impl ProjectRepo for SqlTx {}
