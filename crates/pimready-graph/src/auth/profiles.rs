//! Tenant profiles: non-secret metadata about each signed-in tenant, kept as JSON
//! in the platform config directory (written atomically). Never a token here.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use pimready_core::cloud::Cloud;
use serde::{Deserialize, Serialize};

use super::cache::CacheKey;
use super::error::AuthError;

/// One tenant PIM Ready has signed into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenantProfile {
    /// What the user typed (`contoso.onmicrosoft.com` or a tenant id).
    pub tenant: String,
    /// The tenant id from the token's `tid` claim.
    pub tenant_id: String,
    /// Stored as its wire name: `global`, `usgov`, `usgov-dod`, `china`.
    pub cloud: Cloud,
    /// The signed-in account (`preferred_username`).
    pub account: String,
    /// The public client id used for this tenant.
    pub client_id: String,
    /// The origin of the authority that issued its refresh token; empty in profiles saved
    /// by earlier versions, which only signed in to their cloud's own authority.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub authority: String,
    #[serde(default)]
    pub last_assessed: Option<DateTime<Utc>>,
}

impl TenantProfile {
    /// The keychain entry of this profile's refresh token.
    pub fn cache_key(&self) -> CacheKey {
        let authority = if self.authority.is_empty() {
            format!("https://{}", self.cloud.authority_host())
        } else {
            self.authority.clone()
        };
        CacheKey {
            authority,
            cloud: self.cloud,
            tenant_id: self.tenant_id.clone(),
            account: self.account.clone(),
            client_id: self.client_id.clone(),
            arm: false,
        }
    }

    /// The keychain entry of this sign-in's Azure Resource Manager token (see
    /// [`super::SignInConfig::for_arm`] for its client id).
    pub fn arm_cache_key(&self) -> CacheKey {
        CacheKey {
            client_id: super::arm_client_id(&self.client_id),
            arm: true,
            ..self.cache_key()
        }
    }

    /// Whether `name` (a domain or tenant id, any case) names this profile's tenant.
    pub fn matches(&self, name: &str) -> bool {
        self.tenant.eq_ignore_ascii_case(name) || self.tenant_id.eq_ignore_ascii_case(name)
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct ProfileFile {
    #[serde(default)]
    profiles: Vec<TenantProfile>,
}

/// The profile file.
#[derive(Debug, Clone)]
pub struct ProfileStore {
    path: PathBuf,
}

impl ProfileStore {
    /// A store at `path` (tests pass a temporary directory's file).
    pub fn at(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// `profiles.json` in the platform config directory
    /// (`~/.config/pimready`, `%APPDATA%\pimready\config`, `~/Library/Application Support/pimready`).
    pub fn default_location() -> Option<Self> {
        directories::ProjectDirs::from("", "", "pimready")
            .map(|d| Self::at(d.config_dir().join("profiles.json")))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every profile, sorted by tenant.
    pub fn list(&self) -> Result<Vec<TenantProfile>, AuthError> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(&self.path, &e)),
        };
        let file: ProfileFile = serde_json::from_str(&text).map_err(|e| {
            AuthError::Io(format!(
                "{} is not a valid profile file: {e}",
                self.path.display()
            ))
        })?;
        let mut p = file.profiles;
        p.sort_by(|a, b| a.tenant.cmp(&b.tenant).then(a.account.cmp(&b.account)));
        Ok(p)
    }

    /// Profiles whose tenant (domain or id) is `name`.
    pub fn find(&self, name: &str) -> Result<Vec<TenantProfile>, AuthError> {
        Ok(self
            .list()?
            .into_iter()
            .filter(|p| p.matches(name))
            .collect())
    }

    /// Insert or replace the profile with the same cache key.
    pub fn upsert(&self, profile: TenantProfile) -> Result<(), AuthError> {
        let mut all = self.list()?;
        all.retain(|p| p.cache_key() != profile.cache_key());
        all.push(profile);
        self.write(all)
    }

    /// Remove the profile with the same cache key as `profile`.
    pub fn remove_profile(&self, profile: &TenantProfile) -> Result<(), AuthError> {
        let key = profile.cache_key();
        let mut all = self.list()?;
        let before = all.len();
        all.retain(|p| p.cache_key() != key);
        if all.len() != before {
            self.write(all)?;
        }
        Ok(())
    }

    /// Record that `tenant_id` was just assessed.
    pub fn mark_assessed(&self, tenant_id: &str, at: DateTime<Utc>) -> Result<(), AuthError> {
        let mut all = self.list()?;
        for p in all
            .iter_mut()
            .filter(|p| p.tenant_id.eq_ignore_ascii_case(tenant_id))
        {
            p.last_assessed = Some(at);
        }
        self.write(all)
    }

    /// Write atomically (a temporary file beside the target, renamed over it), 0600 in a
    /// folder created 0700: the profiles name the client tenants and their accounts.
    fn write(&self, profiles: Vec<TenantProfile>) -> Result<(), AuthError> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        pimready_files::create_dir_all(dir).map_err(|e| io(dir, &e))?;
        let json =
            serde_json::to_vec_pretty(&ProfileFile { profiles }).expect("profiles serialise");
        pimready_files::write_atomic(&self.path, &json).map_err(|e| io(&self.path, &e))
    }
}

