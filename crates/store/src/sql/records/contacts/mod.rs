//! Contacts and saved filters (R-CON-1, R-CON-2): the SQL.
use async_trait::async_trait;

use super::super::driver::SqlTx;
use crate::ContactRepo;

#[async_trait]
impl ContactRepo for SqlTx {}
