//! Where refresh tokens live: the OS keychain (one entry per cloud, tenant id,
//! account and client id), or memory in tests. Access tokens never reach a store.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::token::RefreshToken;

/// The keychain service name of every entry.
pub const KEYCHAIN_SERVICE: &str = "pimready";

/// What a cached refresh token belongs to: signing into tenant B never finds tenant A's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CacheKey {
    pub cloud: String,
    pub tenant_id: String,
    pub account: String,
    pub client_id: String,
}

impl CacheKey {
    /// The keychain entry's user name (not secret).
    pub fn entry_name(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.cloud,
            self.tenant_id.to_lowercase(),
            self.account.to_lowercase(),
            self.client_id.to_lowercase()
        )
    }
}

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
    fn entry(&self, key: &CacheKey) -> Result<keyring::Entry, StoreError> {
        keyring::Entry::new(&self.service, &key.entry_name()).map_err(unavailable)
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

impl KeyringStore {
    /// The kernel keyring (keyutils) alone: where no Secret Service runs (a server,
    /// a container, SSH), refresh tokens still stay out of files.
    #[cfg(target_os = "linux")]
    fn kernel_entry(&self, key: &CacheKey) -> Option<keyring::Entry> {
        keyring::keyutils::KeyutilsCredential::new_with_target(
            None,
            &self.service,
            &key.entry_name(),
        )
        .ok()
        .map(|c| keyring::Entry::new_with_credential(Box::new(c)))
    }
    #[cfg(not(target_os = "linux"))]
    fn kernel_entry(&self, _key: &CacheKey) -> Option<keyring::Entry> {
        None
    }
}

impl CredentialStore for KeyringStore {
    fn load(&self, key: &CacheKey) -> Result<Option<RefreshToken>, StoreError> {
        let e = match self.entry(key)?.get_password() {
            Ok(p) => return Ok(Some(RefreshToken::new(p))),
            Err(e) => e,
        };
        match self.kernel_entry(key).map(|k| k.get_password()) {
            Some(Ok(p)) => Ok(Some(RefreshToken::new(p))),
            Some(Err(keyring::Error::NoEntry)) => Ok(None),
            _ if matches!(e, keyring::Error::NoEntry) => Ok(None),
            _ => Err(unavailable(e)),
        }
    }
    fn save(&self, key: &CacheKey, token: &RefreshToken) -> Result<(), StoreError> {
        match self.entry(key)?.set_password(token.secret()) {
            Ok(()) => Ok(()),
            Err(e) => match self
                .kernel_entry(key)
                .map(|k| k.set_password(token.secret()))
            {
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
    fn delete(&self, key: &CacheKey) -> Result<(), StoreError> {
        let primary = self.entry(key)?.delete_credential();
        let kernel = self.kernel_entry(key).map(|k| k.delete_credential());
        let gone =
            |r: &Result<(), keyring::Error>| matches!(r, Ok(()) | Err(keyring::Error::NoEntry));
        if gone(&primary) || kernel.as_ref().is_some_and(gone) {
            Ok(())
        } else {
            Err(unavailable(primary.expect_err("checked above")))
        }
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
            cloud: "global".into(),
            tenant_id: tenant.into(),
            account: "a@b".into(),
            client_id: "c".into(),
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
        store.delete(&k).unwrap();
        assert_eq!(loaded.unwrap().secret(), "probe-secret");
        assert!(store.load(&k).unwrap().is_none());
    }
}
