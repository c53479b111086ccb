//! Group commit: writes that arrive at the same moment share one transaction.
//!
//! A small write (an escalation's handful of rows, a widget's batch of events) written one
//! transaction each costs round trips, not the database: on SQLite every statement is a hand-off
//! to sqlx's worker thread, and writers take turns. So such writes queue here, and one writer
//! task at a time takes whatever waits (up to [`Limits`]) and writes it in one transaction; each
//! caller gets its outcome through a oneshot channel once the transaction committed. The writer
//! is a task of its own, so a caller that goes away (the client hung up) never cancels a
//! transaction half-way. When a group fails, each of its items is written again on its own: one
//! cannot fail the others.
//!
//! Used by escalations (`escalations.rs`) and conversation events (`analytics.rs`), which say
//! how a group and a single item are written ([`GroupWriter`]).

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::oneshot;

use super::StoreError;

/// How much one group may hold: at most `items` items and, past the first item, at most
/// `weight` in total by `weigh` (rows, which bound the statements' bound parameters).
pub(super) struct Limits<T> {
    pub items: usize,
    pub weight: usize,
    pub weigh: fn(&T) -> usize,
}

// Derived `Clone`/`Copy` would ask the same of `T`, which only the function pointer mentions.
impl<T> Clone for Limits<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Limits<T> {}

/// How the items of one queue are written.
pub(super) trait GroupWriter<T, O>: Clone + Send + Sync + 'static {
    /// All of `items` in one transaction: an outcome each, in order, or an error that rolled
    /// back all of them.
    fn write_group<'a>(
        &'a self,
        items: &'a [&'a T],
    ) -> impl Future<Output = Result<Vec<Result<O, StoreError>>, StoreError>> + Send + 'a;

    /// One item on its own: alone, or after its group failed.
    fn write_one<'a>(
        &'a self,
        item: &'a T,
    ) -> impl Future<Output = Result<O, StoreError>> + Send + 'a;
}

/// Items waiting for the writer, and whether a writer task is running.
pub(super) struct GroupCommit<T, O> {
    /// What an item is, for messages: "escalation", "event batch".
    what: &'static str,
    limits: Limits<T>,
    state: Mutex<State<T, O>>,
}

struct State<T, O> {
    waiting: VecDeque<Waiting<T, O>>,
    writing: bool,
}

struct Waiting<T, O> {
    item: T,
    answer: oneshot::Sender<Result<O, StoreError>>,
}

impl<T, O> std::fmt::Debug for GroupCommit<T, O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit")
            .field("what", &self.what)
            .finish_non_exhaustive()
    }
}

