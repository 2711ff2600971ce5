//! Check ids (`PIM-01`, `AZ-03`, …): stable names reports, history and other tools depend on.

use std::borrow::{Borrow, Cow};
use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The id of a check. The catalog's ids are the known set ([`CheckId::known`] checks a text
/// against it); a finding read back from an older report keeps whatever id it carries, so
/// deserialising never rejects one. On the wire it is the bare text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CheckId(Cow<'static, str>);

/// A check id that is not in the catalog.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no check has the id {0:?} (see `pimready checks` for the catalog)")]
pub struct UnknownCheck(pub String);

impl CheckId {
    /// A catalog id, for declarations.
    pub const fn new(id: &'static str) -> Self {
        CheckId(Cow::Borrowed(id))
    }

    /// The catalog's id for `text` (exact spelling), or an error naming it.
    pub fn known(text: &str) -> Result<CheckId, UnknownCheck> {
        super::catalog()
            .iter()
            .find(|c| c.id == text)
            .map(|c| CheckId::new(c.id))
            .ok_or_else(|| UnknownCheck(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl AsRef<str> for CheckId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

/// Lets maps keyed by id be read with a `&str`.
impl Borrow<str> for CheckId {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for CheckId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for CheckId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<CheckId> for str {
    fn eq(&self, other: &CheckId) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<CheckId> for &str {
    fn eq(&self, other: &CheckId) -> bool {
        *self == other.as_str()
    }
}

impl From<&'static str> for CheckId {
    fn from(id: &'static str) -> Self {
        CheckId::new(id)
    }
}

/// An id read from elsewhere (a report, a test), not checked against the catalog.
impl From<String> for CheckId {
    fn from(id: String) -> Self {
        CheckId(Cow::Owned(id))
    }
}

impl Serialize for CheckId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CheckId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(CheckId::from)
    }
}

/// A plain string in the schema, as before the type existed (schema v1 is unchanged).
impl JsonSchema for CheckId {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "CheckId".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_ids_are_the_catalog() {
        for def in super::super::catalog() {
            assert_eq!(CheckId::known(def.id).unwrap(), def.id);
        }
        let e = CheckId::known("PIM-99").unwrap_err();
        assert_eq!(e, UnknownCheck("PIM-99".into()));
        assert!(e.to_string().contains("PIM-99"), "{e}");
        assert!(CheckId::known("pim-01").is_err(), "ids are exact");
        // A look-up by an unknown id is an error that names it, never a silent `None`.
        let e = super::super::check_def("PIM-99").unwrap_err();
        assert_eq!(e, UnknownCheck("PIM-99".into()));
        assert_eq!(super::super::check_def("PIM-01").unwrap().id, "PIM-01");
    }

    #[test]
    fn wire_form_is_the_bare_text_and_any_id_reads_back() {
        let id = CheckId::new("PIM-01");
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"PIM-01\"");
        // A report of an older version may name a check this one no longer has.
        let old: CheckId = serde_json::from_str("\"PIM-00\"").unwrap();
        assert_eq!(old.as_str(), "PIM-00");
        assert_eq!(serde_json::to_string(&old).unwrap(), "\"PIM-00\"");
        assert_eq!(format!("{id:<7}|"), "PIM-01 |");
    }
}
