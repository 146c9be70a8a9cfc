//! A member's records as they join and leave (R-JOIN-1, R-DEL-1, R-ARC-1) and the daily reminders (R-MAIL-5).
use async_trait::async_trait;

#[allow(unused_imports)]
use crate::*;

#[async_trait]
pub trait MemberRecordsRepo {}
