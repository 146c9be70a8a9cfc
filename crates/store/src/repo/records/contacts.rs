//! Contacts and saved filters (R-CON-1, R-CON-2).
use async_trait::async_trait;

#[allow(unused_imports)]
use crate::*;

#[async_trait]
pub trait ContactRepo {}
