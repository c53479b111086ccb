//! What stands between a password guesser and the accounts: failed sign-ins throttled per client
//! address and per account with exponential backoff, and a bound on concurrent password hashing.
//!
//! **Backoff.** Each address and each account (by normalized email, known or not, so the answer
//! does not reveal which exist) has a count of consecutive failures. After
//! [`Backoff::free_failures`] of them, further attempts are refused with `429` and `Retry-After`
//! for [`Backoff::base`], doubling with every failure after that up to [`Backoff::max`]; refused
//! attempts hash nothing and do not count. A count is forgotten after [`Backoff::forget_after`]
//! without failures; a correct password clears the account's count. The address limit stops one
//! machine from trying many accounts; the account limit stops many machines from trying one.
//!
//! **Why an attacker cannot cheaply lock a real agent out.** An account lockout anyone can
//! trigger is a denial of service: at the maximum backoff, four wrong guesses an hour would keep
//! the account shut. So a browser that has signed in to an account before carries a *device
//! cookie* for it (`HttpOnly`, `SameSite=Strict`, an HMAC of the account under a key of this
//! process), and its attempts skip the account lock; they still count and still face the lock of
//! their own address, which a remote guesser cannot fill. The agent at their usual browser keeps
//! signing in during an attack; a guesser, who has no such cookie, stays throttled. Only a new
//! browser or a restarted server (the key and the counts live in memory) meets the account lock,
//! for at most [`Backoff::max`] at a time; an admin's password reset clears it at once. Several
//! instances each keep their own counts, so a guesser spreading attempts over `n` instances gets
//! `n` times the attempts (still exponentially slowed).
//!
//! **Hashing.** Every argon2id check costs about 19 MiB and tens of milliseconds of a blocking
//! thread. At most [`LoginLimits::hashing_concurrency`] run at once; a request that cannot start
//! within [`LoginLimits::hashing_wait`] is answered `503` with `Retry-After`, so a flood costs a
//! bounded amount of memory whatever its size.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, StatusCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use tokio::sync::{Semaphore, SemaphorePermit};

use super::problem::ApiError;

/// Name of the cookie that marks a browser that has signed in to an account before.
pub const DEVICE_COOKIE: &str = "answerdesk_device";
/// How long a browser stays known after its last successful sign-in.
const DEVICE_COOKIE_DAYS: u64 = 90;

/// How failures of one client address or one account are slowed down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    /// Consecutive failures allowed before the first lock.
    pub free_failures: u32,
    /// The first lock; each further failure doubles it.
    pub base: Duration,
    /// The longest lock.
    pub max: Duration,
    /// A count is forgotten after this long without a failure.
    pub forget_after: Duration,
}

/// The sign-in limits of a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginLimits {
    /// Failures from one client address, whatever accounts they name.
    pub per_ip: Backoff,
    /// Failures for one account, from browsers that have not signed in to it before.
    pub per_account: Backoff,
    /// Password hashes computed at once (each about 19 MiB).
    pub hashing_concurrency: usize,
    /// How long a request waits for a hashing slot before it is answered `503`.
    pub hashing_wait: Duration,
}

impl Default for LoginLimits {
    /// An office behind one address can mistype for a while; a guesser gets a handful of tries,
    /// then a few an hour.
    fn default() -> Self {
        LoginLimits {
            per_ip: Backoff {
                free_failures: 20,
                base: Duration::from_secs(1),
                max: Duration::from_secs(15 * 60),
                forget_after: Duration::from_secs(60 * 60),
            },
            per_account: Backoff {
                free_failures: 5,
                base: Duration::from_secs(2),
                max: Duration::from_secs(15 * 60),
                forget_after: Duration::from_secs(60 * 60),
            },
            hashing_concurrency: 4,
            hashing_wait: Duration::from_secs(2),
        }
    }
}

/// The sign-in guard of a running server; cheap to clone.
#[derive(Clone)]
pub struct LoginGuard(Arc<Inner>);

struct Inner {
    per_ip: FailureMap<IpAddr>,
    per_account: FailureMap<String>,
    hashing: Semaphore,
    hashing_wait: Duration,
    device_key: [u8; 32],
}

/// What [`LoginGuard::admit`] decided: the attempt may hash, and whether it got past a locked
/// account on its device cookie.
#[derive(Debug, Clone, Copy)]
pub struct Admission {
    bypassed_account_lock: bool,
}

