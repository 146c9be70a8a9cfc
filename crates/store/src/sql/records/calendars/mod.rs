//! Calendars and events (R-CAL-1): the SQL.
use async_trait::async_trait;

use super::super::driver::SqlTx;
use crate::CalendarRepo;

#[async_trait]
impl CalendarRepo for SqlTx {}
