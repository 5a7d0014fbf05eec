//! Smart lockout of the resource-owner password grant, as Entra applies it.
//!
//! Facts copied (<https://learn.microsoft.com/entra/identity/authentication/howto-password-smart-lockout>):
//! an account is locked after 10 failed sign-ins (the threshold), for 60 seconds at first; once
//! a lockout has ended, the next failed sign-in locks the account again, and each further
//! lockout lasts longer; the last three bad password hashes are remembered, so the same wrong
//! password sent again does not count again; while locked, every sign-in is refused with
//! AADSTS50053, the right password included. A successful sign-in resets the count.
//!
//! graphmeet's choices, where Microsoft does not say: a repeated lockout lasts twice the one
//! before, up to an hour (or the configured duration, if longer); an account with no failed
//! sign-in for a day, and not locked, starts over; the count is kept per user and tenant in this
//! process's memory (instances sharing a database count separately, and a restart forgets).
//!
//! Only keyed hashes of bad passwords are kept (SHA-256 under a random key of this process),
//! never the passwords. At most [`MAX_TRACKED_ACCOUNTS`] accounts are tracked; past that the
//! oldest quiet unlocked ones are forgotten first, so guessing across many users cannot grow
//! the memory without bound.

use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Mutex;
use uuid::Uuid;

/// How many bad password hashes an account remembers (Entra: the last three).
pub const TRACKED_BAD_PASSWORDS: usize = 3;

/// The most accounts tracked at once.
pub const MAX_TRACKED_ACCOUNTS: usize = 100_000;

/// The longest a repeated lockout lasts (graphmeet's choice), unless the configured first
/// lockout is longer.
pub const MAX_LOCKOUT: Duration = Duration::hours(1);

/// How long an unlocked account must go without a failed sign-in to start over (graphmeet's
/// choice).
pub const FORGET_AFTER: Duration = Duration::days(1);

/// Sign-ins of one account run one at a time, so that clients guessing in parallel cannot all
/// pass the lockout check before any failure is counted. Accounts share these locks by a hash
/// of the user id.
const TURNS: usize = 64;

/// When accounts are locked: after `threshold` failed sign-ins, for `duration` the first time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Failed sign-ins (with distinct bad passwords) that lock the account; 0 turns lockout
    /// off.
    pub threshold: u32,
    /// How long the first lockout lasts; each further one lasts twice as long, up to
    /// [`MAX_LOCKOUT`].
    pub duration: Duration,
}

impl Default for LockoutPolicy {
    /// Entra's defaults: 10 failed sign-ins, 60 seconds.
    fn default() -> Self {
        Self {
            threshold: 10,
            duration: Duration::seconds(60),
        }
    }
}

impl LockoutPolicy {
    /// No lockout: every wrong password is answered AADSTS50126, however many.
    pub fn disabled() -> Self {
        Self {
            threshold: 0,
            ..Self::default()
        }
    }

    /// Whether accounts can be locked at all.
    pub fn enabled(&self) -> bool {
        self.threshold > 0 && self.duration > Duration::zero()
    }

    /// How long the `n`-th lockout since the last successful sign-in lasts (`n` from 1): the
    /// duration, doubled for each lockout before, at most [`MAX_LOCKOUT`] (or the duration, if
    /// that is longer).
    pub fn lockout_duration(&self, n: u32) -> Duration {
        let cap = self.duration.max(MAX_LOCKOUT);
        let doublings = n.saturating_sub(1).min(30);
        self.duration
            .checked_mul(1i32 << doublings)
            .map_or(cap, |d| d.min(cap))
    }
}

/// What a failed sign-in did to its account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Lockout is off.
    NotTracked,
    /// One of the last bad passwords again: not counted.
    Repeated,
    /// Counted; the account is not locked (yet).
    Counted {
        /// Failed sign-ins counted since the last success or lockout.
        failures: u32,
    },
    /// The account is now locked.
    Locked {
        /// Until when.
        until: DateTime<Utc>,
    },
}

#[derive(Debug, Clone)]
struct Account {
    /// Failed sign-ins counted since the last success or lockout.
    failures: u32,
    /// Keyed hashes of the last bad passwords, oldest first.
    bad: Vec<[u8; 32]>,
    /// Lockouts since the last success; a counted failure after one has ended locks again.
    lockouts: u32,
    /// The end of the latest lockout.
    locked_until: Option<DateTime<Utc>>,
    /// The latest failed sign-in.
    last_failure: DateTime<Utc>,
}

impl Account {
    fn new(now: DateTime<Utc>) -> Self {
        Self {
            failures: 0,
            bad: Vec::with_capacity(TRACKED_BAD_PASSWORDS),
            lockouts: 0,
            locked_until: None,
            last_failure: now,
        }
    }