impl LoginGuard {
    pub fn new(limits: LoginLimits) -> LoginGuard {
        LoginGuard(Arc::new(Inner {
            per_ip: FailureMap::new(limits.per_ip),
            per_account: FailureMap::new(limits.per_account),
            hashing: Semaphore::new(limits.hashing_concurrency.max(1)),
            hashing_wait: limits.hashing_wait,
            device_key: rand::random(),
        }))
    }

    /// Whether a password attempt for `email` from `ip` may be checked now; `429` with
    /// `Retry-After` while the address, or the account for a browser it does not know, is locked.
    pub fn admit(
        &self,
        ip: Option<IpAddr>,
        email: &str,
        headers: &HeaderMap,
    ) -> Result<Admission, ApiError> {
        let now = Instant::now();
        if let Some(wait) = ip.and_then(|ip| self.0.per_ip.locked(&client_key(ip), now)) {
            return Err(ApiError::too_many_requests(
                wait,
                "too many failed sign-ins from this address; retry after the time in Retry-After",
            ));
        }
        let account = account_key(email);
        let mut bypassed_account_lock = false;
        if let Some(wait) = self.0.per_account.locked(&account, now) {
            if !self.known_device(headers, &account) {
                return Err(ApiError::too_many_requests(
                    wait,
                    "too many failed sign-ins for this account; retry after the time in \
                     Retry-After, or sign in from a browser you have used before",
                ));
            }
            bypassed_account_lock = true;
        }
        Ok(Admission {
            bypassed_account_lock,
        })
    }

    /// A slot to hash a password in; `503` with `Retry-After` when none frees up in time.
    pub async fn hashing_slot(&self) -> Result<SemaphorePermit<'_>, ApiError> {
        match tokio::time::timeout(self.0.hashing_wait, self.0.hashing.acquire()).await {
            Ok(Ok(permit)) => Ok(permit),
            _ => Err(ApiError {
                retry_after: Some(Duration::from_secs(1)),
                ..ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "busy",
                    "the server is checking too many passwords at once; retry in a moment",
                )
            }),
        }
    }

    /// Counts a wrong password for `email` from `ip`.
    pub fn failed(&self, ip: Option<IpAddr>, email: &str) {
        let now = Instant::now();
        if let Some(ip) = ip {
            self.0.per_ip.fail(client_key(ip), now);
        }
        self.0.per_account.fail(account_key(email), now);
    }

    /// A correct password: clears the account's count, unless the attempt only got in on its
    /// device cookie (a guesser's failures must keep locking other browsers out).
    pub fn succeeded(&self, email: &str, admission: Admission) {
        if !admission.bypassed_account_lock {
            self.0.per_account.clear(&account_key(email));
        }
    }

    /// Forgets the account's failures (an admin reset its password).
    pub fn forget_account(&self, email: &str) {
        self.0.per_account.clear(&account_key(email));
    }

    /// The `Set-Cookie` value that marks this browser as known for `email`.
    pub fn device_cookie(&self, email: &str, secure: bool) -> String {
        format!(
            "{DEVICE_COOKIE}={}; Path=/api/v1/session; HttpOnly; SameSite=Strict; Max-Age={}{}",
            self.device_mark(&account_key(email)),
            DEVICE_COOKIE_DAYS * 24 * 60 * 60,
            if secure { "; Secure" } else { "" }
        )
    }

    fn device_mark(&self, account: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0.device_key)
            .expect("HMAC takes keys of any length");
        mac.update(b"answerdesk-device:");
        mac.update(account.as_bytes());
        URL_SAFE_NO_PAD.encode(&mac.finalize().into_bytes()[..18])
    }

    fn known_device(&self, headers: &HeaderMap, account: &str) -> bool {
        let expected = self.device_mark(account);
        super::auth::cookies(headers).any(|(name, value)| {
            name == DEVICE_COOKIE && crate::secret::same_secret(value, &expected)
        })
    }
}

fn account_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// IPv6 clients by their /64 (what one host is given), like the request limits.
fn client_key(ip: IpAddr) -> IpAddr {
    super::rate_limit::client_key(ip)
}

/// Tracked keys beyond which those with nothing left to remember are dropped.
const PRUNE_ABOVE: usize = 10_000;
/// Pruning scans the whole table, so it runs at most this often.
const PRUNE_EVERY: Duration = Duration::from_secs(1);

/// Consecutive failures by key. A key without a record has none, so records that are unlocked
/// and old enough to be forgotten can be dropped without changing any answer.
struct FailureMap<K> {
    backoff: Backoff,
    state: Mutex<FailureState<K>>,
}

struct FailureState<K> {
    records: HashMap<K, Failures>,
    last_prune: Option<Instant>,
}

