//! An ordered parallel map with bounded memory: items are processed by
//! `jobs` worker threads and handed to the sink in input order. Items travel
//! in chunks, so threads synchronise once per chunk rather than once per
//! file (per-file hand-offs cost a quarter of a batch run in task switches).
//! At most `4 × jobs` chunks are in flight (queued, being worked on, or
//! waiting to be reordered), whatever the number of items, so a run over
//! 200,000 files holds no more than a run over 2,000.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use crossbeam_channel::{bounded, unbounded};

/// Items handed to a worker at a time.
const CHUNK: usize = 64;

/// Processes every item with `work` on `jobs` threads and passes the results
/// to `sink` in input order. Stops early, without error, when `cancel` is
/// set; stops with the sink's error when it fails.
pub fn ordered<I, O, E>(
    items: impl Iterator<Item = I> + Send,
    jobs: usize,
    cancel: &AtomicBool,
    work: impl Fn(I) -> O + Sync,
    mut sink: impl FnMut(O) -> Result<(), E>,
) -> Result<(), E>
where
    I: Send,
    O: Send,
{
    let jobs = jobs.max(1);
    let window = 4 * jobs;
    std::thread::scope(|scope| {
        // Created inside the scope so that an early return drops the
        // receivers first: a producer blocked on a full window then fails
        // its send and stops, and the scope can join every thread.
        let (permit_tx, permit_rx) = bounded::<()>(window);
        let (job_tx, job_rx) = bounded::<(u64, Vec<I>)>(window);
        let (result_tx, result_rx) = unbounded::<(u64, Vec<O>)>();
        scope.spawn(move || {
            let mut items = items;
            for seq in 0u64.. {
                let chunk: Vec<I> = items.by_ref().take(CHUNK).collect();
                if chunk.is_empty()
                    || cancel.load(Ordering::Relaxed)
                    || permit_tx.send(()).is_err()
                    || job_tx.send((seq, chunk)).is_err()
                {
                    break;
                }
            }
        });
        for _ in 0..jobs {
            let (job_rx, result_tx, work) = (job_rx.clone(), result_tx.clone(), &work);
            scope.spawn(move || {
                for (seq, chunk) in job_rx {
                    let mut outputs = Vec::with_capacity(chunk.len());
                    for item in chunk {
                        if cancel.load(Ordering::Relaxed) {
                            return;
                        }
                        outputs.push(work(item));
                    }
                    if result_tx.send((seq, outputs)).is_err() {
                        return;
                    }
                }
            });
        }
        drop((job_rx, result_tx));
        let mut pending = BTreeMap::new();
        let mut next = 0u64;
        for (seq, output) in &result_rx {
            pending.insert(seq, output);
            while let Some(outputs) = pending.remove(&next) {
                for output in outputs {
                    if cancel.load(Ordering::Relaxed) {
                        return Ok(());
                    }
                    if let Err(err) = sink(output) {
                        cancel.store(true, Ordering::Relaxed);
                        return Err(err);
                    }
                }
                let _ = permit_rx.try_recv();
                next += 1;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_input_order_whatever_the_threads() {
        let cancel = AtomicBool::new(false);
        let mut seen = Vec::new();
        let result: Result<(), ()> = ordered(
            0..2000u64,
            4,
            &cancel,
            |i| {
                if i % 7 == 0 {
                    std::thread::yield_now();
                }
                i * 2
            },
            |o| {
                seen.push(o);
                Ok(())
            },
        );
        assert_eq!(result, Ok(()));
        assert_eq!(seen, (0..2000u64).map(|i| i * 2).collect::<Vec<_>>());
    }

    #[test]
    fn a_failing_sink_stops_the_run_with_its_error() {
        let cancel = AtomicBool::new(false);
        let mut count = 0;
        let result = ordered(
            0..100_000u64,
            2,
            &cancel,
            |i| i,
            |o| {
                count += 1;
                if o == 10 {
                    Err("disk full")
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!(result, Err("disk full"));
        assert_eq!(count, 11);
    }

    #[test]
    fn cancelling_stops_early_without_error() {
        let cancel = AtomicBool::new(false);
        let mut count = 0;
        let result: Result<(), ()> = ordered(
            0..1_000_000u64,
            2,
            &cancel,
            |i| i,
            |_| {
                count += 1;
                if count == 50 {
                    cancel.store(true, Ordering::Relaxed);
                }
                Ok(())
            },
        );
        assert_eq!(result, Ok(()));
        assert!(count < 1000);
    }
}
