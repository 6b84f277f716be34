//! When to try a refused or failed request again, and how long to wait first.

use std::time::Duration;

/// Exponential backoff with jitter, up to a number of attempts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all (the first one included) for server and network errors.
    pub max_attempts: u32,
    /// Attempts in all for throttled requests, which SES refused without sending.
    pub max_throttled_attempts: u32,
    /// The wait before the second attempt; it doubles each time.
    pub base_delay: Duration,
    /// The first wait after a throttle (the rate bucket slows down as well).
    pub throttle_base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    /// Close to the SES guide's 5 s, 10 s, 30 s for server errors.
    fn default() -> Self {
        Self {
            max_attempts: 4,
            max_throttled_attempts: 12,
            base_delay: Duration::from_secs(5),
            throttle_base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt number `attempt` (1-based): `base × 2^(attempt−1)`,
    /// capped, then jittered into its upper half so retries from many tasks spread out.
    pub fn backoff(&self, attempt: u32) -> Duration {
        self.jittered(self.base_delay, attempt)
    }

    /// Like [`backoff`](Self::backoff), from the throttle base delay.
    pub fn throttle_backoff(&self, attempt: u32) -> Duration {
        self.jittered(self.throttle_base_delay, attempt)
    }

    fn jittered(&self, base: Duration, attempt: u32) -> Duration {
        let exp = base.saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
        let capped = exp.min(self.max_delay);
        let half = capped / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_with_jitter() {
        let policy = RetryPolicy {
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(10),
            ..RetryPolicy::default()
        };
        for (attempt, nominal) in [
            (1, 1.0),
            (2, 2.0),
            (3, 4.0),
            (4, 8.0),
            (5, 10.0),
            (40, 10.0),
        ] {
            let mut seen = Vec::new();
            for _ in 0..200 {
                let d = policy.backoff(attempt).as_secs_f64();
                assert!(d >= nominal / 2.0 && d <= nominal, "attempt {attempt}: {d}");
                seen.push(d);
            }
            let distinct = seen
                .iter()
                .map(|d| (d * 1e6) as u64)
                .collect::<std::collections::HashSet<_>>();
            assert!(distinct.len() > 100, "jitter spreads the waits");
        }
    }
}
