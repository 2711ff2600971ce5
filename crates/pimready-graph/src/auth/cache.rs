//! Where refresh tokens live: the OS keychain (one entry per authority origin, cloud,
//! tenant id, account and client id), or memory in tests. Access tokens never reach a
//! store.
//!
//! Windows Credential Manager keeps at most 2,560 bytes per entry (`CRED_MAX_CREDENTIAL_BLOB_SIZE`,
//! <https://learn.microsoft.com/windows/win32/api/wincred/ns-wincred-credentialw>), and
//! `keyring` stores a password there as UTF-16: 1,280 characters. Entra's refresh tokens
//! can be longer, so a token longer than that is split over several entries on every
//! platform (one code path, tested everywhere): the first entry names how many parts follow.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use pimready_core::cloud::Cloud;

use crate::token::RefreshToken;

/// The keychain service name of every entry.
pub const KEYCHAIN_SERVICE: &str = "pimready";

/// What a cached refresh token belongs to: signing into tenant B never finds tenant A's,
/// and a token is only ever looked up for (and so sent to) the authority that issued it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CacheKey {
    /// The origin of the authority that issued the token (`https://login.microsoftonline.com`,
    /// or the emulator's `http://127.0.0.1:PORT`).
    pub authority: String,
    pub cloud: Cloud,
    pub tenant_id: String,
    pub account: String,
    pub client_id: String,
    /// The refresh token of the Azure Resource Manager sign-in: its own entry, apart from
    /// the Graph one even when the client id is the same.
    #[serde(default)]
    pub arm: bool,
}

impl CacheKey {
    /// The keychain entry's user name (not secret).
    pub fn entry_name(&self) -> String {
        format!(
            "{}|{}|{}|{}|{}",
            self.authority.to_lowercase(),
            self.cloud,
            self.tenant_id.to_lowercase(),
            self.account.to_lowercase(),
            self.client_id.to_lowercase()
        ) + if self.arm { "|arm" } else { "" }
    }

    /// The entry name of versions that did not key by authority: removed on sign-out so
    /// no token of an earlier version outlives it.
    fn legacy_entry_name(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.cloud,
            self.tenant_id.to_lowercase(),
            self.account.to_lowercase(),
            self.client_id.to_lowercase()
        )
    }
}

/// The longest secret one keychain entry holds on every platform, in UTF-16 code units
/// (Windows Credential Manager: 2,560 bytes of UTF-16).
pub const ENTRY_CHARS: usize = 1280;

/// The first entry of a token split over several: `pimready-parts:N`, then entries
/// `NAME#1` … `NAME#N`. A refresh token never starts with it.
const PARTS_MARKER: &str = "pimready-parts:";

/// The store could not be used.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    #[error("no OS keychain is available ({0})")]
    Unavailable(String),
}

/// A place for refresh tokens.
pub trait CredentialStore: Send + Sync {
    fn load(&self, key: &CacheKey) -> Result<Option<RefreshToken>, StoreError>;
    fn save(&self, key: &CacheKey, token: &RefreshToken) -> Result<(), StoreError>;
    /// Remove the entry; removing a missing entry is not an error.
    fn delete(&self, key: &CacheKey) -> Result<(), StoreError>;
}

/// The OS keychain through `keyring`: Windows Credential Manager, macOS Keychain,
/// Linux Secret Service (with the kernel keyring as its cache), or on Linux the
/// kernel keyring alone when no Secret Service runs.
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    pub fn new() -> Self {
        Self {
            service: KEYCHAIN_SERVICE.to_owned(),
        }
    }
    /// A store under another service name (tests use one of their own).
    pub fn with_service(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
        }
    }
}

impl Default for KeyringStore {
    fn default() -> Self {
        Self::new()
    }
}

#[allow(clippy::needless_pass_by_value)] // used as `map_err(unavailable)`
fn unavailable(e: keyring::Error) -> StoreError {
    // keyring's errors never contain the password.
    StoreError::Unavailable(e.to_string())
}

/// Named secrets of at most [`ENTRY_CHARS`] each: the seam between splitting a token and
/// the keychain, so the split is tested against an entry limit like Windows'.
pub(crate) trait Entries {
    fn get(&self, name: &str) -> Result<Option<String>, StoreError>;
    fn set(&self, name: &str, secret: &str) -> Result<(), StoreError>;
    /// Removing a missing entry is not an error.
    fn remove(&self, name: &str) -> Result<(), StoreError>;
}

impl KeyringStore {
    fn entry(&self, name: &str) -> Result<keyring::Entry, StoreError> {
        keyring::Entry::new(&self.service, name).map_err(unavailable)
    }

