//! Sign-in throttling (OWASP ASVS 4.0 V2.2.1): attempts are counted per login and failures
//! per client address; a login is slowed down after a few failures, then locked for a while,
//! and unlocked by time or by a System Administrator. Not a rule of the standard but of
//! gaibu's own security; pure, with the time as a parameter.
//!
//! Every attempt on a login is counted before its password is checked, and the count is only
//! cleared by a success: parallel guesses get distinct counts, so a burst cannot slip past the
//! limit before the failures are written.

use serde::{Deserialize, Serialize};

/// The limits; `Default` gives the values gaibu ships with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThrottlePolicy {
    /// Attempts on a login that are never slowed down.
    pub free_attempts: u32,
    /// Attempts on a login after which it is locked.
    pub lock_after: u32,
    /// How long a lock lasts.
    pub lock_minutes: i64,
    /// The longest wait between two attempts before the lock (it doubles from 1 s).
    pub max_delay_seconds: i64,
    /// Failures from one client address within the window after which it waits for the
    /// window's end (a city hall signs in through few addresses: set it well above one
    /// person's mistakes).
    pub address_failures: u32,
    pub address_window_minutes: i64,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            free_attempts: 5,
            lock_after: 10,
            lock_minutes: 15,
            max_delay_seconds: 60,
            address_failures: 100,
            address_window_minutes: 15,
        }
    }
}

/// A login's attempts since its last success, as the attempt being judged found them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoginAttempts {
    /// Attempts before this one.
    pub before: u32,
    /// When the attempt before this one was made (ms).
    pub previous_at_ms: Option<i64>,
    /// Locked until then (ms), if a lock was set.
    pub locked_until_ms: Option<i64>,
}

/// A client address's recent failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AddressFailures {
    pub count: u32,
    pub window_start_ms: i64,
}

/// What becomes of an attempt, before its password is looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The password is checked.
    Try,
    /// The lock has ended: the count starts again from this attempt, which is checked.
    TryAfterLock,
    /// Too soon after the last attempt: refused without checking.
    Wait { until_ms: i64 },
    /// Locked (now, or already): refused without checking.
    Locked { until_ms: i64, newly: bool },
}

impl Verdict {
    pub fn refused(self) -> bool {
        matches!(self, Verdict::Wait { .. } | Verdict::Locked { .. })
    }
}

const MINUTE_MS: i64 = 60_000;

impl ThrottlePolicy {
    /// The wait after `failures` attempts (none within the free attempts, then 1, 2, 4 … s).
    pub fn delay_ms(&self, attempts: u32) -> i64 {
        if attempts < self.free_attempts {
            return 0;
        }
        let doubling = (attempts - self.free_attempts).min(30);
        (1_i64 << doubling).min(self.max_delay_seconds) * 1000
    }

    /// Judges an attempt on a login at `now_ms`.
    pub fn judge_login(&self, a: &LoginAttempts, now_ms: i64) -> Verdict {
        if let Some(until) = a.locked_until_ms {
            if now_ms < until {
                return Verdict::Locked {
                    until_ms: until,
                    newly: false,
                };
            }
            return Verdict::TryAfterLock;
        }
        if a.before >= self.lock_after {
            return Verdict::Locked {
                until_ms: now_ms + self.lock_minutes * MINUTE_MS,
                newly: true,
            };
        }
        if let Some(prev) = a.previous_at_ms {
            let until = prev + self.delay_ms(a.before);
            if now_ms < until {
                return Verdict::Wait { until_ms: until };
            }
        }
        Verdict::Try
    }

    /// Judges an attempt from a client address at `now_ms`.
    pub fn judge_address(&self, f: &AddressFailures, now_ms: i64) -> Verdict {
        let end = f.window_start_ms + self.address_window_minutes * MINUTE_MS;
        if f.count >= self.address_failures && now_ms < end {
            return Verdict::Wait { until_ms: end };
        }
        Verdict::Try
    }

    /// Whether an address's window that began at `start_ms` is over at `now_ms` (its count
    /// starts again).
    pub fn address_window_over(&self, start_ms: i64, now_ms: i64) -> bool {
        now_ms >= start_ms + self.address_window_minutes * MINUTE_MS
    }
}

/// A login as the audit trail and the counters keep it: trimmed, lower case, at most 64
/// characters (what was typed can be anything, up to the size of a request).
pub fn normalised_login(typed: &str) -> String {
    typed
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .flat_map(char::to_lowercase)
        .take(64)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(before: u32, prev: i64) -> LoginAttempts {
        LoginAttempts {
            before,
            previous_at_ms: Some(prev),
            locked_until_ms: None,
        }
    }

    #[test]
    fn a_login_is_slowed_then_locked_then_free_again() {
        let p = ThrottlePolicy::default();
        // The free attempts: no wait, however quick.
        for n in 0..p.free_attempts {
            assert_eq!(p.judge_login(&at(n, 1_000), 1_000), Verdict::Try, "{n}");
        }
        // Then 1 s, 2 s, 4 s … between attempts.
        assert_eq!(
            p.judge_login(&at(5, 1_000), 1_500),
            Verdict::Wait { until_ms: 2_000 }
        );
        assert_eq!(p.judge_login(&at(5, 1_000), 2_000), Verdict::Try);
        assert_eq!(
            p.judge_login(&at(7, 1_000), 4_999),
            Verdict::Wait { until_ms: 5_000 }
        );
        assert_eq!(p.delay_ms(40), 60_000, "capped");
        // The eleventh attempt locks, and a lock refuses until it ends.
        let locked = p.judge_login(&at(10, 1_000), 100_000);
        assert_eq!(
            locked,
            Verdict::Locked {
                until_ms: 100_000 + 15 * 60_000,
                newly: true
            }
        );
        assert!(locked.refused());
        let held = LoginAttempts {
            before: 11,
            previous_at_ms: Some(100_000),
            locked_until_ms: Some(1_000_000),
        };
        assert_eq!(
            p.judge_login(&held, 999_999),
            Verdict::Locked {
                until_ms: 1_000_000,
                newly: false
            }
        );
        assert_eq!(p.judge_login(&held, 1_000_000), Verdict::TryAfterLock);
    }

    #[test]
    fn an_address_waits_for_its_window_after_many_failures() {
        let p = ThrottlePolicy::default();
        let f = AddressFailures {
            count: 100,
            window_start_ms: 0,
        };
        assert_eq!(
            p.judge_address(&f, 60_000),
            Verdict::Wait {
                until_ms: 15 * 60_000
            }
        );
        assert_eq!(p.judge_address(&f, 15 * 60_000), Verdict::Try);
        assert_eq!(
            p.judge_address(&AddressFailures { count: 99, ..f }, 1),
            Verdict::Try
        );
        assert!(p.address_window_over(0, 15 * 60_000));
        assert!(!p.address_window_over(0, 15 * 60_000 - 1));
    }

    #[test]
    fn the_typed_login_is_kept_bounded_and_normalised() {
        assert_eq!(normalised_login("  IM\n "), "im");
        assert_eq!(normalised_login(&"x".repeat(20_000)).len(), 64);
    }
}
