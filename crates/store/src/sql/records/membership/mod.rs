//! A member's records as they join and leave (R-JOIN-1, R-DEL-1, R-ARC-1) and the daily reminders (R-MAIL-5): the SQL.
use async_trait::async_trait;

use super::super::driver::SqlTx;
use crate::MemberRecordsRepo;

#[async_trait]
impl MemberRecordsRepo for SqlTx {}
