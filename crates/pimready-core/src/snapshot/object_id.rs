//! Directory object ids (users, groups, service principals, role definitions…).

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The id of a directory object, as Microsoft Graph sends it: a GUID such as
/// `0a1b2c3d-…` (<https://learn.microsoft.com/graph/api/resources/directoryobject>, `id`).
///
/// Graph compares GUIDs without regard to case, and ids typed by people (`--emergency-account`)
/// may use either case, so this is the one place ids are compared: ASCII case-insensitively,
/// in `PartialEq`, `Hash` and `Ord` alike. The original text is kept and serialised as it
/// came; an id that is not a GUID (older snapshots, fixtures) is kept too, never rejected.
#[derive(Debug, Clone, Default)]
pub struct ObjectId(String);

impl ObjectId {
    pub fn new(id: impl Into<String>) -> Self {
        ObjectId(id.into())
    }

    /// The text as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the text has the shape of a GUID (`8-4-4-4-12` hexadecimal digits).
    pub fn is_guid(&self) -> bool {
        super::is_guid(&self.0)
    }
}

impl PartialEq for ObjectId {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl Eq for ObjectId {}

impl PartialEq<str> for ObjectId {
    fn eq(&self, other: &str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl PartialEq<&str> for ObjectId {
    fn eq(&self, other: &&str) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl PartialEq<String> for ObjectId {
    fn eq(&self, other: &String) -> bool {
        self.0.eq_ignore_ascii_case(other)
    }
}

impl PartialEq<ObjectId> for String {
    fn eq(&self, other: &ObjectId) -> bool {
        self.eq_ignore_ascii_case(&other.0)
    }
}

impl PartialEq<ObjectId> for str {
    fn eq(&self, other: &ObjectId) -> bool {
        self.eq_ignore_ascii_case(&other.0)
    }
}

impl Hash for ObjectId {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for b in self.0.bytes() {
            state.write_u8(b.to_ascii_lowercase());
        }
        state.write_u8(0xff);
    }
}

impl Ord for ObjectId {
    fn cmp(&self, other: &Self) -> Ordering {
        let a = self.0.bytes().map(|b| b.to_ascii_lowercase());
        let b = other.0.bytes().map(|b| b.to_ascii_lowercase());
        a.cmp(b)
    }
}

impl PartialOrd for ObjectId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

/// Reads as the text it was received as wherever a `&str` is wanted (names, maps keyed by
/// text, Graph paths); comparing two ids goes through `ObjectId`'s own `PartialEq`.
impl std::ops::Deref for ObjectId {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for ObjectId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl From<String> for ObjectId {
    fn from(id: String) -> Self {
        ObjectId(id)
    }
}

impl From<&str> for ObjectId {
    fn from(id: &str) -> Self {
        ObjectId(id.to_owned())
    }
}

impl Serialize for ObjectId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ObjectId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(ObjectId)
    }
}

/// A plain string in the schema.
impl JsonSchema for ObjectId {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ObjectId".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeSet, HashSet};

    const LOWER: &str = "0a1b2c3d-0000-4000-8000-00000000000a";
    const UPPER: &str = "0A1B2C3D-0000-4000-8000-00000000000A";

    #[test]
    fn compared_hashed_and_ordered_without_regard_to_case() {
        let (a, b) = (ObjectId::from(LOWER), ObjectId::from(UPPER));
        assert_eq!(a, b);
        assert_eq!(a, UPPER);
        assert_ne!(a, ObjectId::from("0a1b2c3d-0000-4000-8000-00000000000b"));
        assert_eq!(a.cmp(&b), Ordering::Equal);
        assert_eq!(HashSet::from([a.clone(), b.clone()]).len(), 1);
        assert_eq!(BTreeSet::from([a.clone(), b.clone()]).len(), 1);
        let (lower_a, upper_b) = (ObjectId::from("a"), ObjectId::from("B"));
        assert!(lower_a < upper_b, "case-blind order");
    }

    #[test]
    fn kept_and_serialised_as_received_whatever_its_shape() {
        let upper: ObjectId = serde_json::from_str(&format!("\"{UPPER}\"")).unwrap();
        assert_eq!(upper.as_str(), UPPER);
        assert_eq!(
            serde_json::to_string(&upper).unwrap(),
            format!("\"{UPPER}\"")
        );
        assert!(upper.is_guid());
        // Fixtures and older snapshots use other strings: read, never rejected.
        let short: ObjectId = serde_json::from_str("\"u1\"").unwrap();
        assert_eq!(short.as_str(), "u1");
        assert!(!short.is_guid());
    }
}
