//! Checking the steps of a template (R-WF-1): every value catalogued or in range, each problem
//! named by its field (`steps[2].body`), all of them at once.
use roster_core::{FieldErrors, RunRole, Scope, StepAfter, StepApproval, StepKind};
use roster_store::Tx;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::view::StepSpec;
use crate::Result;
use crate::records::projects::check_active_member;

pub const MAX_STEPS: usize = 50;
pub const MAX_AFTER_DAYS: i64 = 365;
pub const TITLE_MAX: usize = 200;
pub const DURATION_MINUTES: std::ops::RangeInclusive<i64> = 5..=1440;

/// One step as sent: catalogued values are strings here so an unknown one is 422 naming
/// `steps[i].field`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StepInput {
    /// `todo`, `email` or `event`.
    pub kind: String,
    /// `start` or `previous` (the default).
    pub after: Option<String>,
    /// Days after `after`, 0–365 (default 0).
    pub after_days: Option<i64>,
    /// `HH:MM` in the assignee's time zone (default `09:00`).
    pub at_time: Option<String>,
    /// A member's id, or `project_owner`, `contact_assignee`.
    pub assignee: String,
    /// 1–200 characters.
    pub title: String,
    /// Email steps: `auto` or `manual` (the default).
    pub approval: Option<String>,
    /// Email steps: required, with tokens `{{ contact.first_name }}`, `{{ member.first_name }}`…
    pub subject: Option<String>,
    /// Email steps: required, with the same tokens.
    pub body: Option<String>,
    /// Event steps: required, 5–1440.
    pub duration_minutes: Option<i64>,
}

/// `HH:MM`, 00:00–23:59.
pub fn valid_hhmm(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 5 || b[2] != b':' || !b.iter().enumerate().all(|(i, c)| i == 2 || c.is_ascii_digit()) {
        return false;
    }
    let h = (b[0] - b'0') * 10 + (b[1] - b'0');
    let m = (b[3] - b'0') * 10 + (b[4] - b'0');
    h < 24 && m < 60
}

fn text(errs: &mut FieldErrors, field: &str, raw: Option<&str>, what: &str) -> Option<String> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errs.add(field, format!("An email step needs {what}."));
            None
        }
        Some(t) => match roster_mail::validate_workflow_text(t) {
            Ok(()) => Some(t.to_owned()),
            Err(e) => {
                errs.add(field, e);
                None
            }
        },
    }
}

/// Checks every step; `None` (with `errs` noted) when any is wrong.
pub(crate) async fn check_steps(
    tx: &mut dyn Tx,
    scope: &Scope,
    input: &[StepInput],
    errs: &mut FieldErrors,
) -> Result<Option<Vec<StepSpec>>> {
    if input.is_empty() || input.len() > MAX_STEPS {
        errs.add("steps", format!("A template has 1 to {MAX_STEPS} steps."));
        return Ok(None);
    }
    let before = errs.0.len();
    let mut out = Vec::with_capacity(input.len());
    for (i, s) in input.iter().enumerate() {
        let f = |name: &str| format!("steps[{i}].{name}");
        let kind =
            StepKind::parse(s.kind.trim()).map_err(|_| errs.add(&f("kind"), "Choose todo, email or event.")).ok();
        let after = match s.after.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            None => Some(StepAfter::Previous),
            Some(a) => StepAfter::parse(a).map_err(|_| errs.add(&f("after"), "Choose start or previous.")).ok(),
        };
        let after_days = s.after_days.unwrap_or(0);
        if !(0..=MAX_AFTER_DAYS).contains(&after_days) {
            errs.add(&f("after_days"), format!("Use 0 to {MAX_AFTER_DAYS} days."));
        }
        let at_time = s.at_time.as_deref().map(str::trim).filter(|t| !t.is_empty()).unwrap_or("09:00").to_owned();
        if !valid_hhmm(&at_time) {
            errs.add(&f("at_time"), "Use a time of day as HH:MM, 00:00 to 23:59.");
        }
        let assignee = s.assignee.trim().to_owned();
        if RunRole::parse(&assignee).is_err() {
            match Uuid::parse_str(&assignee) {
                Ok(id) => check_active_member(tx, scope, &f("assignee"), id, errs).await?,
                Err(_) => errs.add(&f("assignee"), "Choose a member, project_owner or contact_assignee."),
            }
        }
        let title = s.title.trim().to_owned();
        if title.is_empty() || title.chars().count() > TITLE_MAX {
            errs.add(&f("title"), format!("Use 1 to {TITLE_MAX} characters."));
        } else if !roster_core::is_plain_text(&title) {
            errs.add(&f("title"), roster_core::NOT_PLAIN_TEXT);
        }
        let (mut approval, mut subject, mut body, mut duration) = (None, None, None, None);
        match kind {
            Some(StepKind::Email) => {
                approval = match s.approval.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
                    None => Some(StepApproval::Manual),
                    Some(a) => {
                        StepApproval::parse(a).map_err(|_| errs.add(&f("approval"), "Choose auto or manual.")).ok()
                    }
                };
                subject = text(errs, &f("subject"), s.subject.as_deref(), "a subject");
                body = text(errs, &f("body"), s.body.as_deref(), "a body");
            }
            Some(StepKind::Event) => match s.duration_minutes {
                Some(d) if DURATION_MINUTES.contains(&d) => duration = Some(d),
                _ => errs.add(&f("duration_minutes"), "An event step lasts 5 to 1440 minutes."),
            },
            Some(StepKind::Todo) | None => {}
        }
        if let (Some(kind), Some(after)) = (kind, after) {
            out.push(StepSpec {
                kind,
                after,
                after_days,
                at_time,
                assignee,
                title,
                approval,
                subject,
                body,
                duration_minutes: duration,
            });
        }
    }
    Ok((errs.0.len() == before).then_some(out))
}

#[cfg(test)]
mod tests {
    use super::valid_hhmm;

    #[test]
    fn r_wf_1_at_time_is_hh_mm() {
        for ok in ["00:00", "09:30", "23:59"] {
            assert!(valid_hhmm(ok), "{ok}");
        }
        for bad in ["24:00", "9:30", "09:60", "0930", "ab:cd", "09:3०", ""] {
            assert!(!valid_hhmm(bad), "{bad}");
        }
    }
}
