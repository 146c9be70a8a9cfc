//! Projects, their members and the account's tags (R-PRJ-1).
use async_trait::async_trait;

#[allow(unused_imports)]
use crate::*;

#[async_trait]
pub trait ProjectRepo {}
