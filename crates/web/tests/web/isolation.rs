//! The tenant-isolation matrix (R-PERM-3): for every `/api/v1/accounts/{account_id}/…` route of
//! the OpenAPI document, an admin of another account gets 404 for this account's ids. The table
//! must name every such route: a new route that is not in it fails this test.
use roster_mail::TemplateName;
use roster_service::{Mail, Sender};
use roster_testkit::app::{Answer, each_backend};
use serde_json::{Value, json};

/// `(method, path, a valid body)`: the body is well-formed so the answer is about the ids.
fn table() -> Vec<(&'static str, &'static str, Option<Value>)> {
    let template = json!({ "subject": "Hi", "text": "Hello", "html": "<p>Hello</p>" });
    let smtp = json!({ "host": "smtp.example.test", "from_address": "team@example.test" });
    let person = json!({ "email": "new@example.test", "first_name": "New", "last_name": "Person" });
    vec![
        ("get", "/api/v1/accounts/{account_id}", None),
        ("patch", "/api/v1/accounts/{account_id}", Some(json!({ "name": "Taken over" }))),
        ("get", "/api/v1/accounts/{account_id}/users", None),
        ("get", "/api/v1/accounts/{account_id}/users.csv", None),
        ("post", "/api/v1/accounts/{account_id}/users/import", Some(json!({}))),
        ("get", "/api/v1/accounts/{account_id}/audit", None),
        ("get", "/api/v1/accounts/{account_id}/users/{user_id}", None),
        ("patch", "/api/v1/accounts/{account_id}/users/{user_id}", Some(json!({ "role": "employee" }))),
        ("post", "/api/v1/accounts/{account_id}/users", Some(person)),
        ("delete", "/api/v1/accounts/{account_id}/users/{user_id}", None),
        ("post", "/api/v1/accounts/{account_id}/users/{user_id}/disable", None),
        ("post", "/api/v1/accounts/{account_id}/users/{user_id}/enable", None),
        ("post", "/api/v1/accounts/{account_id}/users/{user_id}/archive", None),
        ("post", "/api/v1/accounts/{account_id}/users/{user_id}/restore", None),
        (
            "post",
            "/api/v1/accounts/{account_id}/users/{user_id}/password",
            Some(json!({ "password": "plum garden whistle" })),
        ),
        ("post", "/api/v1/accounts/{account_id}/users/{user_id}/password-reset", None),
        ("post", "/api/v1/accounts/{account_id}/users/{user_id}/impersonate", Some(json!({ "reason": "support" }))),
        (
            "post",
            "/api/v1/accounts/{account_id}/transfer-ownership",
            Some(json!({ "user_id": "{user_id}", "password": "x" })),
        ),
        ("get", "/api/v1/accounts/{account_id}/emails", None),
        ("get", "/api/v1/accounts/{account_id}/emails/{email_id}", None),
        ("post", "/api/v1/accounts/{account_id}/emails/{email_id}/retry", None),
        ("get", "/api/v1/accounts/{account_id}/email-templates", None),
        ("get", "/api/v1/accounts/{account_id}/email-templates/{name}", None),
        ("put", "/api/v1/accounts/{account_id}/email-templates/{name}", Some(template.clone())),
        ("delete", "/api/v1/accounts/{account_id}/email-templates/{name}", None),
        ("post", "/api/v1/accounts/{account_id}/email-templates/{name}/preview", Some(template)),
        ("post", "/api/v1/accounts/{account_id}/email-templates/{name}/test", None),
        ("get", "/api/v1/accounts/{account_id}/smtp", None),
        ("put", "/api/v1/accounts/{account_id}/smtp", Some(smtp)),
        ("delete", "/api/v1/accounts/{account_id}/smtp", None),
        ("post", "/api/v1/accounts/{account_id}/smtp/test", Some(json!({}))),
        ("get", "/api/v1/accounts/{account_id}/invitations", None),
        ("post", "/api/v1/accounts/{account_id}/invitations", Some(json!({ "email": "intruder@example.test" }))),
        ("post", "/api/v1/accounts/{account_id}/invitations/bulk", Some(json!([{ "email": "intruder@example.test" }]))),
        ("post", "/api/v1/accounts/{account_id}/invitations/{invitation_id}/resend", None),
        ("delete", "/api/v1/accounts/{account_id}/invitations/{invitation_id}", None),
        ("get", "/api/v1/accounts/{account_id}/roles", None),
        ("post", "/api/v1/accounts/{account_id}/roles", Some(json!({ "name": "Intruder", "permissions": [] }))),
        ("patch", "/api/v1/accounts/{account_id}/roles/{role_id}", Some(json!({ "name": "Renamed" }))),
        ("delete", "/api/v1/accounts/{account_id}/roles/{role_id}", None),
        // Projects, tags and to-dos (R-PRJ-1, R-TODO-1).
        ("get", "/api/v1/accounts/{account_id}/projects", None),
        ("post", "/api/v1/accounts/{account_id}/projects", Some(json!({ "name": "Intruder" }))),
        ("get", "/api/v1/accounts/{account_id}/projects/{project_id}", None),
        ("patch", "/api/v1/accounts/{account_id}/projects/{project_id}", Some(json!({ "name": "Taken" }))),
        ("delete", "/api/v1/accounts/{account_id}/projects/{project_id}", None),
        ("get", "/api/v1/accounts/{account_id}/projects/{project_id}/members", None),
        ("put", "/api/v1/accounts/{account_id}/projects/{project_id}/members", Some(json!([]))),
        ("get", "/api/v1/accounts/{account_id}/tags", None),
        ("post", "/api/v1/accounts/{account_id}/tags", Some(json!({ "name": "Intruder" }))),
        ("delete", "/api/v1/accounts/{account_id}/tags/{tag_id}", None),
        ("get", "/api/v1/accounts/{account_id}/todo-lists", None),
        ("post", "/api/v1/accounts/{account_id}/todo-lists", Some(json!({ "name": "Intruder" }))),
        ("get", "/api/v1/accounts/{account_id}/todo-lists/{list_id}", None),
        ("patch", "/api/v1/accounts/{account_id}/todo-lists/{list_id}", Some(json!({ "name": "Taken" }))),
        ("delete", "/api/v1/accounts/{account_id}/todo-lists/{list_id}", None),
        ("get", "/api/v1/accounts/{account_id}/todo-lists/{list_id}/todos", None),
        ("post", "/api/v1/accounts/{account_id}/todo-lists/{list_id}/todos", Some(json!({ "title": "Intruder" }))),
        ("get", "/api/v1/accounts/{account_id}/todos/{todo_id}", None),
        ("patch", "/api/v1/accounts/{account_id}/todos/{todo_id}", Some(json!({ "title": "Taken" }))),
        ("delete", "/api/v1/accounts/{account_id}/todos/{todo_id}", None),
        // Contacts and saved filters (R-CON-1, R-CON-2).
        ("get", "/api/v1/accounts/{account_id}/contacts", None),
        ("post", "/api/v1/accounts/{account_id}/contacts", Some(json!({ "first_name": "Intruder" }))),
        ("get", "/api/v1/accounts/{account_id}/contacts.csv", None),
        ("get", "/api/v1/accounts/{account_id}/contacts/pipeline", None),
        ("post", "/api/v1/accounts/{account_id}/contacts/import", None),
        ("get", "/api/v1/accounts/{account_id}/contacts/{contact_id}", None),
        ("patch", "/api/v1/accounts/{account_id}/contacts/{contact_id}", Some(json!({ "first_name": "Taken" }))),
        ("delete", "/api/v1/accounts/{account_id}/contacts/{contact_id}", None),
        ("get", "/api/v1/accounts/{account_id}/filters", None),
        ("post", "/api/v1/accounts/{account_id}/filters", Some(json!({ "name": "Intruder" }))),
        ("get", "/api/v1/accounts/{account_id}/filters/{filter_id}", None),
        ("patch", "/api/v1/accounts/{account_id}/filters/{filter_id}", Some(json!({ "name": "Renamed" }))),
        ("delete", "/api/v1/accounts/{account_id}/filters/{filter_id}", None),
        // Calendars and events (R-CAL-1).
        ("get", "/api/v1/accounts/{account_id}/calendars", None),
        ("post", "/api/v1/accounts/{account_id}/calendars", Some(json!({ "name": "Intruder" }))),
        ("get", "/api/v1/accounts/{account_id}/calendars/{calendar_id}", None),
        ("patch", "/api/v1/accounts/{account_id}/calendars/{calendar_id}", Some(json!({ "name": "Renamed" }))),
        ("delete", "/api/v1/accounts/{account_id}/calendars/{calendar_id}", None),
        ("get", "/api/v1/accounts/{account_id}/events", None),
        (
            "post",
            "/api/v1/accounts/{account_id}/events",
            Some(json!({ "title": "x", "starts_at": "2030-01-01T09:00:00Z", "ends_at": "2030-01-01T10:00:00Z" })),
        ),
        ("get", "/api/v1/accounts/{account_id}/events/{event_id}", None),
        ("patch", "/api/v1/accounts/{account_id}/events/{event_id}", Some(json!({ "title": "Renamed" }))),
        ("delete", "/api/v1/accounts/{account_id}/events/{event_id}", None),
        // Support tickets (R-TKT-1).
        ("get", "/api/v1/accounts/{account_id}/tickets", None),
        ("post", "/api/v1/accounts/{account_id}/tickets", Some(json!({ "subject": "Intruder" }))),
        ("get", "/api/v1/accounts/{account_id}/tickets/{ticket_id}", None),
        ("patch", "/api/v1/accounts/{account_id}/tickets/{ticket_id}", Some(json!({ "status": "closed" }))),
        ("delete", "/api/v1/accounts/{account_id}/tickets/{ticket_id}", None),
        ("get", "/api/v1/accounts/{account_id}/tickets/{ticket_id}/messages", None),
        ("post", "/api/v1/accounts/{account_id}/tickets/{ticket_id}/messages", Some(json!({ "body": "Intruder" }))),
        // Time tracking (R-TIME-1).
        ("get", "/api/v1/accounts/{account_id}/timers/current", None),
        ("post", "/api/v1/accounts/{account_id}/timers/start", Some(json!({ "note": "Intruder" }))),
        ("post", "/api/v1/accounts/{account_id}/timers/stop", None),
        ("get", "/api/v1/accounts/{account_id}/time-entries", None),
        (
            "post",
            "/api/v1/accounts/{account_id}/time-entries",
            Some(json!({ "started_at": "2030-01-01T09:00:00Z", "minutes": 30 })),
        ),
        ("get", "/api/v1/accounts/{account_id}/time-entries/{entry_id}", None),
        ("patch", "/api/v1/accounts/{account_id}/time-entries/{entry_id}", Some(json!({ "note": "Taken" }))),
        ("delete", "/api/v1/accounts/{account_id}/time-entries/{entry_id}", None),
        ("get", "/api/v1/accounts/{account_id}/time-report", None),
        ("get", "/api/v1/accounts/{account_id}/time-report.csv", None),
        // Workflow templates (R-WF-1).
        ("get", "/api/v1/accounts/{account_id}/workflow-templates", None),
        (
            "post",
            "/api/v1/accounts/{account_id}/workflow-templates",
            Some(
                json!({ "name": "Intruder", "steps": [{ "kind": "todo", "assignee": "project_owner", "title": "x" }] }),
            ),
        ),
        ("get", "/api/v1/accounts/{account_id}/workflow-templates/{template_id}", None),
        ("patch", "/api/v1/accounts/{account_id}/workflow-templates/{template_id}", Some(json!({ "name": "Taken" }))),
        ("delete", "/api/v1/accounts/{account_id}/workflow-templates/{template_id}", None),
        // Workflow runs and the approval queue (R-WF-1).
        ("get", "/api/v1/accounts/{account_id}/workflow-runs", None),
        (
            "post",
            "/api/v1/accounts/{account_id}/workflow-runs",
            Some(json!({ "template_id": "{template_id}", "project_id": "{project_id}" })),
        ),
        ("get", "/api/v1/accounts/{account_id}/workflow-runs/{run_id}", None),
        ("post", "/api/v1/accounts/{account_id}/workflow-runs/{run_id}/pause", None),
        ("post", "/api/v1/accounts/{account_id}/workflow-runs/{run_id}/resume", None),
        ("post", "/api/v1/accounts/{account_id}/workflow-runs/{run_id}/cancel", None),
        ("get", "/api/v1/accounts/{account_id}/approvals", None),
        (
            "post",
            "/api/v1/accounts/{account_id}/approvals/{step_id}/approve",
            Some(json!({ "subject": "Hijacked", "body": "Sent by someone else" })),
        ),
        ("post", "/api/v1/accounts/{account_id}/approvals/{step_id}/skip", None),
    ]
}

