//! Bulk units of work kept going at once (`roster demo`): as many as the backend has bulk
//! writers (`Backend::bulk_writers`), each its own transaction, results taken in order; the
//! running total is told to `progress` after each.
use std::future::Future;

use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;

use crate::Result;

pub(crate) struct Lanes<'p, F: Future<Output = Result<u32>>> {
    inflight: FuturesOrdered<F>,
    lanes: usize,
    added: u32,
    progress: &'p (dyn Fn(u32) + Sync),
}

impl<'p, F: Future<Output = Result<u32>>> Lanes<'p, F> {
    pub(crate) fn new(backend: roster_store::Backend, progress: &'p (dyn Fn(u32) + Sync)) -> Self {
        Self { inflight: FuturesOrdered::new(), lanes: backend.bulk_writers().max(1), added: 0, progress }
    }

    /// Starts `batch`; waits first for the oldest ones while every lane is busy.
    pub(crate) async fn push(&mut self, batch: F) -> Result<()> {
        self.inflight.push_back(batch);
        while self.inflight.len() >= self.lanes {
            let Some(done) = self.inflight.next().await else { break };
            self.count(done?);
        }
        Ok(())
    }

    /// Waits for the rest; how many rows were added in all.
    pub(crate) async fn finish(mut self) -> Result<u32> {
        while let Some(done) = self.inflight.next().await {
            self.count(done?);
        }
        Ok(self.added)
    }

    fn count(&mut self, n: u32) {
        self.added += n;
        (self.progress)(self.added);
    }
}
