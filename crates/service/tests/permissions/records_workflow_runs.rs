//! Workflow runs and the approval queue below HTTP (R-WF-1, decision 0100): a run copies its
//! template; each step runs once through the job runner (to-do on the assignee's list, email
//! waiting for approval, event on the calendar); pause, resume and cancel; who sees runs and
//! who approves; faults fail a step visibly and the run goes on; two runners race.
use roster_core::{RunState, RunStepState};
use roster_service::contacts::ContactInput;
use roster_service::{
    ApprovalParams, ApproveStep, Decision, Meta, NewWorkflowRun, NewWorkflowTemplate, RunChange, RunnerOptions,
    Service, ServiceError, StepInput, WorkflowRunParams, WorkflowTemplatePatch,
};
use roster_testkit::service::{ServiceUser, TestService};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// A to-do step at 00:00, so a day-0 one is due at once whatever the hour the test runs.
fn todo(title: &str, assignee: &str) -> StepInput {
    StepInput {
        kind: "todo".into(),
        assignee: assignee.into(),
        title: title.into(),
        at_time: Some("00:00".into()),
        ..Default::default()
    }
}

fn email(title: &str, assignee: &str, approval: &str) -> StepInput {
    StepInput {
        kind: "email".into(),
        assignee: assignee.into(),
        title: title.into(),
        approval: Some(approval.into()),
        subject: Some("Welcome, {{ contact.first_name }}".into()),
        body: Some("Hello {{ contact.first_name }},\nI am {{ member.first_name }} from {{ account.name }}.".into()),
        ..Default::default()
    }
}

fn event(title: &str, assignee: &str) -> StepInput {
    StepInput {
        kind: "event".into(),
        assignee: assignee.into(),
        title: title.into(),
        duration_minutes: Some(45),
        ..Default::default()
    }
}

async fn template(t: &TestService, owner: &ServiceUser, name: &str, steps: Vec<StepInput>) -> Uuid {
    let input = NewWorkflowTemplate { name: name.into(), steps };
    t.service.create_workflow_template(&owner.principal, owner.account, &input, &Meta::default()).await.unwrap().id
}

async fn contact(t: &TestService, by: &ServiceUser, first: &str, mail: Option<&str>, assignee: Option<Uuid>) -> Uuid {
    let input = ContactInput {
        first_name: Some(first.into()),
        emails: mail.map(|m| vec![m.to_owned()]),
        assigned_to: assignee.map(|a| Some(a.to_string())),
        ..ContactInput::default()
    };
    t.service.create_contact(&by.principal, by.account, &input, &Meta::default()).await.unwrap().id
}

/// Runs every job due within `days` days from now, until none is left.
async fn run_due(service: &Service, days: i64) -> usize {
    let at = OffsetDateTime::now_utc() + Duration::days(days);
    let runner = Uuid::now_v7();
    let mut done = 0;
    loop {
        let pass = service.run_jobs_once(runner, at, RunnerOptions::default()).await.unwrap();
        assert_eq!(pass.failed, 0, "no job fails: a step's own trouble fails the step");
        done += pass.done;
        if pass.claimed == 0 {
            return done;
        }
    }
}

async fn start(t: &TestService, by: &ServiceUser, template_id: Uuid, contact_id: Uuid) -> Uuid {
    let input = NewWorkflowRun { template_id, contact_id: Some(contact_id), project_id: None };
    t.service.start_workflow_run(&by.principal, by.account, &input, &Meta::default()).await.unwrap().id
}

