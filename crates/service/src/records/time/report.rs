//! The time report (R-TIME-1): stopped time by member × project × week within `from`..`to`
//! (days in UTC, both included; weeks are ISO weeks in UTC, keyed by their Monday), `group`
//! choosing the rows, with each week's total for the chart and a CSV whose cells are
//! formula-neutralised like `users.csv`. One `GROUP BY` over the scope's entries in the range.
use std::collections::{BTreeMap, HashMap};

use roster_core::{FieldErrors, TimeUse, scope};
use serde::Deserialize;
use time::{Date, Duration};
use uuid::Uuid;

use super::entries::filter_of;
use super::scope_for;
use super::view::{TimeReport, TimeReportRow, TimeWeekTotal};
use super::week_of;
use crate::signin::Principal;
use crate::{Result, Service, ServiceError, actor, neutralise, now};

/// A report row's key: week (empty when not grouped by it), member, project (nil: none).
type RowKey = (String, Option<Uuid>, Option<Uuid>);

/// The longest range a report covers (days).
pub const REPORT_MAX_DAYS: i64 = 366;

/// The report's columns, in order (`group` keys them).
pub const GROUPS: [&str; 3] = ["member", "project", "week"];

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, utoipa::IntoParams)]
pub struct TimeReportParams {
    /// First day, `YYYY-MM-DD` (UTC); default: the Monday seven weeks before `to`.
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (UTC), included; default today.
    pub to: Option<String>,
    /// Comma-separated among `member`, `project`, `week`; default all three.
    pub group: Option<String>,
    pub member: Option<Uuid>,
    pub project: Option<Uuid>,
}

fn day_string(d: Date) -> String {
    d.to_string()
}

fn parse_group(raw: Option<&str>, errs: &mut FieldErrors) -> Vec<String> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty()).unwrap_or("member,project,week");
    let mut out = Vec::new();
    for part in raw.split(',').map(str::trim) {
        if !GROUPS.contains(&part) {
            errs.add("group", "Group by member, project and/or week.");
            return Vec::new();
        }
        if !out.iter().any(|g: &String| g == part) {
            out.push(part.to_owned());
        }
    }
    // Rows keep the catalogue order whatever the order asked.
    GROUPS.iter().filter(|g| out.iter().any(|o| o == *g)).map(|g| (*g).to_owned()).collect()
}

impl Service {
    /// The report over the entries the caller sees.
    pub async fn time_report(&self, p: &Principal, account_id: Uuid, params: &TimeReportParams) -> Result<TimeReport> {
        let mut errs = FieldErrors::new();
        let today = now().date();
        let to_day = params
            .to
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map_or(Some(today), |raw| super::entries::check_day("to", raw, &mut errs));
        let from_day = match params.from.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(raw) => super::entries::check_day("from", raw, &mut errs),
            None => to_day.map(|t| {
                let back = t - Duration::weeks(7);
                back - Duration::days(i64::from(back.weekday().number_days_from_monday()))
            }),
        };
        let group = parse_group(params.group.as_deref(), &mut errs);
        let (Some(from_day), Some(to_day)) = (from_day, to_day) else {
            return Err(ServiceError::Invalid(errs));
        };
        if to_day < from_day {
            errs.add("to", "Use a day on or after the first day.");
        } else if (to_day - from_day).whole_days() >= REPORT_MAX_DAYS {
            errs.add("to", format!("A report covers at most {REPORT_MAX_DAYS} days."));
        }
        let (f, t) = (day_string(from_day), day_string(to_day));
        let filter = filter_of(params.member, params.project, Some(&f), Some(&t), &mut errs);
        if !errs.is_empty() {
            return Err(ServiceError::Invalid(errs));
        }
        let mut tx = self.store.read().await?;
        let (actor, m) = actor::for_principal(tx.as_mut(), p, Some(account_id)).await?;
        let entries = scope_for(&actor, m.as_ref(), account_id, TimeUse::View)?;
        let totals = tx.time_totals(&entries, &filter).await?;