    /// The kernel keyring (keyutils) alone: where no Secret Service runs (a server,
    /// a container, SSH), refresh tokens still stay out of files.
    #[cfg(target_os = "linux")]
    fn kernel_entry(&self, name: &str) -> Option<keyring::Entry> {
        keyring::keyutils::KeyutilsCredential::new_with_target(None, &self.service, name)
            .ok()
            .map(|c| keyring::Entry::new_with_credential(Box::new(c)))
    }
    #[cfg(not(target_os = "linux"))]
    fn kernel_entry(&self, _name: &str) -> Option<keyring::Entry> {
        None
    }
}

impl Entries for KeyringStore {
    fn get(&self, name: &str) -> Result<Option<String>, StoreError> {
        let e = match self.entry(name)?.get_password() {
            Ok(p) => return Ok(Some(p)),
            Err(e) => e,
        };
        match self.kernel_entry(name).map(|k| k.get_password()) {
            Some(Ok(p)) => Ok(Some(p)),
            Some(Err(keyring::Error::NoEntry)) => Ok(None),
            _ if matches!(e, keyring::Error::NoEntry) => Ok(None),
            _ => Err(unavailable(e)),
        }
    }
    fn set(&self, name: &str, secret: &str) -> Result<(), StoreError> {
        match self.entry(name)?.set_password(secret) {
            Ok(()) => Ok(()),
            Err(e) => match self.kernel_entry(name).map(|k| k.set_password(secret)) {
                Some(Ok(())) => {
                    tracing::debug!(
                        "no Secret Service; the refresh token is kept in the kernel keyring"
                    );
                    Ok(())
                }
                _ => Err(unavailable(e)),
            },
        }
    }
    /// Removed when every store that can be reached no longer holds it, and at least one
    /// was reached: a store that is not there at all (no Secret Service on this machine)
    /// cannot hold a token, a locked or failing one can.
    fn remove(&self, name: &str) -> Result<(), StoreError> {
        let primary = self.entry(name)?.delete_credential();
        let kernel = self.kernel_entry(name).map(|k| k.delete_credential());
        let gone =
            |r: &Result<(), keyring::Error>| matches!(r, Ok(()) | Err(keyring::Error::NoEntry));
        let absent =
            |r: &Result<(), keyring::Error>| matches!(r, Err(keyring::Error::PlatformFailure(_)));
        let results: Vec<_> = std::iter::once(primary).chain(kernel).collect();
        if results.iter().all(|r| gone(r) || absent(r)) && results.iter().any(gone) {
            return Ok(());
        }
        let errors: Vec<String> = results
            .into_iter()
            .filter_map(Result::err)
            .filter(|e| !matches!(e, keyring::Error::NoEntry))
            .map(|e| unavailable(e).to_string())
            .collect();
        Err(StoreError::Unavailable(errors.join("; ")))
    }
}

/// Splits, joins and removes a secret kept under `name` in entries of at most
/// [`ENTRY_CHARS`].
pub(crate) mod parts {
    use super::{ENTRY_CHARS, Entries, PARTS_MARKER, StoreError};

    fn part_name(name: &str, i: usize) -> String {
        format!("{name}#{i}")
    }

    /// How many part entries `name` has now (0: the secret is whole, or absent).
    fn count(entries: &dyn Entries, name: &str) -> Result<usize, StoreError> {
        Ok(entries
            .get(name)?
            .and_then(|v| v.strip_prefix(PARTS_MARKER)?.parse().ok())
            .unwrap_or(0))
    }

    pub fn load(entries: &dyn Entries, name: &str) -> Result<Option<String>, StoreError> {
        let Some(first) = entries.get(name)? else {
            return Ok(None);
        };
        let Some(n) = first.strip_prefix(PARTS_MARKER) else {
            return Ok(Some(first));
        };
        let n: usize = n
            .parse()
            .map_err(|_| StoreError::Unavailable(format!("keychain entry {name} is damaged")))?;
        let mut secret = String::new();
        for i in 1..=n {
            match entries.get(&part_name(name, i))? {
                Some(p) => secret.push_str(&p),
                // A part is missing: the token is unusable, which is "not saved".
                None => return Ok(None),
            }
        }
        Ok(Some(secret))
    }

    pub fn save(entries: &dyn Entries, name: &str, secret: &str) -> Result<(), StoreError> {
        let before = count(entries, name)?;
        let chunks = split(secret);
        if chunks.len() == 1 {
            entries.set(name, secret)?;
        } else {
            // Parts first, the marker last: a crash in between leaves the previous
            // token's marker naming parts that may be mixed, which `load` reads as a
            // token Entra refuses (sign in again), never as another account's.
            for (i, c) in chunks.iter().enumerate() {
                entries.set(&part_name(name, i + 1), c)?;
            }
            entries.set(name, &format!("{PARTS_MARKER}{}", chunks.len()))?;
        }
        let now = if chunks.len() == 1 { 0 } else { chunks.len() };
        for i in now + 1..=before {
            entries.remove(&part_name(name, i))?;
        }
        Ok(())
    }