#[tokio::test]
async fn r_wf_1_a_run_makes_the_todo_waits_for_approval_then_sends_and_makes_the_event() {
    TestService::each_backend(|t| async move {
        let owner = t.owner("Runs").await;
        t.prove_address(owner.id).await;
        let sales = t.member_with(&owner, "salesperson").await;
        let other = t.member_with(&owner, "salesperson").await;
        let s = &t.service;
        let owner_id = owner.id.to_string();
        let tid = template(
            &t,
            &owner,
            "Onboarding",
            vec![
                todo("Welcome call", "contact_assignee"),
                email("Welcome email", "contact_assignee", "manual"),
                event("Kickoff", &owner_id),
            ],
        )
        .await;
        let grace = contact(&t, &owner, "Grace", Some("grace@example.org"), Some(sales.id)).await;
        let run = start(&t, &sales, tid, grace).await;
        // Editing the template now changes later runs only.
        let patch = WorkflowTemplatePatch { name: Some("Onboarding v2".into()), steps: None };
        s.update_workflow_template(&owner.principal, owner.account, tid, &patch, &Meta::default()).await.unwrap();

        assert_eq!(run_due(s, 2).await, 1, "one job runs the three steps, all due (decision 0100)");
        assert_eq!(run_due(s, 2).await, 0, "nothing runs twice");
        let view = s.workflow_run(&sales.principal, owner.account, run).await.unwrap();
        assert_eq!((view.template_name.as_str(), view.template_version), ("Onboarding", 1), "the copy it started with");
        let states: Vec<RunStepState> = view.steps.iter().map(|x| x.state).collect();
        assert_eq!(states, [RunStepState::Done, RunStepState::Waiting, RunStepState::Done]);
        assert_eq!(view.state, RunState::Active, "an email still waits");

        // The to-do is on the contact assignee's list, linked to the contact.
        let todos = s.contact_todos(&sales.principal, owner.account, grace).await.unwrap();
        assert!(todos.iter().any(|x| x.title == "Welcome call" && x.assignee_id == Some(sales.id)), "{todos:?}");
        // The event is on the owner's calendar.
        let events = s.contact_events(&owner.principal, owner.account, grace).await.unwrap();
        assert!(events.iter().any(|e| e.title == "Kickoff"), "{events:?}");

        // The waiting email, rendered for Grace, is in the assignee's queue and the owner's
        // (workflows.edit), never in another salesperson's.
        let q = ApprovalParams::default();
        let mine = s.approvals(&sales.principal, owner.account, &q).await.unwrap().items;
        assert_eq!(mine.len(), 1);
        let waiting = &mine[0];
        assert_eq!(waiting.subject.as_deref(), Some("Welcome, Grace"));
        assert!(waiting.body.as_deref().unwrap_or("").contains("from Runs"), "{:?}", waiting.body);
        assert_eq!(s.approvals(&owner.principal, owner.account, &q).await.unwrap().items.len(), 1);
        assert!(s.approvals(&other.principal, owner.account, &q).await.unwrap().items.is_empty());
        assert_eq!(s.approval_count(&sales.principal, owner.account).await.unwrap(), 1);
        let skip =
            s.decide_approval(&other.principal, owner.account, waiting.id, &Decision::Skip, &Meta::default()).await;
        assert!(matches!(skip, Err(ServiceError::NotFound)), "another member's email is not theirs to skip");

        // Approving with an edit sends the edited email through the outbox.
        let edit = ApproveStep { subject: Some("Welcome aboard, Grace".into()), body: None };
        let bad = ApproveStep { subject: Some(String::new()), body: None };
        let refused = s
            .decide_approval(&sales.principal, owner.account, waiting.id, &Decision::Approve(bad), &Meta::default())
            .await;
        assert!(matches!(refused, Err(ServiceError::Invalid(ref e)) if e.0[0].field == "subject"), "{refused:?}");
        let done = s
            .decide_approval(&sales.principal, owner.account, waiting.id, &Decision::Approve(edit), &Meta::default())
            .await
            .unwrap();
        assert_eq!(done.state, RunStepState::Done, "{:?}", done.reason);
        let emails = s.account_emails(&owner.principal, owner.account, None, Some(50)).await.unwrap();
        let sent: Vec<_> = emails.items.iter().filter(|e| e.template == "workflow_email").collect();
        assert_eq!(sent.len(), 1);
        assert_eq!((sent[0].to.as_str(), sent[0].subject.as_str()), ("grace@example.org", "Welcome aboard, Grace"));
        let again =
            s.decide_approval(&sales.principal, owner.account, waiting.id, &Decision::Skip, &Meta::default()).await;
        assert!(matches!(again, Err(ServiceError::NotFound)), "decided once");
        let view = s.workflow_run(&sales.principal, owner.account, run).await.unwrap();
        assert_eq!(view.state, RunState::Done, "every step ended");
        assert_eq!(s.approval_count(&sales.principal, owner.account).await.unwrap(), 0);
    })
    .await;
}