/// Example work records of the victim account, for the ids in the paths.
struct Records {
    project: uuid::Uuid,
    tag: uuid::Uuid,
    list: uuid::Uuid,
    todo: uuid::Uuid,
    ticket: uuid::Uuid,
    template: uuid::Uuid,
    /// An active run of the project whose one email step waits for approval.
    run: uuid::Uuid,
    step: uuid::Uuid,
}

async fn work_records(tx: &mut dyn roster_store::Tx, account_id: uuid::Uuid, member: uuid::Uuid) -> Records {
    let all = roster_core::scope::internal(account_id, roster_core::scope::InternalUse::Demo);
    let at = time::OffsetDateTime::now_utc();
    let project = roster_store::ProjectRow {
        id: uuid::Uuid::now_v7(),
        account_id,
        name: "Victim project".to_owned(),
        contact_id: None,
        status: roster_core::ProjectStatus::Active,
        owner_id: member,
        created_at: at,
        updated_at: at,
    };
    tx.insert_project(&all, &project).await.unwrap();
    tx.set_project_members(&all, project.id, &[member]).await.unwrap();
    let tag = tx.ensure_tags(&all, &["Victim".to_owned()], at).await.unwrap().remove(0);
    tx.set_project_tags(&all, project.id, &[tag.id]).await.unwrap();
    let list = roster_store::TodoListRow {
        id: uuid::Uuid::now_v7(),
        account_id,
        owner_id: member,
        name: "Victim list".to_owned(),
        is_default: false,
        created_at: at,
    };
    tx.insert_todo_list(&all, &list).await.unwrap();
    let todo = roster_store::TodoRow {
        id: uuid::Uuid::now_v7(),
        account_id,
        list_id: list.id,
        title: "Victim task".to_owned(),
        due_on: None,
        done: false,
        done_at: None,
        project_id: Some(project.id),
        contact_id: None,
        assignee_id: Some(member),
        created_by: member,
        created_at: at,
        updated_at: at,
    };
    assert_eq!(tx.insert_todo(&all, &todo).await.unwrap(), 1);
    let ticket = roster_store::TicketRow {
        id: uuid::Uuid::now_v7(),
        account_id,
        number: tx.next_ticket_number(&all).await.unwrap(),
        subject: "Victim ticket".to_owned(),
        contact_id: None,
        status: roster_core::TicketStatus::Open,
        priority: roster_core::TicketPriority::Normal,
        assigned_to: Some(member),
        opened_by: roster_core::TicketAuthor::Member,
        created_by: member,
        created_at: at,
        updated_at: at,
    };
    let template = roster_store::WorkflowTemplateRow {
        id: uuid::Uuid::now_v7(),
        account_id,
        name: "Victim template".to_owned(),
        steps: "[]".to_owned(),
        version: 1,
        created_by: member,
        created_at: at,
        updated_at: at,
    };
    tx.insert_ticket(&all, &ticket).await.unwrap();
    tx.insert_workflow_template(&all, &template).await.unwrap();
    let run = roster_store::WorkflowRunRow {
        id: uuid::Uuid::now_v7(),
        account_id,
        template_id: Some(template.id),
        template_name: "Victim template".to_owned(),
        template_version: 1,
        contact_id: None,
        project_id: Some(project.id),
        state: roster_core::RunState::Active,
        epoch: 0,
        started_by: member,
        started_at: at,
        updated_at: at,
    };
    let step = roster_store::WorkflowRunStepRow {
        id: uuid::Uuid::now_v7(),
        run_id: run.id,
        account_id,
        position: 0,
        kind: roster_core::StepKind::Email,
        title: "Victim email".to_owned(),
        spec: "{}".to_owned(),
        assignee_id: Some(member),
        due_at: at,
        state: roster_core::RunStepState::Waiting,
        reason: None,
        subject: Some("Victim subject".to_owned()),
        body: Some("Victim body".to_owned()),
        result_id: None,
        decided_by: None,
        updated_at: at,
    };
    let runs = roster_core::scope::internal_runs(account_id, roster_core::scope::InternalUse::Demo);
    tx.insert_workflow_run(&runs, &run, std::slice::from_ref(&step)).await.unwrap();
    Records {
        project: project.id,
        tag: tag.id,
        list: list.id,
        todo: todo.id,
        ticket: ticket.id,
        template: template.id,
        run: run.id,
        step: step.id,
    }
}