    /// Removes the entry and its parts; every failure is reported.
    pub fn remove(entries: &dyn Entries, name: &str) -> Result<(), StoreError> {
        let n = count(entries, name)?;
        let mut failed = Vec::new();
        if let Err(e) = entries.remove(name) {
            failed.push(e.to_string());
        }
        for i in 1..=n {
            if let Err(e) = entries.remove(&part_name(name, i)) {
                failed.push(e.to_string());
            }
        }
        if failed.is_empty() {
            Ok(())
        } else {
            Err(StoreError::Unavailable(failed.join("; ")))
        }
    }

    /// Pieces of at most [`ENTRY_CHARS`] UTF-16 code units, never splitting a character.
    fn split(secret: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut start = 0;
        let mut units = 0;
        for (i, ch) in secret.char_indices() {
            if units + ch.len_utf16() > ENTRY_CHARS {
                out.push(&secret[start..i]);
                start = i;
                units = 0;
            }
            units += ch.len_utf16();
        }
        out.push(&secret[start..]);
        out
    }
}

impl CredentialStore for KeyringStore {
    fn load(&self, key: &CacheKey) -> Result<Option<RefreshToken>, StoreError> {
        Ok(parts::load(self, &key.entry_name())?.map(RefreshToken::new))
    }
    fn save(&self, key: &CacheKey, token: &RefreshToken) -> Result<(), StoreError> {
        parts::save(self, &key.entry_name(), token.secret())
    }
    fn delete(&self, key: &CacheKey) -> Result<(), StoreError> {
        let current = parts::remove(self, &key.entry_name());
        let legacy = self.remove(&key.legacy_entry_name());
        current.and(legacy)
    }
}

/// An in-memory store for tests; `unavailable()` plays a machine without a keychain.
#[derive(Debug, Default)]
pub struct MemoryStore {
    entries: Mutex<BTreeMap<CacheKey, RefreshToken>>,
    unavailable: bool,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
    /// A store that refuses every operation, like a machine with no keychain.
    pub fn unavailable() -> Self {
        Self {
            entries: Mutex::default(),
            unavailable: true,
        }
    }
    /// The keys that hold a token.
    pub fn keys(&self) -> Vec<CacheKey> {
        self.entries.lock().unwrap().keys().cloned().collect()
    }
    fn check(&self) -> Result<(), StoreError> {
        if self.unavailable {
            Err(StoreError::Unavailable(
                "test store without keychain".into(),
            ))
        } else {
            Ok(())
        }
    }
}