        let by = |g: &str| group.iter().any(|x| x == g);
        let mut rows: BTreeMap<RowKey, (i64, i64)> = BTreeMap::new();
        let mut weeks: BTreeMap<String, i64> = BTreeMap::new();
        let mut d = Date::parse(
            &week_of(from_day.midnight().assume_utc()),
            &time::macros::format_description!("[year]-[month]-[day]"),
        )
        .unwrap_or(from_day);
        while d <= to_day {
            weeks.insert(day_string(d), 0);
            d += Duration::weeks(1);
        }
        let mut total_seconds = 0;
        for r in &totals {
            total_seconds += r.seconds;
            *weeks.entry(r.week.clone()).or_default() += r.seconds;
            let key = (
                if by("week") { r.week.clone() } else { String::new() },
                by("member").then_some(r.user_id),
                if by("project") { r.project_id.or(Some(Uuid::nil())) } else { None },
            );
            let e = rows.entry(key).or_default();
            e.0 += r.seconds;
            e.1 += r.entries;
        }

        // Names: the members' logins, the projects the caller sees (others read "(a project)"),
        // each project's in one statement for all of them.
        let mut members: HashMap<Uuid, String> = HashMap::new();
        let project_scope = scope(&actor, account_id, scope::PROJECTS)?;
        let mut ids: Vec<Uuid> = rows.keys().filter_map(|(_, _, p)| *p).filter(|p| !p.is_nil()).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut projects: HashMap<Uuid, String> = HashMap::new();
        for chunk in ids.chunks(1000) {
            projects.extend(tx.project_names(&project_scope, chunk).await?);
        }
        for id in ids {
            projects.entry(id).or_insert_with(|| "(a project)".to_owned());
        }
        projects.insert(Uuid::nil(), "(no project)".to_owned());
        for (_, member, _) in rows.keys() {
            if let Some(u) = member
                && !members.contains_key(u)
            {
                let name = match tx.user_by_id(*u).await? {
                    Some(user) => format!("{} {}", user.first_name, user.last_name).trim().to_owned(),
                    None => "(a former member)".to_owned(),
                };
                members.insert(*u, name);
            }
        }
        let rows = rows
            .into_iter()
            .map(|((week, member, project), (seconds, entries))| TimeReportRow {
                member_name: member.and_then(|u| members.get(&u).cloned()),
                member_id: member,
                project_name: project.and_then(|p| projects.get(&p).cloned()),
                project_id: project.filter(|p| !p.is_nil()),
                week: by("week").then_some(week),
                seconds,
                entries,
            })
            .collect();
        Ok(TimeReport {
            from: f,
            to: t,
            group,
            rows,
            weeks: weeks.into_iter().map(|(week, seconds)| TimeWeekTotal { week, seconds }).collect(),
            total_seconds,
        })
    }

    /// The report as CSV: one line per row (the grouped columns, hours with two decimals,
    /// entries), then a total line; every cell formula-neutralised.
    pub async fn time_report_csv(&self, p: &Principal, account_id: Uuid, params: &TimeReportParams) -> Result<Vec<u8>> {
        let report = self.time_report(p, account_id, params).await?;
        Ok(report_csv(&report))
    }
}

/// Hours with two decimals.
pub fn hours(seconds: i64) -> String {
    format!("{}.{:02}", seconds / 3600, (seconds % 3600) * 100 / 3600)
}

/// The CSV of a report (see [`Service::time_report_csv`]).
pub fn report_csv(report: &TimeReport) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::with_capacity(256));
    let by = |g: &str| report.group.iter().any(|x| x == g);
    let mut header: Vec<&str> = Vec::new();
    if by("member") {
        header.extend(["member_id", "member"]);
    }
    if by("project") {
        header.extend(["project_id", "project"]);
    }
    if by("week") {
        header.push("week");
    }
    header.extend(["hours", "entries"]);
    let _ = w.write_record(&header);
    for r in &report.rows {
        let mut cells: Vec<String> = Vec::new();
        if by("member") {
            cells.push(r.member_id.map(|u| u.to_string()).unwrap_or_default());
            cells.push(r.member_name.clone().unwrap_or_default());
        }
        if by("project") {
            cells.push(r.project_id.map(|u| u.to_string()).unwrap_or_default());
            cells.push(r.project_name.clone().unwrap_or_default());
        }
        if by("week") {
            cells.push(r.week.clone().unwrap_or_default());
        }
        cells.push(hours(r.seconds));
        cells.push(r.entries.to_string());
        let _ = w.write_record(cells.iter().map(|c| neutralise(c).into_owned()));
    }
    let mut total = vec![String::new(); header.len() - 2];
    if let Some(first) = total.first_mut() {
        *first = "total".to_owned();
    }
    total.push(hours(report.total_seconds));
    total.push(report.rows.iter().map(|r| r.entries).sum::<i64>().to_string());
    let _ = w.write_record(&total);
    w.into_inner().unwrap_or_default()
}