#[derive(Debug, Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
    locked_until: Option<Instant>,
}

impl<K: Hash + Eq> FailureMap<K> {
    fn new(backoff: Backoff) -> Self {
        FailureMap {
            backoff,
            state: Mutex::new(FailureState {
                records: HashMap::new(),
                last_prune: None,
            }),
        }
    }

    /// How long `key` stays locked, if it is.
    fn locked(&self, key: &K, now: Instant) -> Option<Duration> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state
            .records
            .get(key)
            .and_then(|record| record.locked_until)
            .filter(|until| *until > now)
            .map(|until| until - now)
    }

    fn fail(&self, key: K, now: Instant) {
        let backoff = self.backoff;
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        self.prune(&mut state, now);
        let record = state.records.entry(key).or_insert(Failures {
            count: 0,
            last: now,
            locked_until: None,
        });
        if now.saturating_duration_since(record.last) >= backoff.forget_after {
            record.count = 0;
        }
        record.count = record.count.saturating_add(1);
        record.last = now;
        if record.count >= backoff.free_failures.max(1) {
            let doublings = (record.count - backoff.free_failures.max(1)).min(30);
            let lock = backoff
                .base
                .saturating_mul(1u32 << doublings)
                .min(backoff.max);
            record.locked_until = Some(now + lock);
        }
    }

    fn clear(&self, key: &K) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.records.remove(key);
    }

    fn prune(&self, state: &mut FailureState<K>, now: Instant) {
        if state.records.len() <= PRUNE_ABOVE
            || state
                .last_prune
                .is_some_and(|at| now.saturating_duration_since(at) < PRUNE_EVERY)
        {
            return;
        }
        let forget_after = self.backoff.forget_after;
        state.records.retain(|_, record| {
            record.locked_until.is_some_and(|until| until > now)
                || now.saturating_duration_since(record.last) < forget_after
        });
        state.last_prune = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BACKOFF: Backoff = Backoff {
        free_failures: 3,
        base: Duration::from_secs(1),
        max: Duration::from_secs(8),
        forget_after: Duration::from_secs(3600),
    };

    #[test]
    fn locks_after_the_free_failures_and_doubles_up_to_the_cap() {
        let map = FailureMap::new(BACKOFF);
        let start = Instant::now();
        map.fail("a", start);
        map.fail("a", start);
        assert_eq!(map.locked(&"a", start), None, "two failures are free");
        map.fail("a", start);
        assert_eq!(map.locked(&"a", start), Some(Duration::from_secs(1)));
        let later = start + Duration::from_secs(1);
        assert_eq!(map.locked(&"a", later), None, "the lock ends");
        let mut locks = Vec::new();
        let mut now = later;
        for _ in 0..5 {
            map.fail("a", now);
            let lock = map.locked(&"a", now).unwrap();
            locks.push(lock.as_secs());
            now += lock;
        }
        assert_eq!(locks, [2, 4, 8, 8, 8]);
        assert_eq!(map.locked(&"b", now), None, "other keys are not affected");
        map.clear(&"a");
        map.fail("a", now);
        assert_eq!(map.locked(&"a", now), None, "cleared: free failures again");
    }

    #[test]
    fn old_failures_are_forgotten() {
        let map = FailureMap::new(BACKOFF);
        let start = Instant::now();
        map.fail("a", start);
        map.fail("a", start);
        let later = start + BACKOFF.forget_after;
        map.fail("a", later);
        assert_eq!(map.locked(&"a", later), None);
    }

    #[test]
    fn prunes_only_what_it_can_forget() {
        let map = FailureMap::new(BACKOFF);
        let start = Instant::now();
        for key in 0..=PRUNE_ABOVE {
            map.fail(key, start);
        }
        let later = start + BACKOFF.forget_after;
        map.fail(usize::MAX, later);
        assert_eq!(map.state.lock().unwrap().records.len(), 1);
    }

    #[test]
    fn device_marks_are_per_account_and_per_process() {
        let guard = LoginGuard::new(LoginLimits::default());
        let cookie = guard.device_cookie("Ann@Example.com", false);
        let value = cookie.split(';').next().unwrap().to_owned();
        let mut headers = HeaderMap::new();
        headers.insert(axum::http::header::COOKIE, value.parse().unwrap());
        assert!(guard.known_device(&headers, "ann@example.com"));
        assert!(!guard.known_device(&headers, "bob@example.com"));
        let other = LoginGuard::new(LoginLimits::default());
        assert!(!other.known_device(&headers, "ann@example.com"));
    }
}
