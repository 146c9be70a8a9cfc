//! Support tickets (R-TKT-1, seed 003, decision 0098): `tickets.view_open` views, opens and
//! replies to every ticket of the account; without it a member reaches the tickets assigned to
//! them (`scope::TICKETS`). Deleting is an admin's act (`account.settings`). A member's reply
//! emails the ticket's contact through the outbox.
pub mod edit;
pub mod list;
pub mod messages;
pub mod view;

/// The longest subject.
pub const SUBJECT_MAX: usize = 200;
/// The longest message.
pub const BODY_MAX: usize = 10_000;
