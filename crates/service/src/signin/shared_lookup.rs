//! Session lookups shared by requests that authenticate at the same time (decision 0111): on
//! PostgreSQL, the requests waiting while one lookup runs are answered by the next, one statement
//! for all their tokens (`SessionRepo::sessions_by_hashes`). Each lookup begins after every
//! request it answers arrived, so a session revoked before a request is refused by it, as when
//! each reads alone (`shared_reads`).
use std::collections::HashMap;

use roster_store::{FoundSession, SessionMemberships, SessionRow, UserRow};
use uuid::Uuid;

use super::{Fetched, Prefetch};
use crate::shared_reads::SharedReads;
use crate::{Result, Service, now};

/// The most tokens one shared lookup reads.
const MAX_TOKENS: usize = 64;

/// Which statement a lookup needs: requests asking for the same one share it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Lane {
    Nothing,
    Membership,
    Memberships,
}

/// One request's lookup: its token's hash, and the account whose membership it reads.
pub(crate) type Ask = (Vec<u8>, Option<Uuid>);
/// A live session with its user and what the request asked of its memberships.
pub(crate) type Found = Option<(SessionRow, UserRow, Fetched)>;

pub(crate) type SharedLookups = SharedReads<Lane, Ask, Found>;

pub(crate) fn shared_lookups() -> SharedLookups {
    SharedReads::new(MAX_TOKENS)
}

impl Service {
    /// The live session behind `hash`, with what `want` asks, read in a lookup shared with the
    /// requests authenticating at the same time.
    pub(super) async fn shared_session_lookup(
        &self,
        lookups: &SharedLookups,
        hash: Vec<u8>,
        want: Prefetch,
    ) -> Result<Found> {
        let (lane, account) = match want {
            Prefetch::Nothing => (Lane::Nothing, None),
            Prefetch::Membership(a) => (Lane::Membership, Some(a)),
            Prefetch::Memberships => (Lane::Memberships, None),
        };
        lookups.read(&lane, (hash, account), |asks| self.lookup_sessions(lane, asks)).await
    }

    /// One statement for every ask of a lane.
    async fn lookup_sessions(&self, lane: Lane, asks: Vec<Ask>) -> Result<Vec<Found>> {
        let t = now();
        let mut hashes: Vec<Vec<u8>> = asks.iter().map(|(h, _)| h.clone()).collect();
        hashes.sort_unstable();
        hashes.dedup();
        let mut accounts: Vec<Uuid> = asks.iter().filter_map(|(_, a)| *a).collect();
        accounts.sort_unstable();
        accounts.dedup();
        let memberships = match lane {
            Lane::Nothing => SessionMemberships::None,
            Lane::Membership => SessionMemberships::In(&accounts),
            Lane::Memberships => SessionMemberships::All,
        };
        let found = self.store.read().await?.sessions_by_hashes(&hashes, t, memberships).await?;
        let by_hash: HashMap<&[u8], &FoundSession> = found.iter().map(|f| (f.0.token_hash.as_slice(), f)).collect();
        Ok(asks
            .iter()
            .map(|(hash, account)| {
                let (session, user, all) = by_hash.get(hash.as_slice())?;
                let fetched = match (lane, account) {
                    (Lane::Membership, Some(a)) => {
                        Fetched::Membership(*a, all.iter().find(|(acc, _)| acc.id == *a).map(|(_, m)| m.clone()))
                    }
                    (Lane::Memberships, _) => Fetched::Memberships(all.clone()),
                    _ => Fetched::Nothing,
                };
                Some((session.clone(), user.clone(), fetched))
            })
            .collect())
    }
}
