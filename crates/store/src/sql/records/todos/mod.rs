//! To-do lists and tasks (R-TODO-1): the SQL.
use async_trait::async_trait;

use super::super::driver::SqlTx;
use crate::TodoRepo;

#[async_trait]
impl TodoRepo for SqlTx {}
