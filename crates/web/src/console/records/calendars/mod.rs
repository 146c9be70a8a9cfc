//! The console's calendar pages (R-CAL-1): a week of one's own calendars, navigable, with a
//! form for a new event (errors next to the fields), and the compare view of the members who
//! show their calendar. Server-rendered, no script; weeks are Monday to Sunday on the viewer's
//! wall clock (their time zone), and times typed in forms are read on it too.
//! `list.rs`: the calendars page; `event.rs`: an event's page and form.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use roster_core::FieldErrors;
use roster_service::{CompareWeek, EventInput, EventListParams, EventView, ServiceError};
use serde::Deserialize;
use time::macros::format_description;
use time::{Date, Duration};
use uuid::Uuid;

use crate::AppState;
use crate::console::common::{PageResult, account_nav, fail, path_id};
use crate::console::session::ConsoleUser;
use crate::console::{Nav, PageError};
use crate::extract::ClientMeta;

mod event;
mod list;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts/{account_id}/calendar", get(week).post(create))
        .route("/accounts/{account_id}/calendar/compare", get(compare))
        .route("/accounts/{account_id}/calendars", get(list::list).post(list::create))
        .route("/accounts/{account_id}/calendars/{calendar_id}/rename", post(list::rename))
        .route("/accounts/{account_id}/calendars/{calendar_id}/delete", post(list::delete))
        .route("/accounts/{account_id}/events/{event_id}/edit", get(event::edit).post(event::save))
        .route("/accounts/{account_id}/events/{event_id}/delete", post(event::delete))
}

/// One day of the week grid: each event with its time as the viewer reads it.
pub struct Day {
    pub label: String,
    pub events: Vec<(String, EventView)>,
}

/// The RFC 3339 instant at which the viewer's wall clock (`zone`) reads `day` `hm`; what was
/// typed, as typed, when it is not a day and a time (the service then names the field).
pub(crate) fn local_instant(day: &str, hm: &str, zone: &str) -> String {
    let d = Date::parse(day.trim(), format_description!("[year]-[month]-[day]"));
    let t = time::Time::parse(hm.trim(), format_description!("[hour]:[minute]"));
    match (d, t) {
        (Ok(d), Ok(t)) => roster_core::zone::at_local(d, t, zone)
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        _ => format!("{}T{}:00Z", day.trim(), hm.trim()),
    }
}

/// `t`'s time of day on the viewer's wall clock, `09:05`.
pub(crate) fn local_hm(t: time::OffsetDateTime, zone: &str) -> String {
    let (local, _) = roster_core::zone::in_zone(t, zone);
    format!("{:02}:{:02}", local.hour(), local.minute())
}

#[derive(Template, WebTemplate)]
#[template(path = "records/calendars/week.html")]
pub struct WeekPage {
    nav: Nav,
    account_id: Uuid,
    title: String,
    prev: String,
    next: String,
    days: Vec<Day>,
    form: EventForm,
    errors: FieldErrors,
    alert: Option<String>,
    notice: Option<&'static str>,
    /// The viewer's own calendars, for the add form's picker (default first when none chosen).
    calendars: Vec<(Uuid, String, bool)>,
}

#[derive(Template, WebTemplate)]
#[template(path = "records/calendars/compare.html")]
pub struct ComparePage {
    nav: Nav,
    account_id: Uuid,
    title: String,
    prev: String,
    next: String,
    week: CompareWeek,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct WeekQuery {
    week: String,
    done: String,
}

/// The new-event form as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct EventForm {
    csrf: String,
    title: String,
    day: String,
    start: String,
    end: String,
    all_day: Option<String>,
    /// One of the viewer's calendars (blank: their default one).
    calendar_id: String,
}

pub(crate) fn monday_of(raw: &str) -> Date {
    let day = Date::parse(raw.trim(), format_description!("[year]-[month]-[day]"))
        .unwrap_or_else(|_| time::OffsetDateTime::now_utc().date());
    day - Duration::days(i64::from(day.weekday().number_days_from_monday()))
}

fn title_of(monday: Date) -> String {
    format!("Week of {monday}")
}

