//! Per-IP and per-site token buckets in front of the public (visitor) endpoints.
//!
//! Buckets live in this process: each instance enforces its own share, which is what a limit
//! meant to stop one noisy client from starving the others needs, without a round trip to the
//! database on every request. Every visitor request spends a token of its client's IP bucket;
//! creating an escalation also spends one of its site's bucket, so a site embedded on a busy
//! page cannot flood the agents' inbox however many addresses it comes from.
//!
//! The client address is the TCP peer, or behind a reverse proxy listed in `trusted_proxies`, the
//! address the proxy forwarded ([`super::client_ip`]); forwarding headers from anyone else are
//! ignored, since any client can send them.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::client_ip::TrustedProxies;
use super::problem::ApiError;

/// How many requests one client may make: a burst, then a steady rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    /// Requests allowed at once after a quiet period (the bucket's size); at least 1.
    pub burst: u32,
    /// Tokens added back per minute; at least 1.
    pub per_minute: u32,
}

impl Quota {
    fn refill_per_second(self) -> f64 {
        f64::from(self.per_minute.max(1)) / 60.0
    }

    fn capacity(self) -> f64 {
        f64::from(self.burst.max(1))
    }
}

/// The limits on public endpoints, used when [`crate::Config::rate_limit`] is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Every visitor request, per client address (IPv6 per /64, the block one host is given).
    pub per_ip: Quota,
    /// Escalations per site, from all addresses together.
    pub per_site_escalations: Quota,
}

impl Default for RateLimits {
    /// Generous for people (a visitor polls and posts a few times a minute), tight for scripts.
    fn default() -> Self {
        RateLimits {
            per_ip: Quota {
                burst: 60,
                per_minute: 120,
            },
            per_site_escalations: Quota {
                burst: 300,
                per_minute: 600,
            },
        }
    }
}

/// The buckets of a running server; limits nothing when rate limiting is off.
#[derive(Clone, Default)]
pub struct Limiter {
    buckets: Option<Arc<Buckets>>,
}

struct Buckets {
    per_ip: BucketMap<IpAddr>,
    per_site: BucketMap<String>,
}

impl Limiter {
    /// Enforces `limits`.
    pub fn new(limits: RateLimits) -> Limiter {
        Limiter {
            buckets: Some(Arc::new(Buckets {
                per_ip: BucketMap::new(limits.per_ip),
                per_site: BucketMap::new(limits.per_site_escalations),
            })),
        }
    }

    /// Lets everything through (`--rate-limit off`, for load tests on loopback).
    pub fn off() -> Limiter {
        Limiter::default()
    }

    /// Spends one token of `ip`'s bucket.
    pub fn check_ip(&self, ip: IpAddr) -> Result<(), ApiError> {
        let Some(buckets) = &self.buckets else {
            return Ok(());
        };
        buckets
            .per_ip
            .take(client_key(ip), Instant::now())
            .map_err(|wait| {
                ApiError::too_many_requests(
                    wait,
                    "too many requests from this address; retry after the time in Retry-After",
                )
            })
    }

    /// Spends one token of `site`'s escalation bucket. Call it only for sites that exist, so
    /// made-up site ids cannot fill the table.
    /// Takes one escalation from `site`'s quota, or says how long until one is free.
    pub fn site_wait(&self, site: &str) -> Result<(), Duration> {
        let Some(buckets) = &self.buckets else {
            return Ok(());
        };
        buckets.per_site.take_with(site, Instant::now())
    }
}

/// Middleware: the per-IP limit for every request it wraps. Requests without a peer address
/// (served without connect info) are not limited.
pub async fn per_ip(
    State((limiter, proxies)): State<(Limiter, TrustedProxies)>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(ip) = proxies.client_of(&request) {
        if let Err(limited) = limiter.check_ip(ip) {
            return limited.into_response();
        }
    }
    next.run(request).await
}

/// The address a bucket is kept for: IPv4 as is (also when IPv4-mapped), IPv6 by its /64.
pub(super) fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(prefix))
            }
        },
    }
}

/// Tracked clients beyond which full (idle) buckets are forgotten.
const PRUNE_ABOVE: usize = 10_000;
/// Pruning scans the whole table, so it runs at most this often.
const PRUNE_EVERY: Duration = Duration::from_secs(1);

/// Token buckets by key. A key without a bucket has a full one, so buckets that have refilled
/// can be dropped without changing any answer.
struct BucketMap<K> {
    quota: Quota,
    state: Mutex<BucketState<K>>,
}

