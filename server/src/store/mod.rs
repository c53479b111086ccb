//! Everything the product keeps, behind one type: [`Store`].
//!
//! Only this module knows SQL. It runs on SQLite (the default: one file, WAL, foreign keys on) and
//! on PostgreSQL (many stateless server instances sharing one database) through sqlx's `Any`
//! driver, so there is one code path for both: `$n` placeholders, `BIGINT` unix-millisecond
//! timestamps and 0/1 flags, `TEXT` for everything else (JSON where a column says so). The two
//! schemas live in `server/migrations/{sqlite,postgres}` and differ only where the databases do
//! (auto-incremented ids).

mod agents;
mod analytics;
mod assignment;
mod bootstrap;
mod canned;
mod contacts;
mod desk;
mod escalations;
mod feedback;
mod group_commit;
mod groups;
mod knowledge;
mod merge;
mod reports;
mod sessions;
mod settings;
mod sites;
mod sql;
mod tickets;
mod unanswered;
mod visitor_replies;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

pub use agents::NewAgent;
pub use analytics::{BatchOutcome, NewConversationEvent, NewEventBatch, StoredConversationEvent};
pub use assignment::AutoAssigned;
pub use bootstrap::{FirstAdmin, DEFAULT_ADMIN_EMAIL, DEFAULT_GROUP, DEMO_SITE};
pub use canned::CannedDraft;
pub use contacts::ContactChange;
pub use desk::TicketChanges;
pub use feedback::NewFeedback;
pub use knowledge::{KbAudit, KbFileChange, KbVersionBytes, NewKbVersion, KEPT_VERSIONS};
pub use reports::{ReportRange, SeedEvent, SeedTicket, ROLL_UP_EVENTS};
pub use sessions::{NewSession, SESSION_TTL_MS};
pub use settings::MAX_CAPACITY;
pub use sites::{Site, SiteDraft};
pub use tickets::{Assignee, EscalationOutcome, NewEscalation, TicketFilter};
pub use unanswered::UnansweredQuestion;

// What the store reads is what the API answers: the store returns the wire types themselves
// (rows are converted once, where they are read), named here too for the store's callers.
pub use protocol::{
    Agent, AuditEvent, Contact, ContactDetail, ContactTicket, DeskConfig, EscalationContext,
    FeedbackTally, Group, Message, Rating, TicketSummary, VisitorTicket,
};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database a [`Store`] talks to; picked from the URL scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend a database URL names, if it is one the store supports.
    pub fn from_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }

    fn migrator(self) -> &'static Migrator {
        match self {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("unsupported database URL {0:?}: expected sqlite:… or postgres://…")]
    UnsupportedUrl(String),
    #[error("cannot create the database directory {path}: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unknown site {0:?}")]
    UnknownSite(String),
    #[error("unknown skill group {0:?}")]
    UnknownGroup(String),
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request conflicts with what is stored (a duplicate, or a closed ticket).
    #[error("{0}")]
    Conflict(String),
    /// Input the store refuses, with a reason a person can act on.
    #[error("{0}")]
    Invalid(String),
    /// A stored value outside its enum: the database was edited by hand or by a newer version.
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error("password hashing failed: {0}")]
    PasswordHash(String),
    /// The task doing the work stopped before answering (a panic, or the runtime shutting down).
    #[error("interrupted: {0}")]
    Interrupted(String),
}

impl From<crate::domain::UnknownValue> for StoreError {
    fn from(err: crate::domain::UnknownValue) -> Self {
        StoreError::Corrupt(err.to_string())
    }
}

/// A value read from the database, with the row id the store refers to it by.
///
/// It reads as the value it holds (`Deref`), so callers use a stored ticket as the ticket it is;
/// the row id stays beside it and never reaches a response.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored<T> {
    /// The row's id, which store queries take (tests and tools read it too); never answered.
    pub row_id: i64,
    value: T,
}

impl<T> Stored<T> {
    pub(crate) fn new(row_id: i64, value: T) -> Stored<T> {
        Stored { row_id, value }
    }

    /// The value without its row id, e.g. to answer it.
    pub fn into_inner(self) -> T {
        self.value
    }
}

impl<T> std::ops::Deref for Stored<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

/// Handle to the database; cheap to clone (a connection pool).
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// SQLite has one writer at a time. Writers queue here, in order and without sleeping,
    /// instead of in SQLite's busy handler, whose sleeps (up to 100 ms each) would dominate the
    /// latency of concurrent escalations. `None` on PostgreSQL, which has row locks.
    write_gate: Option<Arc<tokio::sync::Mutex<()>>>,
    /// The desk settings as last read, for the paths that need them on every request.
    settings: Arc<settings::CachedConfig>,
    /// Escalations waiting to be written, several to a transaction.
    escalations: Arc<escalations::Queue>,
    /// Conversation-event batches waiting to be written, several to a transaction.
    event_batches: Arc<analytics::Queue>,
}

