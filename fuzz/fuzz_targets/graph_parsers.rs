//! Every Graph response shape of `snapshot::*`: the first byte picks the type, the
//! rest is the JSON body. Parsing never panics; an accepted value re-serialises and
//! parses back equal; the accessors the checks call never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pimready_core::snapshot::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A Graph collection page, as the collector reads it.
#[derive(serde::Deserialize)]
struct Page<T> {
    value: Vec<T>,
}

fn round_trip<T>(body: &[u8]) -> Option<T>
where
    T: DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    let value: T = serde_json::from_slice(body).ok()?;
    let text = serde_json::to_string(&value).expect("a parsed value serialises");
    let again: T = serde_json::from_str(&text).expect("a serialised value parses");
    // Free-form JSON (access review scopes) may hold floats that reparse to a
    // neighbouring value: compare the JSON text, which is what a snapshot stores.
    assert_eq!(
        text,
        serde_json::to_string(&again).unwrap(),
        "round trip changed {value:?}"
    );
    Some(value)
}

fn page<T: DeserializeOwned>(body: &[u8]) {
    if let Ok(page) = serde_json::from_slice::<Page<T>>(body) {
        let _ = page.value.len();
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    match selector % 14 {
        0 => {
            if let Some(o) = round_trip::<Organization>(body) {
                let _ = o.default_domain();
            }
        }
        1 => {
            round_trip::<SubscribedSku>(body);
            page::<SubscribedSku>(body);
        }
        2 => {
            if let Some(r) = round_trip::<RoleDefinition>(body) {
                let _ = r.template_or_id();
            }
        }
        3 => {
            if let Some(a) = round_trip::<RoleAssignment>(body) {
                if let Some(p) = a.principal {
                    let _ = (p.kind(), p.name(), p.is_guest());
                }
            }
        }
        4 => {
            if let Some(i) = round_trip::<RoleScheduleInstance>(body) {
                let _ = i.is_permanent();
            }
            page::<RoleScheduleInstance>(body);
        }
        5 => {
            round_trip::<RoleSchedule>(body);
        }
        6 => {
            if let Some(a) = round_trip::<RoleManagementPolicyAssignment>(body) {
                if let Some(p) = a.policy {
                    for r in &p.rules {
                        let _ = p.rule(&r.id);
                        if let Some(d) = &r.maximum_duration {
                            let _ = (d.approx_seconds(), d.human());
                        }
                    }
                }
            }
            page::<RoleManagementPolicyAssignment>(body);
        }
        7 => {
            if let Some(p) = round_trip::<Principal>(body) {
                let _ = (p.kind(), p.name(), p.is_guest());
            }
            page::<Principal>(body);
        }
        8 => {
            if let Some(s) = round_trip::<SignInActivity>(body) {
                let _ = s.last_activity();
            }
        }
        9 => {
            round_trip::<PrivilegedGroup>(body);
        }
        10 => {
            round_trip::<GroupScheduleInstance>(body);
        }
        11 => {
            if let Some(r) = round_trip::<AccessReviewDefinition>(body) {
                let _ = r.scope_queries();
            }
        }
        12 => {
            round_trip::<ConditionalAccessPolicy>(body);
            page::<ConditionalAccessPolicy>(body);
        }
        _ => {
            round_trip::<Gap>(body);
        }
    }
});
