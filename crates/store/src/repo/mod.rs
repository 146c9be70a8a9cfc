//! The repository traits, one file per capability; [`crate::Tx`] is their sum. The SQL behind
//! them is in `sql/<capability>/`.
mod accounts;
mod audit;
mod invitations;
mod jobs;
mod mail;
mod me;
mod records;
mod signin;
mod team;
mod team_list;

pub use accounts::*;
pub use audit::*;
pub use invitations::*;
pub use jobs::*;
pub use mail::*;
pub use me::*;
pub use records::*;
pub use signin::*;
pub use team::*;
pub use team_list::*;