/// A calendar and an event of `owner`'s in the victim account (R-CAL-1): their ids.
async fn victim_calendar(
    tx: &mut dyn roster_store::Tx,
    account: uuid::Uuid,
    owner: uuid::Uuid,
) -> (uuid::Uuid, uuid::Uuid) {
    let scope = roster_core::scope::internal(account, roster_core::InternalUse::Demo);
    let t = time::OffsetDateTime::from_unix_timestamp(1_900_000_000).unwrap();
    let calendar = roster_store::CalendarRow {
        id: uuid::Uuid::now_v7(),
        account_id: account,
        owner_id: owner,
        name: "Vic's".to_owned(),
        is_default: false,
        created_at: t,
    };
    assert!(tx.insert_calendar(&scope, &calendar).await.unwrap());
    let event = roster_store::EventRow {
        id: uuid::Uuid::now_v7(),
        account_id: account,
        calendar_id: calendar.id,
        title: "Private".to_owned(),
        starts_at: t,
        ends_at: t,
        all_day: false,
        contact_id: None,
        project_id: None,
        created_by: owner,
        created_at: t,
        updated_at: t,
    };
    assert!(tx.insert_event(&scope, &event).await.unwrap());
    (calendar.id, event.id)
}

/// A running timer of `member`'s in the victim account (R-TIME-1): its id.
async fn victim_timer(tx: &mut dyn roster_store::Tx, account: uuid::Uuid, member: uuid::Uuid) -> uuid::Uuid {
    let scope = roster_core::scope::internal(account, roster_core::InternalUse::Demo);
    let t = time::OffsetDateTime::now_utc();
    let entry = roster_store::TimeEntryRow {
        id: uuid::Uuid::now_v7(),
        account_id: account,
        user_id: member,
        project_id: None,
        contact_id: None,
        note: "Victim time".to_owned(),
        source: roster_core::TimeSource::Timer,
        started_at: t,
        ended_at: None,
        seconds: None,
        week: roster_service::week_of(t),
        created_by: member,
        created_at: t,
        updated_at: t,
    };
    tx.insert_time_entry(&scope, &entry).await.unwrap();
    entry.id
}

