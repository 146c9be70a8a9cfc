//! To-do lists and tasks (R-TODO-1).
use async_trait::async_trait;

#[allow(unused_imports)]
use crate::*;

#[async_trait]
pub trait TodoRepo {}
