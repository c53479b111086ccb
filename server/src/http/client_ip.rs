//! Which address a request comes from, for every per-address limit (visitor requests, sign-in
//! failures, event streams).
//!
//! By default it is the TCP peer: `X-Forwarded-For` and `Forwarded` are written by whoever sends
//! the request, so trusting them lets any client pick the address it is limited as. Behind a
//! reverse proxy every request's peer is the proxy, so all visitors would share one bucket: the
//! operator lists the proxies (`trusted_proxies`), and only for requests whose peer is one of
//! them the forwarded chain is read, right to left, skipping listed proxies; the first address
//! that is not one is the client. Addresses further left were written by the client itself and
//! are never believed.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Request};

/// An address or a block of addresses (`192.0.2.1`, `10.0.0.0/8`, `2001:db8::/32`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpBlock {
    network: IpAddr,
    prefix: u8,
}

/// A `trusted_proxies` entry that is not an address or a CIDR block.
#[derive(Debug, thiserror::Error)]
#[error("{0:?} is not an IP address or CIDR block (e.g. 10.0.0.1, 10.0.0.0/8, fd00::/8)")]
pub struct BadIpBlock(String);

impl FromStr for IpBlock {
    type Err = BadIpBlock;

    fn from_str(text: &str) -> Result<Self, BadIpBlock> {
        let bad = || BadIpBlock(text.to_owned());
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text.trim(), None),
        };
        let network: IpAddr = address.parse().map_err(|_| bad())?;
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(prefix) => prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(bad)?,
            None => bits,
        };
        Ok(IpBlock { network, prefix })
    }
}

impl fmt::Display for IpBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

impl IpBlock {
    fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`, what a dual-stack socket reports) as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

/// The reverse proxies whose forwarding headers are believed; none by default. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Arc<Vec<IpBlock>>);

impl TrustedProxies {
    /// Parses every entry; the first bad one is the error.
    pub fn parse<S: AsRef<str>>(entries: &[S]) -> Result<TrustedProxies, BadIpBlock> {
        let blocks = entries
            .iter()
            .map(|entry| entry.as_ref().parse())
            .collect::<Result<Vec<IpBlock>, _>>()?;
        Ok(TrustedProxies(Arc::new(blocks)))
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|block| block.contains(ip))
    }

    /// The client's address: the peer, or when the peer is a trusted proxy, the right-most
    /// address of the forwarded chain that is not a trusted proxy.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = canonical(peer);
        if !self.trusts(peer) {
            return peer;
        }
        let chain = forwarded_chain(headers);
        let mut client = peer;
        for hop in chain.iter().rev() {
            match hop {
                // A trusted proxy wrote something it did not understand: stop at the last
                // address known good rather than guess.
                None => break,
                Some(ip) => {
                    client = canonical(*ip);
                    if !self.trusts(client) {
                        break;
                    }
                }
            }
        }
        client
    }

    /// [`TrustedProxies::client`] of a request served with connect info; `None` without it
    /// (requests driven in-process, with no peer at all).
    pub fn client_of<B>(&self, request: &Request<B>) -> Option<IpAddr> {
        let peer = request
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip())?;
        Some(self.client(peer, request.headers()))
    }
}

/// Extractor: the client's address as [`TrustedProxies::client`] sees it; `None` when the server
/// runs without connect info.
pub struct ClientIp(pub Option<IpAddr>);

impl FromRequestParts<super::AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &super::AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip());
        Ok(ClientIp(
            peer.map(|peer| state.proxies.client(peer, &parts.headers)),
        ))
    }
}

/// The addresses of `X-Forwarded-For` (every header line, in order), or when there is none, the
/// `for=` parameters of `Forwarded`; `None` for an entry that is not an address (`unknown`, an
/// obfuscated name).
fn forwarded_chain(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let xff: Vec<Option<IpAddr>> = headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|value| value.to_str().unwrap_or("\u{0}").split(','))
        .map(|entry| parse_node(entry.trim()))
        .collect();
    if !xff.is_empty() {
        return xff;
    }
    headers
        .get_all("forwarded")
        .iter()
        .flat_map(|value| value.to_str().unwrap_or("\u{0}").split(','))
        .filter_map(|element| {
            let mut node = None;
            for pair in element.split(';') {
                if let Some((name, value)) = pair.trim().split_once('=') {
                    if name.trim().eq_ignore_ascii_case("for") {
                        node = Some(parse_node(value.trim().trim_matches('"')));
                    }
                }
            }
            node
        })
        .collect()
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`, `2001:db8::1`,
/// `[2001:db8::1]:4711`.
fn parse_node(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Some(addr.ip());
    }
    text.strip_prefix('[')
        .and_then(|rest| rest.split_once(']'))
        .and_then(|(ip, _)| ip.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn blocks_parse_and_match() {
        let block: IpBlock = "10.0.0.0/8".parse().unwrap();
        assert!(block.contains(ip("10.1.2.3")));
        assert!(block.contains(ip("::ffff:10.1.2.3")));
        assert!(!block.contains(ip("11.0.0.1")));
        let single: IpBlock = "192.0.2.1".parse().unwrap();
        assert!(single.contains(ip("192.0.2.1")) && !single.contains(ip("192.0.2.2")));
        let v6: IpBlock = "fd00::/8".parse().unwrap();
        assert!(v6.contains(ip("fd12::1")) && !v6.contains(ip("2001:db8::1")));
        let everything: IpBlock = "0.0.0.0/0".parse().unwrap();
        assert!(everything.contains(ip("203.0.113.9")));
        for bad in ["", "10.0.0.0/33", "proxy.local", "10.0.0.0/x", "::/129"] {
            assert!(bad.parse::<IpBlock>().is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_headers_count_only_from_listed_proxies() {
        let proxies = TrustedProxies::parse(&["127.0.0.1", "10.0.0.0/8"]).unwrap();
        let spoofed = headers(&[("x-forwarded-for", "198.51.100.1")]);
        // A client that is not a proxy cannot choose its address.
        assert_eq!(
            proxies.client(ip("203.0.113.5"), &spoofed),
            ip("203.0.113.5")
        );
        // Through the proxy: the right-most address that is not a proxy.
        let chain = headers(&[("x-forwarded-for", "198.51.100.1, 203.0.113.5, 10.0.0.2")]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &chain), ip("203.0.113.5"));
        // Several header lines are one list.
        let lines = headers(&[
            ("x-forwarded-for", "198.51.100.1"),
            ("x-forwarded-for", "203.0.113.7"),
        ]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &lines), ip("203.0.113.7"));
        // RFC 7239 when there is no X-Forwarded-For.
        let forwarded = headers(&[(
            "forwarded",
            "for=198.51.100.1, for=\"[2001:db8::7]:4711\";proto=https",
        )]);
        assert_eq!(
            proxies.client(ip("10.9.9.9"), &forwarded),
            ip("2001:db8::7")
        );
        // Nothing forwarded: the proxy itself.
        assert_eq!(
            proxies.client(ip("127.0.0.1"), &HeaderMap::new()),
            ip("127.0.0.1")
        );
        // Garbage after trusted hops: the last good one.
        let garbage = headers(&[("x-forwarded-for", "unknown, 10.0.0.3")]);
        assert_eq!(proxies.client(ip("127.0.0.1"), &garbage), ip("10.0.0.3"));
        // No proxies configured: never read.
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("127.0.0.1"), &chain), ip("127.0.0.1"));
    }
}