async fn week_page(
    state: &AppState,
    user: &ConsoleUser,
    account_id: Uuid,
    monday: Date,
) -> Result<WeekPage, PageError> {
    let nav = account_nav(state, user, account_id).await?;
    let me = user.0.user().id;
    let zone = user.zone();
    let midnight = |d: Date| roster_core::zone::at_local(d, time::Time::MIDNIGHT, zone);
    let rfc = |t: time::OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default();
    let cals = state.service.calendars(&user.0, account_id, Some(me), None, Some(50)).await.map_err(fail(user))?;
    let mut events: Vec<EventView> = Vec::new();
    for c in &cals.items {
        let params = EventListParams {
            from: Some(rfc(midnight(monday))),
            to: Some(rfc(midnight(monday + Duration::days(7)))),
            calendar_id: Some(c.id.to_string()),
            cursor: None,
            limit: Some(500),
        };
        events.extend(state.service.events(&user.0, account_id, &params).await.map_err(fail(user))?.items);
    }
    events.sort_by_key(|e| (e.starts, e.id));
    let days = (0..7)
        .map(|i| {
            let d = monday + Duration::days(i);
            let (start, end) = (midnight(d), midnight(d + Duration::days(1)));
            let on_day = events
                .iter()
                .filter(|e| {
                    if e.all_day {
                        e.starts.date() <= d && d <= e.ends.date()
                    } else {
                        e.starts < end && (e.ends > start || e.starts >= start)
                    }
                })
                .map(|e| (if e.all_day { "All day".to_owned() } else { local_hm(e.starts, zone) }, e.clone()))
                .collect();
            Day { label: format!("{} {}", d.weekday(), d), events: on_day }
        })
        .collect();
    let calendars = cals.items.iter().map(|c| (c.id, c.name.clone(), c.is_default)).collect();
    Ok(WeekPage {
        calendars,
        nav,
        account_id,
        title: title_of(monday),
        prev: (monday - Duration::days(7)).to_string(),
        next: (monday + Duration::days(7)).to_string(),
        days,
        form: EventForm { day: monday.to_string(), ..EventForm::default() },
        errors: FieldErrors::new(),
        alert: None,
        notice: None,
    })
}

/// `GET /accounts/{id}/calendar?week=YYYY-MM-DD`
pub async fn week(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(account_id): Path<String>,
    Query(q): Query<WeekQuery>,
) -> PageResult {
    let mut page = week_page(&state, &user, path_id(&account_id)?, monday_of(&q.week)).await?;
    page.notice = match q.done.as_str() {
        "created" => Some("Event added."),
        "saved" => Some("Event saved."),
        "deleted" => Some("Event deleted."),
        _ => None,
    };
    Ok(page.into_response())
}

/// `POST /accounts/{id}/calendar`: a new event in the caller's default calendar.
pub async fn create(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(account_id): Path<String>,
    Form(form): Form<EventForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let account_id = path_id(&account_id)?;
    let all_day = form.all_day.is_some();
    let day = form.day.trim();
    let (starts_at, ends_at) = if all_day {
        (day.to_owned(), day.to_owned())
    } else {
        (local_instant(day, &form.start, user.zone()), local_instant(day, &form.end, user.zone()))
    };
    let input = EventInput {
        title: Some(form.title.clone()),
        starts_at: Some(starts_at),
        ends_at: Some(ends_at),
        all_day: Some(all_day),
        calendar_id: Some(form.calendar_id.trim().to_owned()).filter(|c| !c.is_empty()),
        ..EventInput::default()
    };
    match state.service.create_event(&user.0, account_id, &input, &meta).await {
        Ok(_) => Ok(Redirect::to(&format!("/accounts/{account_id}/calendar?week={}&done=created", monday_of(day)))
            .into_response()),
        Err(e) => {
            let (errors, alert) = match e {
                ServiceError::Invalid(errors) => (errors, None),
                ServiceError::Rule { message, .. } | ServiceError::Conflict { message, .. } => {
                    (FieldErrors::new(), Some(message))
                }
                other => return Err(fail(&user)(other)),
            };
            // The form has a day and two times: the API's fields map onto them.
            let mut shown = FieldErrors::new();
            for field in ["title", "starts_at", "ends_at", "calendar_id"] {
                if let Some(m) = errors.get(field) {
                    let at = match field {
                        "starts_at" if all_day => "day",
                        "starts_at" => "start",
                        "ends_at" if all_day => "day",
                        "ends_at" => "end",
                        f => f,
                    };
                    shown.add(at, m);
                }
            }
            let mut page = week_page(&state, &user, account_id, monday_of(day)).await?;
            page.form = form;
            page.errors = shown;
            page.alert = alert;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// `GET /accounts/{id}/calendar/compare?week=YYYY-MM-DD`
pub async fn compare(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(account_id): Path<String>,
    Query(q): Query<WeekQuery>,
) -> PageResult {
    let account_id = path_id(&account_id)?;
    let nav = account_nav(&state, &user, account_id).await?;
    let monday = monday_of(&q.week);
    let week = state.service.compare_calendars(&user.0, account_id, Some(monday)).await.map_err(fail(&user))?;
    Ok(ComparePage {
        nav,
        account_id,
        title: title_of(monday),
        prev: (monday - Duration::days(7)).to_string(),
        next: (monday + Duration::days(7)).to_string(),
        week,
    }
    .into_response())
}