impl<T: Send + Sync + 'static, O: Send + 'static> GroupCommit<T, O> {
    pub(super) fn new(what: &'static str, limits: Limits<T>) -> Self {
        GroupCommit {
            what,
            limits,
            state: Mutex::new(State {
                waiting: VecDeque::new(),
                writing: false,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T, O>> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues `item`, starts a writer unless one runs, and waits for the item's outcome.
    pub(super) async fn submit<W: GroupWriter<T, O>>(
        self: &Arc<Self>,
        writer: &W,
        item: T,
    ) -> Result<O, StoreError> {
        let (answer, outcome) = oneshot::channel();
        {
            let mut state = self.lock();
            state.waiting.push_back(Waiting { item, answer });
            if !state.writing {
                state.writing = true;
                tokio::spawn(self.clone().write_waiting(writer.clone()));
            }
        }
        outcome.await.unwrap_or_else(|_| {
            Err(StoreError::Interrupted(format!(
                "the {} writer stopped",
                self.what
            )))
        })
    }

    /// The writer: groups until nothing waits.
    async fn write_waiting<W: GroupWriter<T, O>>(self: Arc<Self>, writer: W) {
        let mut stopped = WriterStopped {
            queue: self.clone(),
            finished: false,
        };
        loop {
            let group = {
                let mut state = self.lock();
                if state.waiting.is_empty() {
                    state.writing = false;
                    stopped.finished = true;
                    return;
                }
                let limits = self.limits;
                take_group(&mut state.waiting, limits.items, limits.weight, |w| {
                    (limits.weigh)(&w.item)
                })
            };
            self.write(&writer, group).await;
        }
    }

    async fn write<W: GroupWriter<T, O>>(&self, writer: &W, group: Vec<Waiting<T, O>>) {
        if group.len() > 1 {
            let written = {
                let items: Vec<&T> = group.iter().map(|w| &w.item).collect();
                writer.write_group(&items).await
            };
            match written {
                Ok(outcomes) => {
                    for (waiting, outcome) in group.into_iter().zip(outcomes) {
                        let _ = waiting.answer.send(outcome); // the caller may have gone
                    }
                    return;
                }
                Err(err) => tracing::debug!(
                    items = group.len(),
                    error = %err,
                    "a group of {}s failed; writing them one by one",
                    self.what
                ),
            }
        }
        for waiting in group {
            let outcome = writer.write_one(&waiting.item).await;
            let _ = waiting.answer.send(outcome);
        }
    }
}

/// Clears the queue if the writer stops without finishing (a panic, the runtime shutting down),
/// so its callers get an error instead of waiting forever and the next item starts a writer
/// again.
struct WriterStopped<T, O> {
    queue: Arc<GroupCommit<T, O>>,
    finished: bool,
}

impl<T, O> Drop for WriterStopped<T, O> {
    fn drop(&mut self) {
        if !self.finished {
            let mut state = self
                .queue
                .state
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            state.writing = false;
            state.waiting.clear(); // their callers hear that the writer stopped
        }
    }
}

/// The next group, oldest first: at most `items` items weighing at most `weight` together, but
/// always at least one (an item heavier than the limit goes alone).
pub(super) fn take_group<W>(
    waiting: &mut VecDeque<W>,
    items: usize,
    weight: usize,
    weigh: impl Fn(&W) -> usize,
) -> Vec<W> {
    let mut group = Vec::new();
    let mut total = 0;
    while let Some(next) = waiting.front() {
        let next_weight = weigh(next);
        let fits = group.len() < items && total + next_weight <= weight;
        if !group.is_empty() && !fits {
            break;
        }
        total += next_weight;
        group.extend(waiting.pop_front());
    }
    group
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_bounded_by_items_and_weight_but_never_empty() {
        let mut waiting: VecDeque<usize> = std::iter::repeat_n(2, 10).collect();
        assert_eq!(take_group(&mut waiting, 4, 100, |w| *w).len(), 4);
        assert_eq!(take_group(&mut waiting, 100, 5, |w| *w).len(), 2);
        assert_eq!(take_group(&mut waiting, 100, 100, |w| *w).len(), 4);
        assert!(take_group(&mut waiting, 100, 100, |w| *w).is_empty());

        let mut waiting: VecDeque<usize> = [300, 1].into();
        assert_eq!(take_group(&mut waiting, 100, 100, |w| *w), vec![300]);
        assert_eq!(take_group(&mut waiting, 100, 100, |w| *w), vec![1]);
    }

    /// A writer that fails every group of more than one and records what it wrote alone.
    #[derive(Clone, Default)]
    struct FailingGroups(Arc<Mutex<Vec<u32>>>);

    impl GroupWriter<u32, u32> for FailingGroups {
        async fn write_group<'a>(
            &'a self,
            _items: &'a [&'a u32],
        ) -> Result<Vec<Result<u32, StoreError>>, StoreError> {
            Err(StoreError::Invalid("groups fail here".into()))
        }

        async fn write_one<'a>(&'a self, item: &'a u32) -> Result<u32, StoreError> {
            if *item == 13 {
                return Err(StoreError::Invalid("13 is refused".into()));
            }
            self.0.lock().unwrap().push(*item);
            Ok(item * 10)
        }
    }

    #[tokio::test]
    async fn a_failed_group_is_written_item_by_item_and_one_cannot_fail_the_others() {
        let queue = Arc::new(GroupCommit::new(
            "number",
            Limits {
                items: 8,
                weight: 8,
                weigh: |_| 1,
            },
        ));
        let writer = FailingGroups::default();
        let outcomes = futures_util::future::join_all([1, 13, 3].map(|item| {
            let (queue, writer) = (queue.clone(), writer.clone());
            async move { queue.submit(&writer, item).await }
        }))
        .await;
        assert_eq!(outcomes[0].as_ref().ok(), Some(&10));
        assert!(outcomes[1].is_err());
        assert_eq!(outcomes[2].as_ref().ok(), Some(&30));
        let mut written = writer.0.lock().unwrap().clone();
        written.sort_unstable();
        assert_eq!(written, vec![1, 3]);
    }
}
