//! The sending rate: a token bucket with AIMD. Throttling halves the refill rate
//! (multiplicative decrease, at most once per cooldown so one burst of refusals counts once);
//! after a quiet hold period the rate climbs back linearly to its ceiling (additive increase).
//! Time is tokio's, so tests run it with paused time.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// How the bucket reacts to throttling.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AimdConfig {
    /// Throttles closer together than this count as one.
    pub decrease_cooldown: Duration,
    /// How long after the last throttle the rate stays where it is before climbing.
    pub recovery_hold: Duration,
    /// Added per second while recovering, as a fraction of the ceiling.
    pub increase_per_second: f64,
    /// The rate never drops below this fraction of the ceiling.
    pub floor_fraction: f64,
    /// Burst size in seconds of the current rate (at least one token).
    pub burst_seconds: f64,
}

impl Default for AimdConfig {
    fn default() -> Self {
        Self {
            decrease_cooldown: Duration::from_secs(1),
            recovery_hold: Duration::from_secs(10),
            increase_per_second: 0.05,
            floor_fraction: 0.02,
            burst_seconds: 0.1,
        }
    }
}

/// A token bucket shared by every send task of a run.
#[derive(Debug)]
pub struct RateLimiter {
    config: AimdConfig,
    bucket: Mutex<Bucket>,
}

#[derive(Debug)]
struct Bucket {
    ceiling: f64,
    rate: f64,
    tokens: f64,
    last_refill: Instant,
    last_throttle: Option<Instant>,
}

impl Bucket {
    fn capacity(&self, config: &AimdConfig) -> f64 {
        (self.rate * config.burst_seconds).max(1.0)
    }

    fn refill(&mut self, now: Instant, config: &AimdConfig) {
        let elapsed = now
            .saturating_duration_since(self.last_refill)
            .as_secs_f64();
        if elapsed <= 0.0 {
            return;
        }
        // Tokens at the old rate first, then let the rate recover for the part of the
        // interval that lies after the hold.
        self.tokens = (self.tokens + self.rate * elapsed).min(self.capacity(config));
        if let Some(throttled) = self.last_throttle {
            let recovering_since = throttled + config.recovery_hold;
            if now > recovering_since && self.rate < self.ceiling {
                let from = recovering_since.max(self.last_refill);
                let secs = now.saturating_duration_since(from).as_secs_f64();
                let step = self.ceiling * config.increase_per_second * secs;
                self.rate = (self.rate + step).min(self.ceiling);
            }
        }
        self.last_refill = now;
    }
}

impl RateLimiter {
    /// A bucket refilling at `rate` per second, starting with one token so a run does not
    /// begin with a burst.
    pub fn new(rate: f64, config: AimdConfig) -> Self {
        let rate = sane(rate);
        Self {
            config,
            bucket: Mutex::new(Bucket {
                ceiling: rate,
                rate,
                tokens: 1.0,
                last_refill: Instant::now(),
                last_throttle: None,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Bucket> {
        // A panic while holding the lock leaves plain numbers behind; keep using them.
        self.bucket.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for one token.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut b = self.lock();
                b.refill(Instant::now(), &self.config);
                if b.tokens >= 1.0 {
                    b.tokens -= 1.0;
                    return;
                }
                Duration::from_secs_f64((1.0 - b.tokens) / b.rate)
            };
            tokio::time::sleep(wait.max(Duration::from_micros(100))).await;
        }
    }

    /// SES said "too fast": halve the rate, unless that already happened within the cooldown.
    pub fn throttled(&self) {
        let now = Instant::now();
        let mut b = self.lock();
        b.refill(now, &self.config);
        let recent = b
            .last_throttle
            .is_some_and(|t| now.saturating_duration_since(t) < self.config.decrease_cooldown);
        if !recent {
            let floor = b.ceiling * self.config.floor_fraction;
            b.rate = (b.rate / 2.0).max(floor).max(f64::MIN_POSITIVE);
            b.tokens = b.tokens.min(b.capacity(&self.config));
        }
        b.last_throttle = Some(now);
    }

    /// Changes the ceiling (a new quota or user rate); the current rate follows it down.
    pub fn set_ceiling(&self, rate: f64) {
        let rate = sane(rate);
        let mut b = self.lock();
        b.refill(Instant::now(), &self.config);
        b.ceiling = rate;
        b.rate = b.rate.min(rate);
        if b.last_throttle.is_none() {
            b.rate = rate;
        }
    }

    /// The refill rate in force, per second.
    pub fn current_rate(&self) -> f64 {
        let mut b = self.lock();
        b.refill(Instant::now(), &self.config);
        b.rate
    }

    pub fn ceiling(&self) -> f64 {
        self.lock().ceiling
    }
}

fn sane(rate: f64) -> f64 {
    if rate.is_finite() && rate > 0.0 {
        rate
    } else {
        1.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn time_for(limiter: &RateLimiter, n: usize) -> Duration {
        let start = Instant::now();
        for _ in 0..n {
            limiter.acquire().await;
        }
        start.elapsed()
    }

    #[tokio::test(start_paused = true)]
    async fn the_bucket_paces_to_its_rate_without_an_initial_burst() {
        let limiter = RateLimiter::new(50.0, AimdConfig::default());
        // One token at the start, then 50 per second: 3,001 tokens take 60 seconds.
        let took = time_for(&limiter, 3_001).await;
        let secs = took.as_secs_f64();
        assert!((59.9..=60.1).contains(&secs), "{secs}");
    }

    #[tokio::test(start_paused = true)]
    async fn throttling_halves_the_rate_once_per_burst_and_it_recovers() {
        let config = AimdConfig::default();
        let limiter = RateLimiter::new(100.0, config);
        limiter.throttled();
        limiter.throttled(); // same burst of refusals: counts once
        assert_eq!(limiter.current_rate(), 50.0);
        tokio::time::advance(Duration::from_secs(2)).await;
        limiter.throttled(); // a later throttle halves again
        assert_eq!(limiter.current_rate(), 25.0);

        // Held during the recovery hold...
        tokio::time::advance(config.recovery_hold - Duration::from_millis(1)).await;
        assert_eq!(limiter.current_rate(), 25.0);
        // ...then 5% of the ceiling per second: 5 per second here.
        tokio::time::advance(Duration::from_millis(1) + Duration::from_secs(5)).await;
        let rate = limiter.current_rate();
        assert!((rate - 50.0).abs() < 0.01, "{rate}");
        tokio::time::advance(Duration::from_secs(60)).await;
        assert_eq!(limiter.current_rate(), 100.0, "never above the ceiling");

        // While slowed, the bucket really paces slower: after its burst of 5 (0.1 s at
        // 50/s), 46 more tokens take 0.92 s.
        limiter.throttled();
        let took = time_for(&limiter, 51).await.as_secs_f64();
        assert!((0.91..=0.93).contains(&took), "{took}");
    }

    #[tokio::test(start_paused = true)]
    async fn the_rate_never_falls_below_its_floor_and_follows_a_new_ceiling() {
        let limiter = RateLimiter::new(10.0, AimdConfig::default());
        for _ in 0..20 {
            limiter.throttled();
            tokio::time::advance(Duration::from_secs(2)).await;
        }
        assert!((limiter.current_rate() - 0.2).abs() < 1e-9);
        limiter.set_ceiling(4.0);
        assert_eq!(limiter.ceiling(), 4.0);
        assert!(limiter.current_rate() <= 4.0);
        let fresh = RateLimiter::new(10.0, AimdConfig::default());
        fresh.set_ceiling(3.0);
        assert_eq!(fresh.current_rate(), 3.0);
    }
}