/// Public routes under an account, answered the same for every account (not a membership
/// matter): public sign-up answers 403 `signup_closed` for a closed or unknown account.
const PUBLIC: &[(&str, &str)] = &[("post", "/api/v1/accounts/{account_id}/signup")];

/// A contact (assigned to `member`) and a saved filter of `member` in `account_id`.
async fn victim_contact_and_filter(
    tx: &mut dyn roster_store::Tx,
    account_id: uuid::Uuid,
    member: uuid::Uuid,
) -> (uuid::Uuid, uuid::Uuid) {
    let scope = roster_core::scope::internal(account_id, roster_core::scope::InternalUse::Demo);
    let t = time::OffsetDateTime::now_utc();
    let contact = roster_store::ContactRow {
        id: uuid::Uuid::now_v7(),
        account_id,
        kind: roster_core::ContactKind::Client,
        first_name: "Victor".to_owned(),
        last_name: "Client".to_owned(),
        company: None,
        email: None,
        emails: vec![],
        phones: vec![],
        address: None,
        notes: None,
        stage: roster_core::ContactStage::New,
        assigned_to: Some(member),
        hidden_from_client_list: false,
        follow_up_on: None,
        member_user_id: None,
        created_at: t,
        updated_at: t,
        tags: vec![],
        assignee_archived: false,
    };
    assert!(tx.insert_contact(&scope, &contact).await.unwrap());
    let filter = roster_store::SavedFilterRow {
        id: uuid::Uuid::now_v7(),
        account_id,
        user_id: member,
        name: "Mine".to_owned(),
        query: "{}".to_owned(),
        created_at: t,
    };
    tx.insert_saved_filter(&scope, &filter).await.unwrap();
    (contact.id, filter.id)
}

