//! Invitations.
pub(crate) mod invitation_repo;
