//! Invitations (R-INV-1) and who may send them (R-PERM-1, R-PERM-2).
mod send_and_accept;