#[tokio::test]
async fn r_perm_3_every_account_route_answers_404_to_another_accounts_admin() {
    each_backend(|app| async move {
        app.operator("op@example.test").await;
        let op = app.token("op@example.test", None).await;
        let victim = app.create_account(&op, "Victim").await;
        let other = app.create_account(&op, "Other").await;
        let member = app.seed_members(victim, "standard", &[("Vic", "Member", "vic@example.test")]).await.remove(0);
        let attacker = app.seed_members(other, "admin", &[("Eve", "Admin", "eve@example.test")]).await.remove(0);
        let eve = app.token(&attacker.email, Some(other)).await;
        let account = app.db.store.read().await.unwrap().account_by_id(victim).await.unwrap().unwrap();
        let mut tx = app.db.store.begin().await.unwrap();
        let mail = Mail {
            account: Some(&account),
            template: TemplateName::PasswordChanged,
            to: "vic@example.test",
            context: TemplateName::PasswordChanged.sample_context(),
            sender: Sender::Account,
            bcc: None,
        };
        let email = app.service.enqueue_email(tx.as_mut(), mail).await.unwrap();
        let role = roster_store::RoleRow {
            account_id: victim,
            id: uuid::Uuid::now_v7(),
            name: "Bookkeeper".to_owned(),
            permissions: "time.track".to_owned(),
            created_at: time::OffsetDateTime::now_utc(),
        };
        tx.insert_role(&role).await.unwrap();
        let t0 = time::OffsetDateTime::now_utc();
        let invitation = roster_store::InvitationRow {
            account_id: victim,
            id: uuid::Uuid::now_v7(),
            email: "invitee@example.test".to_owned(),
            role: roster_core::RoleKind::Customer,
            custom_role_id: None,
            permissions: None,
            token_hash: roster_service::hash_token("invite_isolation"),
            invited_by: None,
            status: roster_core::InvitationStatus::Pending,
            expires_at: t0 + time::Duration::days(7),
            created_at: t0,
            accepted_at: None,
            accepted_by: None,
            revoked_at: None,
        };
        tx.insert_invitation(&invitation).await.unwrap();
        let records = work_records(tx.as_mut(), victim, member.id).await;
        let (contact_id, filter_id) = victim_contact_and_filter(tx.as_mut(), victim, member.id).await;
        let (calendar, event) = victim_calendar(tx.as_mut(), victim, member.id).await;
        let entry = victim_timer(tx.as_mut(), victim, member.id).await;
        tx.commit().await.unwrap();

        let doc = app.get_json("/api/v1/openapi.json", None).await.body;
        let mut documented: Vec<(String, String)> = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            if !path.starts_with("/api/v1/accounts/{account_id}") {
                continue;
            }
            for method in item.as_object().unwrap().keys() {
                documented.push((method.clone(), path.clone()));
            }
        }
        let table = table();
        for (method, path) in &documented {
            let known = table.iter().any(|(m, p, _)| m == method && p == path)
                || PUBLIC.iter().any(|(m, p)| m == method && p == path);
            assert!(known, "{method} {path} is not in the isolation table: add it with a valid body");
        }
        let fill = |s: &str| {
            s.replace("{account_id}", &victim.to_string())
                .replace("{user_id}", &member.id.to_string())
                .replace("{email_id}", &email.id.to_string())
                .replace("{invitation_id}", &invitation.id.to_string())
                .replace("{role_id}", &role.id.to_string())
                .replace("{contact_id}", &contact_id.to_string())
                .replace("{filter_id}", &filter_id.to_string())
                .replace("{name}", "welcome")
                .replace("{project_id}", &records.project.to_string())
                .replace("{tag_id}", &records.tag.to_string())
                .replace("{list_id}", &records.list.to_string())
                .replace("{todo_id}", &records.todo.to_string())
                .replace("{ticket_id}", &records.ticket.to_string())
                .replace("{template_id}", &records.template.to_string())
                .replace("{calendar_id}", &calendar.to_string())
                .replace("{event_id}", &event.to_string())
                .replace("{entry_id}", &entry.to_string())
                .replace("{run_id}", &records.run.to_string())
                .replace("{step_id}", &records.step.to_string())
        };
        for (method, path, body) in table {
            assert!(documented.iter().any(|(m, p)| m == method && p == path), "{method} {path} is not documented");
            let body = body.map(|b| serde_json::from_str::<Value>(&fill(&b.to_string())).unwrap());
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let Answer { status, body: answer } = app.send(method.clone(), &fill(path), &eve, body).await;
            assert_eq!(status, 404, "{method} {path} answered {answer}");
        }
        // Nothing changed in the victim account.
        let view = app.get_json(&format!("/api/v1/accounts/{victim}"), Some(&op)).await.body;
        assert_eq!(view["name"], "Victim");
        let m = app.db.store.read().await.unwrap().membership(victim, member.id).await.unwrap().unwrap();
        assert_eq!(m.status.as_str(), "active");
        let inv = app.db.store.read().await.unwrap().invitation_by_id(victim, invitation.id).await.unwrap().unwrap();
        assert_eq!((inv.status.as_str(), &inv.token_hash), ("pending", &invitation.token_hash), "untouched");
        let intruder = app.db.store.read().await.unwrap().pending_invitation_for(victim, "intruder@example.test").await;
        assert!(intruder.unwrap().is_none(), "nothing invited");
        let kept = app.db.store.read().await.unwrap().role_by_id(victim, role.id).await.unwrap().unwrap();
        assert_eq!(kept.name, "Bookkeeper");
        let all = roster_core::scope::internal(victim, roster_core::scope::InternalUse::Demo);
        let mut tx = app.db.store.read().await.unwrap();
        assert_eq!(tx.project(&all, records.project).await.unwrap().unwrap().name, "Victim project");
        assert_eq!(tx.todo(&all, records.todo).await.unwrap().unwrap().title, "Victim task");
        assert!(tx.tag(&all, records.tag).await.unwrap().is_some());
        assert_eq!(tx.todo_list(&all, records.list).await.unwrap().unwrap().name, "Victim list");
        let ticket = tx.ticket(&all, records.ticket).await.unwrap().unwrap();
        assert_eq!((ticket.subject.as_str(), ticket.status), ("Victim ticket", roster_core::TicketStatus::Open));
        assert!(tx.ticket_messages(&all, records.ticket, 10).await.unwrap().is_empty(), "no message added");
        let kept = tx.time_entry(&all, entry).await.unwrap().unwrap();
        assert_eq!((kept.note.as_str(), kept.ended_at), ("Victim time", None), "the timer runs, untouched");
        assert_eq!(tx.workflow_template(&all, records.template).await.unwrap().unwrap().name, "Victim template");
        let runs = roster_core::scope::internal_runs(victim, roster_core::scope::InternalUse::Demo);
        let run = tx.workflow_run(&runs, records.run).await.unwrap().unwrap();
        assert_eq!((run.state, run.epoch), (roster_core::RunState::Active, 0), "the run untouched");
        let steps = tx.workflow_run_steps(&runs, records.run).await.unwrap();
        assert_eq!(steps[0].state, roster_core::RunStepState::Waiting, "the email neither sent nor skipped");
        assert_eq!(steps[0].subject.as_deref(), Some("Victim subject"));
        assert_eq!(tx.workflow_runs(&runs, &Default::default(), None, 10).await.unwrap().len(), 1, "no run started");
    })
    .await;
}