#[tokio::test]
async fn r_wf_1_steps_due_later_are_jobs_of_their_own_due_ones_run_together_in_order() {
    TestService::each_backend(|t| async move {
        let owner = t.owner("Later").await;
        let me = owner.id.to_string();
        let mut day2 = todo("Day two", &me);
        day2.after_days = Some(2);
        let mut day2b = todo("Day two, later", &me);
        day2b.at_time = Some("23:59".into());
        let mut day5 = todo("Day five", &me);
        day5.after = Some("start".into());
        day5.after_days = Some(5);
        let tid = template(&t, &owner, "Spread", vec![todo("Now", &me), day2, day2b, day5]).await;
        let c = contact(&t, &owner, "Spread", None, Some(owner.id)).await;
        let run = start(&t, &owner, tid, c).await;
        let states = |v: &roster_service::WorkflowRunView| v.steps.iter().map(|x| x.state).collect::<Vec<_>>();
        let (p, a) = (&owner.principal, owner.account);
        assert_eq!(run_due(&t.service, 0).await, 1);
        use RunStepState::{Done, Scheduled};
        assert_eq!(states(&t.service.workflow_run(p, a, run).await.unwrap()), [Done, Scheduled, Scheduled, Scheduled]);
        assert_eq!(run_due(&t.service, 3).await, 1, "day two's two steps in one job");
        assert_eq!(states(&t.service.workflow_run(p, a, run).await.unwrap()), [Done, Done, Done, Scheduled]);
        assert_eq!(run_due(&t.service, 6).await, 1);
        let view = t.service.workflow_run(p, a, run).await.unwrap();
        assert_eq!((states(&view), view.state), (vec![Done, Done, Done, Done], RunState::Done));
        let todos = t.service.contact_todos(p, a, c).await.unwrap();
        assert_eq!(todos.len(), 4, "each step's to-do once");
    })
    .await;
}

#[tokio::test]
async fn r_wf_1_pause_holds_the_steps_resume_runs_them_cancel_ends_them() {
    TestService::each_backend(|t| async move {
        let owner = t.owner("Pauses").await;
        let s = &t.service;
        let meta = Meta::default();
        let me = owner.id.to_string();
        let mut later = todo("Day two", &me);
        later.after_days = Some(2);
        let tid = template(&t, &owner, "Slow", vec![todo("Now", &me), later, email("Ask", &me, "manual")]).await;
        let ada = contact(&t, &owner, "Ada", Some("ada@example.org"), None).await;
        let run = start(&t, &owner, tid, ada).await;
        let (p, a) = (&owner.principal, owner.account);

        assert_eq!(run_due(s, 0).await, 1, "the first step is due now");
        s.change_workflow_run(p, a, run, RunChange::Pause, &meta).await.unwrap();
        let again = s.change_workflow_run(p, a, run, RunChange::Pause, &meta).await;
        assert!(matches!(again, Err(ServiceError::Conflict { .. })), "a paused run is not paused twice");
        run_due(s, 5).await;
        let view = s.workflow_run(p, a, run).await.unwrap();
        assert_eq!(view.state, RunState::Paused);
        assert_eq!(view.steps[1].state, RunStepState::Scheduled, "nothing runs while paused");

        s.change_workflow_run(p, a, run, RunChange::Resume, &meta).await.unwrap();
        run_due(s, 5).await;
        let view = s.workflow_run(p, a, run).await.unwrap();
        assert_eq!(view.steps[1].state, RunStepState::Done, "resumed, the held step ran");
        assert_eq!(view.steps[2].state, RunStepState::Waiting);

        let cancelled = s.change_workflow_run(p, a, run, RunChange::Cancel, &meta).await.unwrap();
        assert_eq!(cancelled.state, RunState::Cancelled);
        assert_eq!(cancelled.steps[2].state, RunStepState::Cancelled, "the waiting email is cancelled");
        assert!(s.approvals(p, a, &ApprovalParams::default()).await.unwrap().items.is_empty());
        let resume = s.change_workflow_run(p, a, run, RunChange::Resume, &meta).await;
        assert!(matches!(resume, Err(ServiceError::Conflict { .. })), "a cancelled run stays cancelled");

        // A run cancelled before its first step ran makes nothing.
        let run2 = start(&t, &owner, tid, ada).await;
        s.change_workflow_run(p, a, run2, RunChange::Cancel, &meta).await.unwrap();
        assert_eq!(run_due(s, 5).await, 1, "the stale job is done, doing nothing");
        let view = s.workflow_run(p, a, run2).await.unwrap();
        assert!(view.steps.iter().all(|x| x.state == RunStepState::Cancelled));
    })
    .await;
}