impl CredentialStore for MemoryStore {
    fn load(&self, key: &CacheKey) -> Result<Option<RefreshToken>, StoreError> {
        self.check()?;
        Ok(self.entries.lock().unwrap().get(key).cloned())
    }
    fn save(&self, key: &CacheKey, token: &RefreshToken) -> Result<(), StoreError> {
        self.check()?;
        self.entries
            .lock()
            .unwrap()
            .insert(key.clone(), token.clone());
        Ok(())
    }
    fn delete(&self, key: &CacheKey) -> Result<(), StoreError> {
        self.check()?;
        self.entries.lock().unwrap().remove(key);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(tenant: &str) -> CacheKey {
        CacheKey {
            authority: "https://login.microsoftonline.com".into(),
            cloud: Cloud::Global,
            tenant_id: tenant.into(),
            account: "a@b".into(),
            client_id: "c".into(),
            arm: false,
        }
    }

    #[test]
    fn memory_store_keeps_entries_apart() {
        let s = MemoryStore::new();
        s.save(&key("t1"), &RefreshToken::new("r1")).unwrap();
        s.save(&key("t2"), &RefreshToken::new("r2")).unwrap();
        assert_eq!(s.load(&key("t1")).unwrap().unwrap().secret(), "r1");
        s.delete(&key("t1")).unwrap();
        assert!(s.load(&key("t1")).unwrap().is_none());
        assert_eq!(s.keys(), vec![key("t2")]);
        assert!(MemoryStore::unavailable().load(&key("t1")).is_err());
    }

    /// Entries as Windows Credential Manager keeps them: a secret longer than 2,560 bytes
    /// of UTF-16 is refused, as `keyring` refuses it there.
    #[derive(Default)]
    struct LimitedEntries {
        entries: Mutex<BTreeMap<String, String>>,
        broken: Option<String>,
    }

    impl Entries for LimitedEntries {
        fn get(&self, name: &str) -> Result<Option<String>, StoreError> {
            Ok(self.entries.lock().unwrap().get(name).cloned())
        }
        fn set(&self, name: &str, secret: &str) -> Result<(), StoreError> {
            if secret.encode_utf16().count() * 2 > 2560 {
                return Err(StoreError::Unavailable(format!(
                    "{name}: longer than CRED_MAX_CREDENTIAL_BLOB_SIZE"
                )));
            }
            self.entries
                .lock()
                .unwrap()
                .insert(name.into(), secret.into());
            Ok(())
        }
        fn remove(&self, name: &str) -> Result<(), StoreError> {
            if self.broken.as_deref() == Some(name) {
                return Err(StoreError::Unavailable(format!("{name}: access denied")));
            }
            self.entries.lock().unwrap().remove(name);
            Ok(())
        }
    }

    /// A refresh token of 4,000 characters (Entra's can exceed the limit) survives a
    /// store that holds 1,280 characters per entry, and leaves nothing behind.
    #[test]
    fn a_long_refresh_token_is_split_over_entries_windows_accepts() {
        let e = LimitedEntries::default();
        let long: String = (0..4000)
            .map(|i| char::from(b'A' + u8::try_from(i % 26).unwrap()))
            .collect();
        assert!(e.set("whole", &long).is_err(), "the fake refuses it whole");
        parts::save(&e, "k", &long).unwrap();
        assert_eq!(e.entries.lock().unwrap().len(), 5, "a marker and 4 parts");
        assert_eq!(e.get("k").unwrap().unwrap(), "pimready-parts:4");
        assert_eq!(
            parts::load(&e, "k").unwrap().as_deref(),
            Some(long.as_str())
        );
        // A shorter token replaces it whole, and the old parts go.
        parts::save(&e, "k", "short").unwrap();
        assert_eq!(e.entries.lock().unwrap().len(), 1);
        assert_eq!(parts::load(&e, "k").unwrap().as_deref(), Some("short"));
        // Non-ASCII is counted in UTF-16 units and never split inside a character.
        let wide: String = "é𝄞".repeat(700);
        parts::save(&e, "w", &wide).unwrap();
        assert_eq!(
            parts::load(&e, "w").unwrap().as_deref(),
            Some(wide.as_str())
        );
        parts::remove(&e, "k").unwrap();
        parts::remove(&e, "w").unwrap();
        assert!(e.entries.lock().unwrap().is_empty());
        assert_eq!(parts::load(&e, "k").unwrap(), None);
    }

    #[test]
    fn a_missing_part_is_no_token_and_a_failed_removal_is_reported() {
        let e = LimitedEntries {
            broken: Some("k#2".into()),
            ..LimitedEntries::default()
        };
        parts::save(&e, "k", &"x".repeat(3000)).unwrap();
        let err = parts::remove(&e, "k").unwrap_err();
        assert!(err.to_string().contains("k#2"), "{err}");
        e.entries
            .lock()
            .unwrap()
            .insert("k".into(), "pimready-parts:3".into());
        e.entries.lock().unwrap().remove("k#1");
        assert_eq!(parts::load(&e, "k").unwrap(), None);
    }

    #[test]
    fn entries_are_named_by_the_issuing_authority() {
        let mut emulator = key("t1");
        emulator.authority = "http://127.0.0.1:8080".into();
        assert_ne!(key("t1").entry_name(), emulator.entry_name());
        assert!(
            key("t1")
                .entry_name()
                .starts_with("https://login.microsoftonline.com|global|t1|")
        );
    }

    /// The real keychain, when this machine has one (run under `keyctl session - …`
    /// or `dbus-run-session` with an unlocked gnome-keyring); skipped otherwise.
    #[test]
    fn real_keychain_round_trip_when_available() {
        let store = KeyringStore::with_service("pimready-test");
        let k = key(&format!("probe-{}", std::process::id()));
        if let Err(e) = store.save(&k, &RefreshToken::new("probe-secret")) {
            eprintln!("skipped: no usable OS keychain here ({e})");
            return;
        }
        let loaded = store.load(&k).unwrap();
        assert_eq!(loaded.unwrap().secret(), "probe-secret");
        let long = "0.AXEA".to_owned() + &"x".repeat(3994);
        store.save(&k, &RefreshToken::new(long.clone())).unwrap();
        assert_eq!(store.load(&k).unwrap().unwrap().secret(), long);
        store.delete(&k).unwrap();
        assert!(store.load(&k).unwrap().is_none());
        assert!(
            store
                .get(&format!("{}#1", k.entry_name()))
                .unwrap()
                .is_none()
        );
    }
}
