//! Calendars and events (R-CAL-1).
use async_trait::async_trait;

#[allow(unused_imports)]
use crate::*;

#[async_trait]
pub trait CalendarRepo {}