/// Issue 14, item 6: a personal API token made in account A read account B of the same person.
/// Now every account route of B answers 404 to it, as to a stranger (decision 0022), though the
/// person is B's admin; `GET /accounts` and `GET /me` show only A.
#[tokio::test]
async fn r_perm_3_a_token_made_in_a_answers_404_on_every_route_of_b() {
    each_backend(|app| async move {
        app.operator("op@example.test").await;
        let op = app.token("op@example.test", None).await;
        let b = app.create_account(&op, "Account B").await;
        let a = app.create_account(&op, "Account A").await;
        let member = app.seed_members(b, "standard", &[("Vic", "Member", "vic@example.test")]).await.remove(0);
        let eve = app.seed_members(a, "admin", &[("Eve", "Both", "eve@example.test")]).await.remove(0);
        let mut tx = app.db.store.begin().await.unwrap();
        let now = time::OffsetDateTime::now_utc();
        tx.insert_membership(&roster_store::MembershipRow::new(b, eve.id, roster_core::RoleKind::Admin, now))
            .await
            .unwrap();
        let role = roster_store::RoleRow {
            account_id: b,
            id: uuid::Uuid::now_v7(),
            name: "Bookkeeper".to_owned(),
            permissions: "time.track".to_owned(),
            created_at: now,
        };
        tx.insert_role(&role).await.unwrap();
        tx.commit().await.unwrap();
        // Eve's session in B reaches B (so what follows is about the token, not her rights).
        let eve_b = app.token(&eve.email, Some(b)).await;
        assert_eq!(app.get_json(&format!("/api/v1/accounts/{b}/users"), Some(&eve_b)).await.status, 200);
        // A token made in A.
        let eve_a = app.token(&eve.email, Some(a)).await;
        let Answer { status, body: made } =
            app.post_json("/api/v1/tokens", Some(&eve_a), &json!({ "name": "A script" })).await;
        assert_eq!(status, 201, "{made}");
        let pat = made["token"].as_str().unwrap().to_owned();
        assert_eq!(app.get_json(&format!("/api/v1/accounts/{a}/users"), Some(&pat)).await.status, 200, "works in A");

        let fill = |s: &str| {
            s.replace("{account_id}", &b.to_string())
                .replace("{user_id}", &member.id.to_string())
                .replace("{email_id}", &uuid::Uuid::now_v7().to_string())
                .replace("{invitation_id}", &uuid::Uuid::now_v7().to_string())
                .replace("{role_id}", &role.id.to_string())
                .replace("{contact_id}", &uuid::Uuid::now_v7().to_string())
                .replace("{filter_id}", &uuid::Uuid::now_v7().to_string())
                .replace("{template_id}", &uuid::Uuid::now_v7().to_string())
                .replace("{project_id}", &uuid::Uuid::now_v7().to_string())
                .replace("{name}", "welcome")
        };
        for (method, path, body) in table() {
            let body = body.map(|b| serde_json::from_str::<Value>(&fill(&b.to_string())).unwrap());
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let Answer { status, body: answer } = app.send(method.clone(), &fill(path), &pat, body).await;
            assert_eq!(status, 404, "{method} {path} answered {answer}");
        }
        // Only A is listed, in the accounts and in /me; switching and new accounts are refused.
        let list = app.get_json("/api/v1/accounts", Some(&pat)).await.body;
        let ids: Vec<&str> = list["items"].as_array().unwrap().iter().filter_map(|x| x["id"].as_str()).collect();
        assert_eq!(ids, vec![a.to_string().as_str()], "{list}");
        let me = app.get_json("/api/v1/me", Some(&pat)).await.body;
        let ids: Vec<&str> =
            me["memberships"].as_array().unwrap().iter().filter_map(|x| x["account_id"].as_str()).collect();
        assert_eq!(ids, vec![a.to_string().as_str()], "{me}");
        let Answer { status, body } = app.post_json("/api/v1/accounts", Some(&pat), &json!({ "name": "Sneaky" })).await;
        assert_eq!((status, body["code"].as_str()), (409, Some("token_bound_to_account")), "{body}");
        // Nothing changed in B.
        let view = app.get_json(&format!("/api/v1/accounts/{b}"), Some(&eve_b)).await.body;
        assert_eq!(view["name"], "Account B");
        let m = app.db.store.read().await.unwrap().membership(b, member.id).await.unwrap().unwrap();
        assert_eq!(m.status.as_str(), "active");
    })
    .await;
}

/// An operator's personal token is an ordinary member's in its account: no installation-wide
/// reach (every account, every outbox).
#[tokio::test]
async fn r_perm_3_an_operators_token_has_no_installation_powers() {
    each_backend(|app| async move {
        app.operator("op@example.test").await;
        let op = app.token("op@example.test", None).await;
        let other = app.create_account(&op, "Other").await;
        let mine = app.create_account(&op, "Mine").await;
        let op_mine = app.token("op@example.test", Some(mine)).await;
        let Answer { status, body: made } =
            app.post_json("/api/v1/tokens", Some(&op_mine), &json!({ "name": "ops" })).await;
        assert_eq!(status, 201, "{made}");
        let pat = made["token"].as_str().unwrap().to_owned();
        app.get_json(&format!("/api/v1/accounts/{other}"), Some(&pat)).await.assert_status(404);
        let status = app.get_json("/api/v1/emails", Some(&pat)).await.status;
        assert!(status == 403 || status == 404, "the installation's outbox: {status}");
        let list = app.get_json("/api/v1/accounts", Some(&pat)).await.body;
        assert_eq!(list["items"].as_array().unwrap().len(), 1, "{list}");
    })
    .await;
}