    fn locked_at(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }

    /// Long quiet and not locked: as good as never seen.
    fn forgotten_at(&self, now: DateTime<Utc>) -> bool {
        !self.locked_at(now) && now - self.last_failure >= FORGET_AFTER
    }
}

/// The failed sign-ins of every account, in memory; see the module docs.
pub struct SmartLockout {
    policy: LockoutPolicy,
    capacity: usize,
    /// The key of the bad-password hashes, random for each process.
    key: [u8; 32],
    accounts: Mutex<HashMap<(Uuid, Uuid), Account>>,
    turns: Vec<tokio::sync::Mutex<()>>,
}

impl std::fmt::Debug for SmartLockout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmartLockout")
            .field("policy", &self.policy)
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

impl SmartLockout {
    /// Lockout under `policy`, tracking up to [`MAX_TRACKED_ACCOUNTS`] accounts.
    pub fn new(policy: LockoutPolicy) -> Self {
        Self::with_capacity(policy, MAX_TRACKED_ACCOUNTS)
    }

    /// Lockout under `policy`, tracking up to `capacity` accounts (at least one).
    pub fn with_capacity(policy: LockoutPolicy, capacity: usize) -> Self {
        use rand::RngCore;
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        Self {
            policy,
            capacity: capacity.max(1),
            key,
            accounts: Mutex::new(HashMap::new()),
            turns: (0..TURNS).map(|_| tokio::sync::Mutex::new(())).collect(),
        }
    }

    /// The policy in force.
    pub fn policy(&self) -> LockoutPolicy {
        self.policy
    }

