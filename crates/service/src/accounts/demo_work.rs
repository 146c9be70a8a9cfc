//! `roster demo` fills every record kind (issue 16, "Everywhere"): besides the people, a few
//! client contacts, projects with a client, members (the admins, who join every project, and
//! some of the others) and tags, tasks in the members' default to-do lists (due around today,
//! some done, some linked to a contact or a project) and events in their default calendars over
//! this week and the next. Fixed, believable names; made once: a run that finds the first client
//! contact changes nothing. Written with the internal `Demo` scope in one unit of work.
use roster_core::scope::{InternalUse, internal};
use roster_core::{AuditAction, ContactKind, ContactStage, ProjectStatus, Scope};
use roster_store::{AuditRow, CalendarQuery, SeedContact, SeedEvent, SeedProject, TodoRow, Tx};
use time::{Duration, OffsetDateTime, Time};
use uuid::Uuid;

use crate::accounts::demo::DEMO_SLUG;
use crate::actor::Internal;
use crate::signin::Who;
use crate::{Result, Service, ServiceError, now};

/// The demo's people by their place here: owner, admin, standard user, salesperson.
const PEOPLE: [&str; 4] = [
    "owner@demo.roster.example",
    "admin@demo.roster.example",
    "standard@demo.roster.example",
    "sales@demo.roster.example",
];
const OWNER: usize = 0;
const ADMIN: usize = 1;
const STANDARD: usize = 2;
const SALES: usize = 3;

/// First and last name, company, address, stage, assigned to (a place in [`PEOPLE`]).
pub(crate) const CLIENTS: &[(&str, &str, &str, &str, ContactStage, usize)] = &[
    ("Marta", "Alvarez", "Harbor Café", "marta@harborcafe.example", ContactStage::Won, SALES),
    ("Kenji", "Tanaka", "Tanaka Dental", "kenji@tanakadental.example", ContactStage::Proposal, SALES),
    ("Priya", "Raman", "Quartz Labs", "priya@quartzlabs.example", ContactStage::Won, ADMIN),
    ("Tom", "Becker", "Riverside Gym", "tom@riversidegym.example", ContactStage::Qualified, STANDARD),
    ("Lucia", "Moreau", "Bloom & Co.", "lucia@bloomandco.example", ContactStage::Contacted, SALES),
    ("Daniel", "Okafor", "Northwind Books", "daniel@northwindbooks.example", ContactStage::Won, OWNER),
];

/// Name, client (a place in [`CLIENTS`]), status, members besides the admins, tags.
type Project = (&'static str, usize, ProjectStatus, &'static [usize], &'static [&'static str]);
const PROJECTS: &[Project] = &[
    ("Harbor Café rebrand", 0, ProjectStatus::Active, &[SALES, STANDARD], &["Branding", "Priority"]),
    ("Tanaka Dental patient portal", 1, ProjectStatus::Active, &[SALES], &["Web"]),
    ("Quartz Labs website relaunch", 2, ProjectStatus::Active, &[STANDARD], &["Web", "Priority"]),
    ("Riverside Gym opening event", 3, ProjectStatus::OnHold, &[STANDARD], &["Event"]),
    ("Bloom & Co. spring lookbook", 4, ProjectStatus::Active, &[SALES], &["Photography", "Print"]),
    ("Northwind Books catalogue", 5, ProjectStatus::Completed, &[], &["Print"]),
];