#[tokio::test]
async fn r_wf_1_runs_are_seen_through_their_contact_and_another_account_gets_404() {
    TestService::each_backend(|t| async move {
        let owner = t.owner("Seen").await;
        let sales = t.member_with(&owner, "salesperson").await;
        let employee = t.member_with(&owner, "employee").await;
        let s = &t.service;
        let meta = Meta::default();
        let tid = template(&t, &owner, "One", vec![todo("Call", "contact_assignee")]).await;
        let theirs = contact(&t, &owner, "Theirs", None, Some(sales.id)).await;
        let nobodys = contact(&t, &owner, "Owner's", None, Some(owner.id)).await;
        let run = start(&t, &sales, tid, theirs).await;
        let owners_run = start(&t, &owner, tid, nobodys).await;

        // A salesperson starts runs on their own contacts only, sees only those runs.
        let input = NewWorkflowRun { template_id: tid, contact_id: Some(nobodys), project_id: None };
        let refused = s.start_workflow_run(&sales.principal, owner.account, &input, &meta).await;
        assert!(matches!(refused, Err(ServiceError::Invalid(ref e)) if e.0[0].field == "contact_id"), "{refused:?}");
        let listed =
            s.list_workflow_runs(&sales.principal, owner.account, &WorkflowRunParams::default()).await.unwrap();
        assert_eq!(listed.items.iter().map(|r| r.id).collect::<Vec<_>>(), vec![run]);
        assert!(matches!(
            s.workflow_run(&sales.principal, owner.account, owners_run).await,
            Err(ServiceError::NotFound)
        ));
        let pause = s.change_workflow_run(&sales.principal, owner.account, owners_run, RunChange::Pause, &meta).await;
        assert!(matches!(pause, Err(ServiceError::NotFound)));
        // The owner sees both; an employee without the contact sees neither.
        let all = s.list_workflow_runs(&owner.principal, owner.account, &WorkflowRunParams::default()).await.unwrap();
        assert_eq!(all.items.len(), 2);
        assert!(matches!(s.workflow_run(&employee.principal, owner.account, run).await, Err(ServiceError::NotFound)));

        // Another account's admin: not found, whatever the id; nor can they start on our contact.
        let other = t.other_account(&owner, "Elsewhere", "admin").await;
        assert!(matches!(s.workflow_run(&other.principal, other.account, run).await, Err(ServiceError::NotFound)));
        assert!(matches!(s.workflow_run(&other.principal, owner.account, run).await, Err(ServiceError::NotFound)));
        let foreign_tid = template(&t, &other, "Theirs", vec![todo("Call", "contact_assignee")]).await;
        let input = NewWorkflowRun { template_id: foreign_tid, contact_id: Some(theirs), project_id: None };
        let cross = s.start_workflow_run(&other.principal, other.account, &input, &meta).await;
        assert!(matches!(cross, Err(ServiceError::Invalid(_))), "{cross:?}");
        let input = NewWorkflowRun { template_id: foreign_tid, contact_id: Some(theirs), project_id: None };
        assert!(s.start_workflow_run(&owner.principal, owner.account, &input, &meta).await.is_err());
    })
    .await;
}