fn io(path: &Path, e: &std::io::Error) -> AuthError {
    AuthError::Io(format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(tenant: &str, id: &str) -> TenantProfile {
        TenantProfile {
            tenant: tenant.into(),
            tenant_id: id.into(),
            cloud: Cloud::Global,
            account: "admin@x".into(),
            client_id: "c".into(),
            authority: String::new(),
            last_assessed: None,
        }
    }

    /// A profile file written before the cloud was a type loads unchanged, and names the
    /// same keychain entries: a saved sign-in survives the upgrade.
    #[test]
    fn a_saved_profile_file_still_loads_with_the_same_keychain_entries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("profiles.json");
        std::fs::write(
            &path,
            r#"{"profiles":[{"tenant":"contoso.us","tenant_id":"T1","cloud":"usgov-dod",
                "account":"Admin@Contoso.us","client_id":"C"}]}"#,
        )
        .unwrap();
        let store = ProfileStore::at(&path);
        let p = store.list().unwrap().remove(0);
        assert_eq!(p.cloud, Cloud::UsgovDod);
        assert_eq!(
            p.cache_key().entry_name(),
            "https://login.microsoftonline.us|usgov-dod|t1|admin@contoso.us|c"
        );
        assert_eq!(
            p.arm_cache_key().entry_name(),
            "https://login.microsoftonline.us|usgov-dod|t1|admin@contoso.us|c|arm"
        );
        // Written back, the cloud keeps its wire name.
        store.upsert(p).unwrap();
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .contains(r#""cloud": "usgov-dod""#)
        );
        // A cloud this version does not know is an error that names the file, not a default.
        std::fs::write(&path, r#"{"profiles":[{"tenant":"x","tenant_id":"t","cloud":"germany","account":"a","client_id":"c"}]}"#).unwrap();
        let e = store.list().unwrap_err();
        assert!(e.to_string().contains("profiles.json"), "{e}");
    }

    #[test]
    fn upsert_list_remove() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProfileStore::at(dir.path().join("sub/profiles.json"));
        assert!(store.list().unwrap().is_empty());
        store.upsert(profile("contoso.com", "t1")).unwrap();
        store.upsert(profile("fabrikam.com", "t2")).unwrap();
        store.upsert(profile("CONTOSO.com", "t1")).unwrap();
        assert_eq!(store.list().unwrap().len(), 2);
        assert_eq!(store.find("T1").unwrap()[0].tenant, "CONTOSO.com");
        store.mark_assessed("t2", Utc::now()).unwrap();
        assert!(
            store.find("fabrikam.com").unwrap()[0]
                .last_assessed
                .is_some()
        );
        let contoso = store.find("contoso.com").unwrap().remove(0);
        store.remove_profile(&contoso).unwrap();
        assert_eq!(store.list().unwrap().len(), 1);
        store.remove_profile(&store.list().unwrap()[0]).unwrap();
        assert!(store.list().unwrap().is_empty());
        let names: Vec<_> = std::fs::read_dir(dir.path().join("sub"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(
            names,
            vec![std::ffi::OsString::from("profiles.json")],
            "no temporary file left behind"
        );
    }

    #[cfg(unix)]
    #[test]
    fn saved_profiles_are_0600_in_a_folder_created_0700() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config/pimready/profiles.json");
        let store = ProfileStore::at(path.clone());
        store.upsert(profile("contoso.com", "t1")).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.path().join("config")), 0o700);
        assert_eq!(mode(&dir.path().join("config/pimready")), 0o700);
    }
}
