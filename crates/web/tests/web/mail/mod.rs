//! Email: the outbox and delivery, the console's email pages, secrets and egress (R-MAIL).
mod console;
mod outbox;
mod security;
mod words;