    /// How many accounts are tracked now.
    pub fn tracked(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(Uuid, Uuid), Account>> {
        self.accounts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits for the user's turn to sign in; hold it from the lockout check until the outcome
    /// is recorded. `None` when lockout is off (sign-ins then run in parallel).
    pub async fn turn(&self, user: Uuid) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        if !self.policy.enabled() {
            return None;
        }
        // A user id is random: its low bits spread the accounts over the locks.
        let index = (user.as_u128() % TURNS as u128) as usize;
        Some(self.turns[index].lock().await)
    }

    /// Until when the account is locked, if it is locked at `now`.
    pub fn locked_until(
        &self,
        tenant: Uuid,
        user: Uuid,
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        if !self.policy.enabled() {
            return None;
        }
        self.lock()
            .get(&(tenant, user))
            .filter(|a| a.locked_at(now))
            .and_then(|a| a.locked_until)
    }

    /// Records a failed sign-in with `password` at `now`, and says what it did.
    pub fn record_failure(
        &self,
        tenant: Uuid,
        user: Uuid,
        password: &str,
        now: DateTime<Utc>,
    ) -> Failure {
        if !self.policy.enabled() {
            return Failure::NotTracked;
        }
        let hash = self.bad_password_hash(tenant, user, password);
        let mut accounts = self.lock();
        if !accounts.contains_key(&(tenant, user)) && accounts.len() >= self.capacity {
            self.make_room(&mut accounts, now);
        }
        let account = accounts
            .entry((tenant, user))
            .or_insert_with(|| Account::new(now));
        if account.forgotten_at(now) {
            *account = Account::new(now);
        }
        if let Some(until) = account.locked_until.filter(|&u| u > now) {
            return Failure::Locked { until };
        }
        account.last_failure = now;
        if account.bad.contains(&hash) {
            return Failure::Repeated;
        }
        if account.bad.len() >= TRACKED_BAD_PASSWORDS {
            account.bad.remove(0);
        }
        account.bad.push(hash);
        account.failures += 1;
        // After a lockout has ended, the first counted failure locks again.
        if account.lockouts > 0 || account.failures >= self.policy.threshold {
            account.lockouts += 1;
            account.failures = 0;
            let until = now + self.policy.lockout_duration(account.lockouts);
            account.locked_until = Some(until);
            return Failure::Locked { until };
        }
        Failure::Counted {
            failures: account.failures,
        }
    }

    /// Records a successful sign-in: the account starts over.
    pub fn record_success(&self, tenant: Uuid, user: Uuid) {
        if self.policy.enabled() {
            self.lock().remove(&(tenant, user));
        }
    }

    /// Frees at least one place: forgotten accounts go first, then the unlocked accounts quiet
    /// the longest (a tenth of the capacity at once, so a flood does not scan on every call),
    /// and only when every account is locked, the lockout that ends first.
    fn make_room(&self, accounts: &mut HashMap<(Uuid, Uuid), Account>, now: DateTime<Utc>) {
        accounts.retain(|_, a| !a.forgotten_at(now));
        if accounts.len() < self.capacity {
            return;
        }
        let mut unlocked: Vec<(DateTime<Utc>, (Uuid, Uuid))> = accounts
            .iter()
            .filter(|(_, a)| !a.locked_at(now))
            .map(|(k, a)| (a.last_failure, *k))
            .collect();
        if unlocked.is_empty() {
            let first_to_end = accounts
                .iter()
                .min_by_key(|(_, a)| a.locked_until)
                .map(|(k, _)| *k);
            if let Some(key) = first_to_end {
                accounts.remove(&key);
            }
            return;
        }
        let evict = (self.capacity / 10).clamp(1, unlocked.len());
        if evict < unlocked.len() {
            unlocked.select_nth_unstable(evict - 1);
        }
        for (_, key) in unlocked.iter().take(evict) {
            accounts.remove(key);
        }
    }

    fn bad_password_hash(&self, tenant: Uuid, user: Uuid, password: &str) -> [u8; 32] {
        let mut input = Vec::with_capacity(32 + 32 + password.len());
        input.extend_from_slice(&self.key);
        input.extend_from_slice(tenant.as_bytes());
        input.extend_from_slice(user.as_bytes());
        input.extend_from_slice(password.as_bytes());
        let digest = crate::crypto::sha256(&input);
        let mut out = [0u8; 32];
        out.copy_from_slice(&digest[..32]);
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::TimeZone;

    fn start() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
    }

    #[test]
    fn repeated_lockouts_double_up_to_an_hour() {
        let policy = LockoutPolicy::default();
        let secs: Vec<i64> = (1..=9)
            .map(|n| policy.lockout_duration(n).num_seconds())
            .collect();
        assert_eq!(secs, [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
        assert_eq!(policy.lockout_duration(u32::MAX).num_seconds(), 3600);
        // A first lockout configured longer than the cap is never shortened.
        let long = LockoutPolicy {
            threshold: 5,
            duration: Duration::hours(2),
        };
        assert_eq!(long.lockout_duration(1), Duration::hours(2));
        assert_eq!(long.lockout_duration(4), Duration::hours(2));
    }

    #[test]
    fn the_threshold_locks_and_each_lockout_after_an_expiry_lasts_twice_as_long() {
        let lockout = SmartLockout::new(LockoutPolicy::default());
        let (t, u) = (Uuid::new_v4(), Uuid::new_v4());
        let mut now = start();
        for i in 1..10 {
            assert_eq!(
                lockout.record_failure(t, u, &format!("wrong {i}"), now),
                Failure::Counted { failures: i }
            );
            assert_eq!(lockout.locked_until(t, u, now), None);
        }
        let until = now + Duration::seconds(60);
        assert_eq!(
            lockout.record_failure(t, u, "wrong 10", now),
            Failure::Locked { until }
        );
        assert_eq!(lockout.locked_until(t, u, now), Some(until));
        assert_eq!(
            lockout.locked_until(t, u, now + Duration::seconds(59)),
            Some(until)
        );
        // Expired: open again, and the first counted failure locks for twice as long.
        now += Duration::seconds(60);
        assert_eq!(lockout.locked_until(t, u, now), None);
        assert_eq!(
            lockout.record_failure(t, u, "wrong 11", now),
            Failure::Locked {
                until: now + Duration::seconds(120)
            }
        );
        now += Duration::seconds(120);
        assert_eq!(
            lockout.record_failure(t, u, "wrong 12", now),
            Failure::Locked {
                until: now + Duration::seconds(240)
            }
        );
        // A success starts over: ten more failures before the next (60 s) lockout.
        now += Duration::seconds(240);
        lockout.record_success(t, u);
        assert_eq!(lockout.tracked(), 0);
        for i in 1..10 {
            assert_eq!(
                lockout.record_failure(t, u, &format!("again {i}"), now),
                Failure::Counted { failures: i }
            );
        }
        assert_eq!(
            lockout.record_failure(t, u, "again 10", now),
            Failure::Locked {
                until: now + Duration::seconds(60)
            }
        );
    }

    #[test]
    fn the_last_three_bad_passwords_count_once() {
        let lockout = SmartLockout::new(LockoutPolicy::default());
        let (t, u) = (Uuid::new_v4(), Uuid::new_v4());
        let now = start();
        assert_eq!(
            lockout.record_failure(t, u, "a", now),
            Failure::Counted { failures: 1 }
        );
        for _ in 0..30 {
            assert_eq!(lockout.record_failure(t, u, "a", now), Failure::Repeated);
        }
        assert_eq!(
            lockout.record_failure(t, u, "b", now),
            Failure::Counted { failures: 2 }
        );
        assert_eq!(
            lockout.record_failure(t, u, "c", now),
            Failure::Counted { failures: 3 }
        );
        // a, b and c are the window; all three repeat.
        for p in ["a", "b", "c", "b", "a"] {
            assert_eq!(lockout.record_failure(t, u, p, now), Failure::Repeated);
        }
        // d pushes a out of the window: a counts again.
        assert_eq!(
            lockout.record_failure(t, u, "d", now),
            Failure::Counted { failures: 4 }
        );
        assert_eq!(
            lockout.record_failure(t, u, "a", now),
            Failure::Counted { failures: 5 }
        );
        assert_eq!(lockout.record_failure(t, u, "d", now), Failure::Repeated);
        // Only hashes are kept, under this process's key: not the password, nor its plain
        // SHA-256.
        let accounts = lockout.lock();
        let kept = &accounts[&(t, u)].bad;
        assert_eq!(kept.len(), TRACKED_BAD_PASSWORDS);
        let plain = crate::crypto::sha256(b"a");
        assert!(kept.iter().all(|h| h.as_slice() != plain.as_slice()));
        assert!(kept.iter().all(|h| h.as_slice() != b"a"));
    }

    #[test]
    fn accounts_and_tenants_are_counted_apart() {
        let lockout = SmartLockout::new(LockoutPolicy {
            threshold: 2,
            duration: Duration::seconds(60),
        });
        let (t, u, other) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
        let now = start();
        lockout.record_failure(t, u, "x", now);
        assert!(matches!(
            lockout.record_failure(t, u, "y", now),
            Failure::Locked { .. }
        ));
        assert!(lockout.locked_until(t, u, now).is_some());
        assert_eq!(lockout.locked_until(t, other, now), None);
        assert_eq!(lockout.locked_until(Uuid::new_v4(), u, now), None);
    }

    #[test]
    fn off_means_nothing_is_tracked() {
        let lockout = SmartLockout::new(LockoutPolicy::disabled());
        let (t, u) = (Uuid::new_v4(), Uuid::new_v4());
        for i in 0..50 {
            assert_eq!(
                lockout.record_failure(t, u, &i.to_string(), start()),
                Failure::NotTracked
            );
        }
        assert_eq!(lockout.locked_until(t, u, start()), None);
        assert_eq!(lockout.tracked(), 0);
    }

    #[test]
    fn a_quiet_day_forgets_the_failures() {
        let lockout = SmartLockout::new(LockoutPolicy::default());
        let (t, u) = (Uuid::new_v4(), Uuid::new_v4());
        let now = start();
        for i in 0..9 {
            lockout.record_failure(t, u, &i.to_string(), now);
        }
        assert_eq!(
            lockout.record_failure(t, u, "later", now + FORGET_AFTER),
            Failure::Counted { failures: 1 }
        );
    }

    #[test]
    fn the_map_stays_bounded_and_keeps_locked_accounts() {
        let lockout = SmartLockout::with_capacity(
            LockoutPolicy {
                threshold: 1,
                duration: Duration::seconds(60),
            },
            20,
        );
        let tenant = Uuid::new_v4();
        let now = start();
        // Five locked accounts, then a flood of one failure each over many users.
        let locked: Vec<Uuid> = (0..5).map(|_| Uuid::new_v4()).collect();
        for u in &locked {
            lockout.record_failure(tenant, *u, "x", now);
        }
        let flood = SmartLockout::with_capacity(LockoutPolicy::default(), 20);
        for i in 0..1000 {
            flood.record_failure(tenant, Uuid::new_v4(), "x", now + Duration::seconds(i));
            assert!(flood.tracked() <= 20);
        }
        for i in 0..1000 {
            lockout.record_failure(tenant, Uuid::new_v4(), "x", now + Duration::milliseconds(i));
            assert!(lockout.tracked() <= 20);
        }
        // Everyone flooding was locked too (threshold 1): the newest locks are kept, never
        // more than the capacity.
        assert_eq!(lockout.tracked(), 20);
    }

    #[test]
    fn unlocked_accounts_are_evicted_before_locked_ones() {
        let lockout = SmartLockout::with_capacity(
            LockoutPolicy {
                threshold: 3,
                duration: Duration::seconds(60),
            },
            10,
        );
        let tenant = Uuid::new_v4();
        let now = start();
        let target = Uuid::new_v4();
        for p in ["a", "b", "c"] {
            lockout.record_failure(tenant, target, p, now);
        }
        let until = lockout.locked_until(tenant, target, now).unwrap();
        for i in 0..500 {
            lockout.record_failure(tenant, Uuid::new_v4(), "x", now + Duration::milliseconds(i));
        }
        assert!(lockout.tracked() <= 10);
        assert_eq!(lockout.locked_until(tenant, target, now), Some(until));
    }
}
