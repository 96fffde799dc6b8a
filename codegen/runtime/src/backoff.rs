//! The one backoff schedule: retries wait a random time below it (full jitter), waiters pause
//! exactly by it.

use std::time::Duration;

/// `base × 2^doublings`, capped at `cap` (or at `base`, if that is longer), without overflow.
pub(crate) fn doubling(base: Duration, cap: Duration, doublings: u32) -> Duration {
    let factor = 1_u32.checked_shl(doublings).unwrap_or(u32::MAX);
    base.saturating_mul(factor).min(cap.max(base))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_the_base_up_to_the_cap() {
        let second = Duration::from_secs(1);
        let pauses: Vec<Duration> = (0..6).map(|n| doubling(second, 10 * second, n)).collect();
        assert_eq!(
            pauses,
            [1, 2, 4, 8, 10, 10].map(Duration::from_secs).to_vec()
        );
        // A base above the cap is kept; a huge count does not overflow.
        assert_eq!(doubling(5 * second, second, 3), 5 * second);
        assert_eq!(doubling(second, 10 * second, u32::MAX), 10 * second);
        assert_eq!(doubling(second, 10 * second, 31), 10 * second);
    }
}
