//! Stable error kinds: an enum per error type whose variants carry the exact word the
//! faces branch on (`tenant_mismatch`, …), so a kind is matched, never compared as text.

/// Declares a fieldless error-kind enum with its wire words, `as_str`, `ALL` and `Display`.
///
/// ```
/// pimready_core::error_kind!(
///     /// Why a thing failed.
///     ThingErrorKind { Missing => "missing", Broken => "broken" }
/// );
/// assert_eq!(ThingErrorKind::Broken.as_str(), "broken");
/// assert_eq!(ThingErrorKind::ALL.len(), 2);
/// ```
#[macro_export]
macro_rules! error_kind {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every kind, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable word the faces branch on.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire,)+
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::error_kind!(
        /// A kind for the test.
        SampleKind { First => "first", SecondOne => "second_one" }
    );

    #[test]
    fn words_order_and_wire_form() {
        assert_eq!(
            SampleKind::ALL
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>(),
            ["first", "second_one"]
        );
        assert_eq!(SampleKind::SecondOne.to_string(), "second_one");
        assert_eq!(
            serde_json::to_string(&SampleKind::First).unwrap(),
            "\"first\""
        );
    }

    /// Every word of `RemediationError::kind`, pinned.
    #[test]
    fn remediation_kinds_are_stable() {
        use crate::remediation::RemediationErrorKind;
        assert_eq!(
            RemediationErrorKind::ALL
                .iter()
                .map(|k| k.as_str())
                .collect::<Vec<_>>(),
            ["unknown_user", "bad_address", "malformed", "version"]
        );
    }
}