#[tokio::test]
async fn r_wf_1_a_step_that_cannot_run_fails_with_its_reason_and_the_run_goes_on() {
    TestService::each_backend(|t| async move {
        let owner = t.owner("Faults").await;
        let leaver = t.member_with(&owner, "employee").await;
        let s = &t.service;
        let meta = Meta::default();
        let tid = template(
            &t,
            &owner,
            "Faulty",
            vec![
                todo("For the leaver", &leaver.id.to_string()),
                email("No address", &owner.id.to_string(), "auto"),
                todo("Nobody", "project_owner"),
                todo("Still runs", &owner.id.to_string()),
            ],
        )
        .await;
        let mute = contact(&t, &owner, "Mute", None, Some(owner.id)).await;
        let run = start(&t, &owner, tid, mute).await;
        s.change_member_status(&owner.principal, owner.account, leaver.id, roster_service::Lifecycle::Disable, &meta)
            .await
            .unwrap();
        assert_eq!(run_due(s, 1).await, 1, "one job, four steps");
        let view = s.workflow_run(&owner.principal, owner.account, run).await.unwrap();
        let got: Vec<(RunStepState, bool)> = view.steps.iter().map(|x| (x.state, x.reason.is_some())).collect();
        assert_eq!(
            got,
            [
                (RunStepState::Failed, true),
                (RunStepState::Failed, true),
                (RunStepState::Failed, true),
                (RunStepState::Done, false)
            ],
            "{:?}",
            view.steps.iter().map(|x| &x.reason).collect::<Vec<_>>()
        );
        assert!(view.steps[0].reason.as_deref().unwrap_or("").contains("no longer an active member"));
        assert!(view.steps[1].reason.as_deref().unwrap_or("").contains("no email address"));
        assert_eq!(view.state, RunState::Done);
    })
    .await;
}

#[tokio::test]
async fn r_wf_1_two_runners_on_one_database_run_each_step_once() {
    TestService::each_backend(|t| async move {
        let owner = t.owner("Race").await;
        let me = owner.id.to_string();
        let tid = template(&t, &owner, "Three", vec![todo("a", &me), todo("b", &me), todo("c", &me)]).await;
        let c = contact(&t, &owner, "Racer", None, Some(owner.id)).await;
        let runs = 40;
        for _ in 0..runs {
            start(&t, &owner, tid, c).await;
        }
        let second = Service::new(
            t.db.open_again().await,
            roster_service::Hasher::for_tests().unwrap(),
            roster_service::SessionPolicy::default(),
        );
        let (a, b) = tokio::join!(run_due(&t.service, 1), run_due(&second, 1));
        assert_eq!(a + b, runs, "every run's job done once between the two (its three steps were due)");
        let todos = t.service.contact_todos(&owner.principal, owner.account, c).await.unwrap();
        assert_eq!(todos.len(), runs * 3, "every step's to-do made once");
    })
    .await;
}

/// A template saved before a token check existed (or written around it) whose text fails to
/// render when the step is due: the step fails with the reason, nothing is sent, the run goes on.
#[tokio::test]
async fn r_wf_1_an_email_that_fails_to_render_at_send_time_fails_its_step_and_sends_nothing() {
    TestService::each_backend(|t| async move {
        let owner = t.owner("Render").await;
        t.prove_address(owner.id).await;
        let me = owner.id.to_string();
        let good = template(&t, &owner, "Good", vec![email("Hello", &me, "auto"), todo("After", &me)]).await;
        // The same steps with a body that no longer renders, written straight to the store.
        let scope = roster_core::scope::internal(owner.account, roster_core::scope::InternalUse::Demo);
        let mut tx = t.db.store.begin().await.unwrap();
        let mut row = tx.workflow_template(&scope, good).await.unwrap().unwrap();
        row.steps = row.steps.replace("{{ member.first_name }}", "{{ member.first_name | no_such_filter }}");
        assert!(row.steps.contains("no_such_filter"));
        assert_eq!(tx.update_workflow_template(&scope, &row).await.unwrap(), 1);
        tx.commit().await.unwrap();
        let c = contact(&t, &owner, "Grace", Some("grace@example.org"), Some(owner.id)).await;
        let run = start(&t, &owner, good, c).await;
        assert_eq!(run_due(&t.service, 1).await, 1);
        let view = t.service.workflow_run(&owner.principal, owner.account, run).await.unwrap();
        assert_eq!(view.steps[0].state, RunStepState::Failed);
        assert!(view.steps[0].reason.as_deref().unwrap_or("").starts_with("The body"), "{:?}", view.steps[0].reason);
        assert_eq!(view.steps[1].state, RunStepState::Done, "the run goes on");
        let emails = t.service.account_emails(&owner.principal, owner.account, None, Some(50)).await.unwrap();
        assert!(emails.items.iter().all(|e| e.template != "workflow_email"), "nothing sent");
    })
    .await;
}
