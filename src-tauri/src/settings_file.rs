//! The desktop's settings file: JSON in the platform config directory, written
//! atomically (temp file + rename), 0600 in a folder created 0700; a corrupt file is kept as `.bak` and replaced by defaults.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use pimready_core::settings::AssessmentSettings;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Branding {
    pub consultant_name: String,
    pub client_display_name: String,
    /// A PNG or JPEG placed on the report cover.
    pub logo_path: Option<PathBuf>,
    pub mask_names: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DesktopSettings {
    pub assessment: AssessmentSettings,
    /// Monthly price per user by licence path (`entra_id_p2` → 10.0), over the built-in price book.
    pub price_overrides: BTreeMap<String, f64>,
    pub branding: Branding,
    /// `None`: `Documents/PIM Ready`.
    pub reports_folder: Option<PathBuf>,
    /// Designated emergency-access accounts per tenant id (lower case), so one client's
    /// accounts are never applied to another's tenant. `assessment.emergency_accounts` is the
    /// list of older settings files, used for a tenant with no list of its own.
    pub emergency_accounts: BTreeMap<String, Vec<String>>,
}

impl DesktopSettings {
    /// The assessment settings for `tenant_id`: its own designated emergency accounts when
    /// it has a list (else the older, all-tenant list; else none, and the tenant's last
    /// designation in the history is reused).
    pub fn assessment_for(&self, tenant_id: &str) -> AssessmentSettings {
        let mut settings = self.assessment.clone();
        if let Some(list) = self
            .emergency_accounts
            .get(&tenant_id.to_ascii_lowercase())
            .filter(|l| !l.is_empty())
        {
            settings.emergency_accounts.clone_from(list);
        }
        settings
    }
}

/// The result of reading the file: the settings, and a warning when the file was unusable.
#[derive(Debug)]
pub struct Loaded {
    pub settings: DesktopSettings,
    pub warning: Option<String>,
}

pub fn load(path: &Path) -> Loaded {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Loaded {
                settings: DesktopSettings::default(),
                warning: None,
            };
        }
        Err(e) => {
            return Loaded {
                settings: DesktopSettings::default(),
                warning: Some(format!(
                    "Could not read {}: {e}. Using defaults.",
                    path.display()
                )),
            };
        }
    };
    match serde_json::from_str(&text) {
        Ok(settings) => Loaded {
            settings,
            warning: None,
        },
        Err(e) => {
            let backup = path.with_extension("json.bak");
            let kept = std::fs::rename(path, &backup).is_ok();
            let where_ = if kept {
                format!(" The old file was kept as {}.", backup.display())
            } else {
                String::new()
            };
            Loaded {
                settings: DesktopSettings::default(),
                warning: Some(format!(
                    "The settings file was damaged ({e}) and has been reset to defaults.{where_}"
                )),
            }
        }
    }
}

pub fn save(path: &Path, settings: &DesktopSettings) -> Result<()> {
    validate(settings)?;
    let dir = path
        .parent()
        .ok_or_else(|| Error::internal("settings path has no parent"))?;
    pimready_files::create_dir_all(dir)
        .map_err(|e| Error::io("Could not create the settings folder", &e))?;
    let json =
        serde_json::to_string_pretty(settings).map_err(|e| Error::internal(e.to_string()))?;
    // 0600: the settings name the client's emergency accounts.
    pimready_files::write_atomic(path, json.as_bytes())
        .map_err(|e| Error::io("Could not write the settings", &e))
}

fn validate(settings: &DesktopSettings) -> Result<()> {
    if !(1..=3650).contains(&settings.assessment.stale_after_days) {
        return Err(Error::invalid_input(
            "The stale-account threshold must be between 1 and 3650 days.",
        ));
    }
    if let Some((path, price)) = settings
        .price_overrides
        .iter()
        .find(|(_, p)| !p.is_finite() || **p < 0.0)
    {
        return Err(Error::invalid_input(format!(
            "The price for {path} must be a positive number, not {price}."
        )));
    }
    Ok(())
}

impl DesktopSettings {
    /// The report options these settings ask for: the cover's branding and the masking.
    pub fn report_options(&self) -> Result<pimready_report::ReportOptions> {
        let Branding {
            consultant_name,
            client_display_name,
            logo_path,
            mask_names,
        } = &self.branding;
        let mut branding = pimready_report::Branding::default();
        if !consultant_name.trim().is_empty() {
            branding.consultant_name.clone_from(consultant_name);
        }
        if !client_display_name.trim().is_empty() {
            branding.client_display_name = Some(client_display_name.clone());
        }
        if let Some(logo) = logo_path {
            branding.logo_png = Some(pimready_app::export::read_logo(logo)?);
        }
        let masking = if *mask_names {
            pimready_report::NameMasking::Masked
        } else {
            pimready_report::NameMasking::Clear
        };
        Ok(pimready_app::export::report_options(
            chrono::Utc::now(),
            masking,
            branding,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_gives_defaults_without_warning() {
        let dir = tempfile::tempdir().unwrap();
        let loaded = load(&dir.path().join("settings.json"));
        assert_eq!(loaded.settings, DesktopSettings::default());
        assert!(loaded.warning.is_none());
    }

    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/settings.json");
        let mut settings = DesktopSettings::default();
        settings
            .assessment
            .emergency_accounts
            .push("bg01@contoso.onmicrosoft.com".into());
        settings.price_overrides.insert("entra_id_p2".into(), 9.0);
        save(&path, &settings).unwrap();
        assert_eq!(load(&path).settings, settings);
        assert_eq!(
            std::fs::read_dir(dir.path().join("sub")).unwrap().count(),
            1,
            "no temporary file left behind"
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_settings_file_is_0600_in_a_folder_created_0700() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config/settings.json");
        save(&path, &DesktopSettings::default()).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.path().join("config")), 0o700);
    }

    #[test]
    fn corrupt_file_is_backed_up_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, "{ not json").unwrap();
        let loaded = load(&path);
        assert_eq!(loaded.settings, DesktopSettings::default());
        assert!(loaded.warning.unwrap().contains("damaged"));
        assert_eq!(
            std::fs::read_to_string(path.with_extension("json.bak")).unwrap(),
            "{ not json"
        );
    }

    #[test]
    fn invalid_values_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = DesktopSettings::default();
        settings.assessment.stale_after_days = 0;
        let err = save(&dir.path().join("s.json"), &settings).unwrap_err();
        assert_eq!(err.kind, crate::error::ErrorKind::InvalidInput);
    }
}