struct BucketState<K> {
    buckets: HashMap<K, Bucket>,
    last_prune: Option<Instant>,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl Bucket {
    fn refilled(self, quota: Quota, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(self.updated).as_secs_f64();
        (self.tokens + elapsed * quota.refill_per_second()).min(quota.capacity())
    }
}

impl<K: Hash + Eq> BucketMap<K> {
    fn new(quota: Quota) -> Self {
        BucketMap {
            quota,
            state: Mutex::new(BucketState {
                buckets: HashMap::new(),
                last_prune: None,
            }),
        }
    }

    /// Spends a token of `key`'s bucket, or says how long until one is there.
    fn take(&self, key: K, now: Instant) -> Result<(), Duration> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        self.prune(&mut state, now);
        let quota = self.quota;
        let bucket = state.buckets.entry(key).or_insert(Bucket {
            tokens: quota.capacity(),
            updated: now,
        });
        spend(bucket, quota, now)
    }

    /// [`Self::take`] for a borrowed key, allocating only for a client not seen before.
    fn take_with<Q>(&self, key: &Q, now: Instant) -> Result<(), Duration>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ToOwned<Owned = K> + ?Sized,
    {
        {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(bucket) = state.buckets.get_mut(key) {
                return spend(bucket, self.quota, now);
            }
        }
        self.take(key.to_owned(), now)
    }

    fn prune(&self, state: &mut BucketState<K>, now: Instant) {
        if state.buckets.len() <= PRUNE_ABOVE
            || state
                .last_prune
                .is_some_and(|at| now.saturating_duration_since(at) < PRUNE_EVERY)
        {
            return;
        }
        let quota = self.quota;
        state
            .buckets
            .retain(|_, bucket| bucket.refilled(quota, now) < quota.capacity());
        state.last_prune = Some(now);
    }
}

fn spend(bucket: &mut Bucket, quota: Quota, now: Instant) -> Result<(), Duration> {
    let tokens = bucket.refilled(quota, now);
    bucket.updated = now;
    if tokens >= 1.0 {
        bucket.tokens = tokens - 1.0;
        Ok(())
    } else {
        bucket.tokens = tokens;
        Err(Duration::from_secs_f64(
            (1.0 - tokens) / quota.refill_per_second(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUOTA: Quota = Quota {
        burst: 2,
        per_minute: 60,
    };

    #[test]
    fn allows_a_burst_then_refills_at_the_rate() {
        let map = BucketMap::new(QUOTA);
        let start = Instant::now();
        assert!(map.take("a", start).is_ok());
        assert!(map.take("a", start).is_ok());
        let wait = map.take("a", start).unwrap_err();
        assert!(wait > Duration::from_millis(990) && wait <= Duration::from_secs(1));
        // Other clients have their own bucket.
        assert!(map.take("b", start).is_ok());
        // One token per second comes back, never more than the burst.
        assert!(map.take("a", start + Duration::from_secs(1)).is_ok());
        assert!(map.take("a", start + Duration::from_secs(1)).is_err());
        let later = start + Duration::from_secs(3600);
        assert!(map.take("a", later).is_ok());
        assert!(map.take("a", later).is_ok());
        assert!(map.take("a", later).is_err());
    }

    #[test]
    fn refused_requests_do_not_push_the_retry_further() {
        let map = BucketMap::new(QUOTA);
        let start = Instant::now();
        for _ in 0..2 {
            map.take("a", start).unwrap();
        }
        let half = start + Duration::from_millis(500);
        let first = map.take("a", half).unwrap_err();
        let second = map.take("a", half).unwrap_err();
        assert_eq!(first, second);
        assert!(map.take("a", start + Duration::from_secs(1)).is_ok());
    }

    #[test]
    fn forgets_idle_clients_only_when_many_are_tracked() {
        let map = BucketMap::new(QUOTA);
        let start = Instant::now();
        for key in 0..=PRUNE_ABOVE {
            map.take(key, start).unwrap();
        }
        // Buckets still refilling are kept whatever the size.
        map.take(usize::MAX, start + Duration::from_millis(10))
            .unwrap();
        assert_eq!(map.state.lock().unwrap().buckets.len(), PRUNE_ABOVE + 2);
        // Once refilled, they are dropped; a dropped client starts again with a full bucket.
        map.take(usize::MAX - 1, start + Duration::from_secs(10))
            .unwrap();
        assert_eq!(map.state.lock().unwrap().buckets.len(), 1);
    }

    #[test]
    fn ipv6_clients_share_their_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::2".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_key(a), client_key(b));
        assert_ne!(client_key(a), client_key(c));
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(client_key(mapped), "192.0.2.1".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn off_limits_nothing() {
        let limiter = Limiter::off();
        for _ in 0..1000 {
            limiter.check_ip("192.0.2.1".parse().unwrap()).unwrap();
            limiter.site_wait("demo").unwrap();
        }
    }
}