/// List owner, title, due in days from today, done, project, contact.
type Task = (usize, &'static str, Option<i64>, bool, Option<usize>, Option<usize>);
const TASKS: &[Task] = &[
    (SALES, "Send Harbor Café the logo proposal", Some(-2), true, Some(0), Some(0)),
    (SALES, "Call Kenji about the portal quote", Some(0), false, Some(1), Some(1)),
    (SALES, "Follow up with Lucia on the lookbook budget", Some(1), false, Some(4), Some(4)),
    (SALES, "Update the pipeline before Friday's review", Some(3), false, None, None),
    (STANDARD, "Draft the Quartz Labs sitemap", Some(2), false, Some(2), None),
    (STANDARD, "Book a photographer for the Riverside Gym opening", Some(6), false, Some(3), Some(3)),
    (STANDARD, "Collect product photos from Bloom & Co.", Some(-1), true, Some(4), Some(4)),
    (ADMIN, "Check the Harbor Café invoice", Some(0), false, Some(0), None),
    (ADMIN, "Renew the Quartz Labs domain", Some(9), false, Some(2), Some(2)),
    (OWNER, "Approve the Northwind print proof", Some(-5), true, Some(5), Some(5)),
    (OWNER, "Plan next quarter's hiring", Some(14), false, None, None),
    (OWNER, "Read the monthly numbers", None, false, None, None),
];

/// Calendar owner, day from this week's Monday, start (hour, minute), minutes (0: all day),
/// title, project, contact.
type Meeting = (usize, i64, (u8, u8), i64, &'static str, Option<usize>, Option<usize>);
const EVENTS: &[Meeting] = &[
    (OWNER, 0, (9, 0), 30, "Weekly team meeting", None, None),
    (OWNER, 7, (9, 0), 30, "Weekly team meeting", None, None),
    (OWNER, 11, (16, 0), 60, "Northwind Books wrap-up", Some(5), Some(5)),
    (ADMIN, 2, (15, 0), 30, "Invoice run", None, None),
    (ADMIN, 8, (0, 0), 0, "Quarterly planning day", None, None),
    (STANDARD, 1, (9, 30), 90, "Quartz Labs sitemap workshop", Some(2), Some(2)),
    (STANDARD, 4, (13, 0), 120, "Riverside Gym site visit", Some(3), Some(3)),
    (STANDARD, 9, (10, 0), 60, "Lookbook shoot planning", Some(4), None),
    (SALES, 0, (10, 0), 30, "Call with Kenji Tanaka", Some(1), Some(1)),
    (SALES, 1, (14, 0), 60, "Harbor Café logo presentation", Some(0), Some(0)),
    (SALES, 3, (9, 0), 45, "Pipeline review", None, None),
    (SALES, 8, (12, 30), 60, "Lunch with Lucia Moreau", Some(4), Some(4)),
    (SALES, 10, (9, 0), 45, "Pipeline review", None, None),
];

/// What one run of [`Service::demo_fill_records`] made.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DemoRecords {
    pub contacts: u32,
    pub projects: u32,
    pub todos: u32,
    pub events: u32,
    pub tickets: u32,
    /// Time entries, the running timer included (R-TIME-1).
    pub time_entries: u32,
    pub workflow_templates: u32,
    /// Runs started on the demo's clients: one two days ago (its email waits for approval once
    /// the runner has run), one now.
    pub workflow_runs: u32,
}

impl Service {
    /// Fills the demo account with a few records of each kind, once (see the module). Answers
    /// what was made: nothing when they are there already.
    pub async fn demo_fill_records(&self) -> Result<DemoRecords> {
        let account_id = self.demo_account(DEMO_SLUG).await?;
        let scope = internal(account_id, InternalUse::Demo);
        let mut tx = self.store.begin().await?;
        let Some(&(_, _, _, first_email, _, _)) = CLIENTS.first() else { return Ok(DemoRecords::default()) };
        if tx.contact_by_email(&scope, first_email).await?.is_some() {
            return Ok(DemoRecords::default());
        }
        let account = tx.account_by_id(account_id).await?.ok_or(ServiceError::NotFound)?;
        // The people, the owner standing in for anyone no longer a member.
        let mut people = [account.owner_id; 4];
        for (slot, email) in people.iter_mut().zip(PEOPLE) {
            if let Some(u) = tx.user_by_email(email).await?
                && tx.membership(account_id, u.id).await?.is_some()
            {
                *slot = u.id;
            }
        }
        let t = now();
        let today = t.replace_time(Time::MIDNIGHT);
        let monday = today - Duration::days(i64::from(today.weekday().number_days_from_monday()));
        let mut made = DemoRecords::default();

        let contacts: Vec<SeedContact> = CLIENTS
            .iter()
            .enumerate()
            .map(|(i, &(first, last, company, email, stage, who))| SeedContact {
                id: Uuid::now_v7(),
                kind: ContactKind::Client,
                first_name: first.to_owned(),
                last_name: last.to_owned(),
                company: Some(company.to_owned()),
                email: email.to_owned(),
                phone: Some(format!("+1 555 01{:02}", 10 + i)),
                stage,
                assigned_to: Some(people[who]),
                created_at: t - Duration::days(30 + 7 * i as i64),
            })
            .collect();
        made.contacts = count(tx.insert_contacts_bulk(&scope, &contacts).await?);
        let contact = |i: Option<usize>| i.and_then(|i| contacts.get(i)).map(|c| c.id);

        let names: Vec<String> = PROJECTS.iter().flat_map(|p| p.4.iter().map(|s| (*s).to_owned())).collect::<Vec<_>>();
        let tags = tx.ensure_tags(&scope, &names, t).await?;
        let admins = tx.admin_user_ids(&scope).await?;
        let projects: Vec<SeedProject> = PROJECTS
            .iter()
            .enumerate()
            .map(|(i, &(name, client, status, others, tag_names))| {
                let mut members = admins.clone();
                for &o in others {
                    if !members.contains(&people[o]) {
                        members.push(people[o]);
                    }
                }
                SeedProject {
                    id: Uuid::now_v7(),
                    name: name.to_owned(),
                    contact_id: contact(Some(client)),
                    status,
                    owner_id: people[OWNER],
                    members,
                    tag_ids: tags
                        .iter()
                        .filter(|tag| tag_names.iter().any(|n| n.eq_ignore_ascii_case(&tag.name)))
                        .map(|tag| tag.id)
                        .collect(),
                    created_at: t - Duration::days(20 + 5 * i as i64),
                }
            })
            .collect();
        made.projects = count(tx.insert_projects_bulk(&scope, &projects).await?);
        let project = |i: Option<usize>| i.and_then(|i| projects.get(i)).map(|p| p.id);

        for &(who, title, due, done, p, c) in TASKS {
            let Some(list_id) = default_list(tx.as_mut(), &scope, people[who]).await? else { continue };
            let row = TodoRow {
                id: Uuid::now_v7(),
                account_id,
                list_id,
                title: title.to_owned(),
                due_on: due.map(|d| (today + Duration::days(d)).date().to_string()),
                done,
                done_at: done.then_some(t),
                project_id: project(p),
                contact_id: contact(c),
                assignee_id: Some(people[who]),
                created_by: people[OWNER],
                created_at: t,
                updated_at: t,
            };
            made.todos += count(tx.insert_todo(&scope, &row).await?);
        }

        let mut events = Vec::new();
        for &(who, day, (h, m), minutes, title, p, c) in EVENTS {
            let Some(calendar_id) = default_calendar(tx.as_mut(), &scope, people[who]).await? else { continue };
            let day = monday + Duration::days(day);
            let (starts_at, ends_at) = if minutes == 0 {
                (day, day + Duration::days(1))
            } else {
                let at = day + Duration::hours(h.into()) + Duration::minutes(m.into());
                (at, at + Duration::minutes(minutes))
            };
            events.push(SeedEvent {
                id: Uuid::now_v7(),
                calendar_id,
                title: title.to_owned(),
                starts_at,
                ends_at,
                all_day: minutes == 0,
                contact_id: contact(c),
                project_id: project(p),
                created_by: people[who],
                created_at: t,
            });
        }
        made.events = count(tx.insert_events_bulk(&scope, &events).await?);
        let clients: Vec<Uuid> = contacts.iter().map(|c| c.id).collect();
        made.tickets = self.demo_few_tickets(tx.as_mut(), &scope, people[STANDARD], &clients).await?;
        let project_ids: Vec<Uuid> = projects.iter().map(|p| p.id).collect();
        made.time_entries = super::demo_time::demo_time(
            tx.as_mut(),
            &scope,
            &[people[SALES], people[STANDARD], people[ADMIN]],
            &project_ids,
            monday,
        )
        .await?;
        let client_ids: Vec<Uuid> = contacts.iter().map(|c| c.id).collect();
        (made.workflow_templates, made.workflow_runs) =
            demo_workflows(tx.as_mut(), &scope, people[OWNER], &client_ids, t).await?;

        for (action, n) in [
            (AuditAction::ContactsImported, made.contacts),
            (AuditAction::ProjectCreated, made.projects),
            (AuditAction::TodoCreated, made.todos),
            (AuditAction::EventCreated, made.events),
            (AuditAction::TicketOpened, made.tickets),
            (AuditAction::TimeEntryCreated, made.time_entries),
            (AuditAction::WorkflowTemplateCreated, made.workflow_templates),
            (AuditAction::WorkflowRunStarted, made.workflow_runs),
        ] {
            tx.insert_audit(&demo_audit(&scope, action, n, t)).await?;
        }
        tx.commit().await?;
        Ok(made)
    }
}

/// Two believable templates (R-WF-1): steps written as the API takes them, stored as it does;
/// the first started on the first client two days ago, the second on the second client now.
async fn demo_workflows(
    tx: &mut dyn Tx,
    scope: &Scope,
    owner: Uuid,
    clients: &[Uuid],
    at: OffsetDateTime,
) -> Result<(u32, u32)> {
    use crate::records::workflows::view::StepSpec;
    use roster_core::{StepAfter, StepApproval, StepKind};
    let step = |kind, after_days, at_time: &str, assignee: &str, title: &str| StepSpec {
        kind,
        after: StepAfter::Start,
        after_days,
        at_time: at_time.to_owned(),
        assignee: assignee.to_owned(),
        title: title.to_owned(),
        approval: None,
        subject: None,
        body: None,
        duration_minutes: None,
    };
    let email = |after_days, approval, title: &str, subject: &str, body: &str| StepSpec {
        approval: Some(approval),
        subject: Some(subject.to_owned()),
        body: Some(body.to_owned()),
        ..step(StepKind::Email, after_days, "10:00", "contact_assignee", title)
    };
    let event = |after_days, title: &str, minutes| StepSpec {
        duration_minutes: Some(minutes),
        ..step(StepKind::Event, after_days, "14:00", "contact_assignee", title)
    };
    let templates = [
        (
            "New client onboarding",
            vec![
                step(StepKind::Todo, 0, "09:00", "contact_assignee", "Welcome call"),
                email(
                    1,
                    StepApproval::Manual,
                    "Welcome email",
                    "Welcome aboard, {{ contact.first_name }}",
                    "Hello {{ contact.first_name }},\n\nthank you for choosing us. I will be your contact: \
                     write to me any time.\n\n{{ member.first_name }}",
                ),
                event(3, "Kickoff meeting", 60),
            ],
        ),
        (
            "Proposal follow-up",
            vec![
                email(
                    2,
                    StepApproval::Auto,
                    "Proposal reminder",
                    "Your proposal from {{ account.name }}",
                    "Hi {{ contact.first_name }}, did you have a chance to read our proposal?\n\n{{ member.first_name }}",
                ),
                step(StepKind::Todo, 5, "11:00", "contact_assignee", "Call about the proposal"),
            ],
        ),
    ];
    let (mut made, mut runs) = (0, 0);
    let run_scope = roster_core::scope::internal_runs(scope.account_id(), roster_core::scope::InternalUse::Demo);
    for (i, (name, steps)) in templates.into_iter().enumerate() {
        let row = roster_store::WorkflowTemplateRow {
            id: Uuid::now_v7(),
            account_id: scope.account_id(),
            name: name.to_owned(),
            steps: crate::records::workflows::templates::steps_json(&steps)?,
            version: 1,
            created_by: owner,
            created_at: at,
            updated_at: at,
        };
        tx.insert_workflow_template(scope, &row).await?;
        made += 1;
        let contact = match clients.get(i) {
            Some(c) => tx.contact(scope, *c).await?,
            None => None,
        };
        if let Some(contact) = contact {
            let started = if i == 0 { at - time::Duration::days(2) } else { at };
            crate::records::workflows::runs::begin_run(tx, &run_scope, &row, Some(&contact), None, owner, started)
                .await?;
            runs += 1;
        }
    }
    Ok((made, runs))
}

pub(crate) fn count(n: impl TryInto<u32>) -> u32 {
    n.try_into().unwrap_or(u32::MAX)
}

/// One audit row for a batch the demo wrote (`details.count`, Roster itself as the actor).
pub(crate) fn demo_audit(scope: &Scope, action: AuditAction, n: u32, at: OffsetDateTime) -> AuditRow {
    AuditRow {
        id: Uuid::now_v7(),
        account_id: Some(scope.account_id()),
        actor_id: None,
        impersonator_id: None,
        action,
        target_type: Some("account".to_owned()),
        target_id: Some(scope.account_id().to_string()),
        ip: None,
        details: Who::internal(Internal::Demo).details(Some(serde_json::json!({ "count": n }))),
        at,
    }
}

async fn default_list(tx: &mut dyn Tx, scope: &Scope, owner: Uuid) -> Result<Option<Uuid>> {
    Ok(tx.todo_lists(scope, Some(owner), None, 50).await?.into_iter().find(|l| l.is_default).map(|l| l.id))
}

pub(crate) async fn default_calendar(tx: &mut dyn Tx, scope: &Scope, owner: Uuid) -> Result<Option<Uuid>> {
    let q = CalendarQuery { owner_id: Some(owner), after: None };
    Ok(tx.calendars(scope, &q, 50).await?.into_iter().find(|c| c.calendar.is_default).map(|c| c.calendar.id))
}
