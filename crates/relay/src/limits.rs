//! Per-client-IP rate limiting (a token bucket per address) and finding the client's
//! address behind the reverse proxy.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;

use crate::config::Limit;

/// Buckets kept before idle ones are dropped.
const MAX_TRACKED: usize = 50_000;

pub struct RateLimiter {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(limit: Limit) -> Self {
        Self {
            per_second: f64::from(limit.per_minute) / 60.0,
            burst: f64::from(limit.burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// `Ok` if `ip` may go ahead now, otherwise how long until it may.
    pub fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        if self.per_second <= 0.0 {
            return Ok(());
        }
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(());
        };
        if buckets.len() >= MAX_TRACKED {
            let full_after = self.burst / self.per_second;
            buckets.retain(|_, (_, seen)| now.duration_since(*seen).as_secs_f64() < full_after);
        }
        let (tokens, seen) = buckets.entry(ip).or_insert((self.burst, now));
        *tokens =
            (*tokens + now.duration_since(*seen).as_secs_f64() * self.per_second).min(self.burst);
        *seen = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / self.per_second))
        }
    }
}

/// The client's address: the peer, or with `trust_forwarded_for` and a loopback peer (the
/// reverse proxy on the same host), the last `X-Forwarded-For` entry the proxy appended.
pub fn client_ip(peer: SocketAddr, headers: &HeaderMap, trust_forwarded_for: bool) -> IpAddr {
    if trust_forwarded_for && peer.ip().is_loopback() {
        // Only the entry the proxy appended; earlier ones are whatever the client sent.
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .next_back()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .and_then(|s| s.trim().parse::<IpAddr>().ok());
        if let Some(ip) = forwarded {
            return ip;
        }
    }
    peer.ip()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_refuses() {
        let limiter = RateLimiter::new(Limit {
            per_minute: 60,
            burst: 3,
        });
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        assert!((0..3).all(|_| limiter.check(ip).is_ok()));
        let wait = limiter.check(ip).unwrap_err();
        assert!(wait <= Duration::from_secs(1));
        assert!(
            limiter.check("192.0.2.2".parse().unwrap()).is_ok(),
            "per address"
        );
        let off = RateLimiter::new(Limit {
            per_minute: 0,
            burst: 0,
        });
        assert!((0..1000).all(|_| off.check(ip).is_ok()));
    }

    #[test]
    fn forwarded_for_is_trusted_only_from_the_local_proxy() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "198.51.100.7, 203.0.113.9".parse().unwrap(),
        );
        let proxy: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let outside: SocketAddr = "192.0.2.1:5000".parse().unwrap();
        assert_eq!(
            client_ip(proxy, &headers, true),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        assert_eq!(client_ip(proxy, &headers, false), proxy.ip());
        assert_eq!(client_ip(outside, &headers, true), outside.ip());
    }
}