/// A write transaction and, on SQLite, this writer's turn; both end together when dropped.
pub(crate) struct WriteTx {
    pub(crate) tx: sqlx::Transaction<'static, sqlx::Any>,
    pub(crate) turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Store {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://…`) and brings the schema up to
    /// date. A SQLite file's parent directory is created when missing.
    pub async fn connect(url: &str) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend =
            Backend::from_url(url).ok_or_else(|| StoreError::UnsupportedUrl(redact(url)))?;
        let url = match backend {
            Backend::Sqlite => with_create_mode(url),
            Backend::Postgres => url.to_owned(),
        };
        let options: AnyConnectOptions = url.parse()?;
        let pool_options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        let pool = match backend {
            Backend::Sqlite => {
                create_sqlite_parent_dir(&url)?;
                pool_options
                    .max_connections(8)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            // WAL lets readers run beside the single writer; sqlx already turns
                            // foreign keys on, but the schema relies on it, so say it here.
                            conn.execute("PRAGMA journal_mode = WAL").await?;
                            conn.execute("PRAGMA synchronous = NORMAL").await?;
                            conn.execute("PRAGMA foreign_keys = ON").await?;
                            conn.execute("PRAGMA busy_timeout = 5000").await?;
                            // Reads through a memory map instead of a copy into each
                            // connection's small page cache: a report scans a few MB of index
                            // on several connections at once, and the copies were a fifth of
                            // its CPU time (system calls). 256 MiB of address space, not memory.
                            conn.execute("PRAGMA mmap_size = 268435456").await?;
                            Ok(())
                        })
                    })
                    .connect_with(options)
                    .await?
            }
            Backend::Postgres => {
                pool_options
                    .max_connections(16)
                    .connect_with(options)
                    .await?
            }
        };
        backend.migrator().run(&pool).await?;
        let write_gate =
            (backend == Backend::Sqlite).then(|| Arc::new(tokio::sync::Mutex::new(())));
        Ok(Store {
            pool,
            backend,
            write_gate,
            settings: Arc::default(),
            escalations: Arc::new(escalations::queue()),
            event_batches: Arc::new(analytics::queue()),
        })
    }

    /// Begins a transaction that will write: on SQLite, once the writers before it are done.
    /// Every write transaction starts here.
    ///
    /// `BEGIN` runs in a task of its own, so it completes even when the caller is cancelled (a
    /// client that hangs up): sqlx's `begin` cancelled between sending `BEGIN` and reading the
    /// answer returns the connection to the pool inside a transaction it does not know about,
    /// which PostgreSQL then reports as `there is already a transaction in progress` (and any
    /// write made on that connection outside a transaction would wait for someone's `COMMIT`).
    /// A completed transaction that nobody takes is dropped, and sqlx rolls it back.
    pub(crate) async fn begin_write(&self) -> Result<WriteTx, StoreError> {
        let turn = match &self.write_gate {
            Some(gate) => Some(gate.clone().lock_owned().await),
            None => None,
        };
        let pool = self.pool.clone();
        let tx = tokio::spawn(async move { pool.begin().await })
            .await
            .map_err(|err| StoreError::Interrupted(err.to_string()))??;
        Ok(WriteTx { tx, turn })
    }

    /// Which database this store talks to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Round-trips a trivial query: the readiness check.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Closes every connection; later calls fail.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Milliseconds since the Unix epoch: the store's only time representation.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A SQLite URL that creates its file when missing, unless it chooses a mode itself
/// (`mode=ro`, `mode=rw`) or is in memory.
fn with_create_mode(url: &str) -> String {
    if url.contains(":memory:") {
        return url.to_owned();
    }
    match url.split_once('?') {
        Some((_, query)) if query.split('&').any(|p| p.starts_with("mode=")) => url.to_owned(),
        Some(_) => format!("{url}&mode=rwc"),
        None => format!("{url}?mode=rwc"),
    }
}

fn create_sqlite_parent_dir(url: &str) -> Result<(), StoreError> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = rest.split('?').next().unwrap_or(rest);
    if path.is_empty() || path.starts_with(':') {
        return Ok(()); // in-memory
    }
    match Path::new(path).parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.exists() => std::fs::create_dir_all(dir)
            .map_err(|source| StoreError::CreateDir {
                path: dir.display().to_string(),
                source,
            }),
        _ => Ok(()),
    }
}

/// A URL fit for an error message: the password, if any, replaced.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}://{user}:***{}", &url[..scheme_end], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Whether a database error is a unique-constraint violation (a duplicate insert).
fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_follows_the_scheme() {
        assert_eq!(Backend::from_url("sqlite://x.db"), Some(Backend::Sqlite));
        assert_eq!(Backend::from_url("sqlite::memory:"), Some(Backend::Sqlite));
        assert_eq!(
            Backend::from_url("postgres://u@h/db"),
            Some(Backend::Postgres)
        );
        assert_eq!(Backend::from_url("mysql://h/db"), None);
    }

    #[test]
    fn sqlite_files_are_created_unless_a_mode_is_chosen() {
        assert_eq!(with_create_mode("sqlite://a.db"), "sqlite://a.db?mode=rwc");
        assert_eq!(
            with_create_mode("sqlite://a.db?cache=shared"),
            "sqlite://a.db?cache=shared&mode=rwc"
        );
        assert_eq!(
            with_create_mode("sqlite://a.db?mode=ro"),
            "sqlite://a.db?mode=ro"
        );
        assert_eq!(with_create_mode("sqlite::memory:"), "sqlite::memory:");
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }
}
