//! What closing the licence gap costs, per path. Pure; prices come from the price book.
//!
//! Money is computed in whole cents (rounded half away from zero once, on the monthly
//! total; the annual figure is twelve monthly totals), so the same inputs always give
//! the same figures.

use std::fmt::Write as _;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::licensing::{BaseLicence, LicencePath, Licensing, base_of, is_counted};
use crate::pricebook::{Prerequisite, PriceBook, PriceOption};
use crate::snapshot::TenantSnapshot;

/// A richer bundle within this share above the cheapest is pointed out (20 %).
const RICHER_WITHIN_PERCENT: i64 = 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CostOption {
    pub path: LicencePath,
    pub name: String,
    pub available: bool,
    /// Why it is (not) available, in a short sentence.
    pub reason: String,
    pub seats: u32,
    pub monthly: f64,
    pub annual: f64,
    pub recommended: bool,
    /// What else the path brings (one line).
    pub includes: String,
    /// The per-user monthly price used (the step-up price where one applies).
    #[serde(default)]
    pub monthly_per_user: f64,
    /// A full suite replacing the users' base licence, not an add-on.
    #[serde(default)]
    pub replaces_base: bool,
    /// How the price was chosen ("step-up from Microsoft 365 E3", "replaces the base licence").
    #[serde(default)]
    pub pricing: String,
    /// The price's source, and whether it was confirmed on a Microsoft page.
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub price_verified: bool,
    /// The option's full list price per user and month (equal to `monthly_per_user` unless
    /// an upgrade price applies).
    #[serde(default)]
    pub full_monthly_per_user: f64,
    /// When `monthly_per_user` is an upgrade price: the base licence it upgrades from.
    #[serde(default)]
    pub upgrade_from: Option<String>,
}

impl CostOption {
    /// What every cost table prints beside an upgrade price, so that "E3 → E5" is never
    /// read as E5's price: `upgrade from Microsoft 365 E3; full price $60.00`.
    pub fn upgrade_label(&self, money: impl Fn(f64) -> String) -> Option<String> {
        self.upgrade_from.as_ref().map(|base| {
            format!(
                "upgrade from {base}; full price {}",
                money(self.full_monthly_per_user)
            )
        })
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default)]
pub struct CostEstimate {
    pub currency: String,
    pub prices_checked_on: String,
    pub options: Vec<CostOption>,
    /// The recommended path, `None` when no purchase is needed.
    pub recommended: Option<LicencePath>,
    /// One or two sentences: what to buy and why (or "no purchase needed").
    pub recommendation: String,
    /// No purchase needed: the tenant's seats cover everyone in scope.
    pub covered: bool,
    /// Seats to buy (the licensing shortfall).
    pub seats_to_buy: u32,
    /// The tenant's Entra ID P1 status, which add-ons such as Governance depend on.
    pub p1_status: String,
    /// Where the prices came from (`built-in` or a file).
    pub price_book: String,
    /// "List prices as of …": prices change, quotes differ.
    pub disclaimer: String,
}

/// How the licence verdict reads at a glance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum VerdictTone {
    /// PIM is licensed for everyone in its scope.
    Good,
    /// PIM is licensed, but seats are short.
    Warn,
    /// No PIM-capable licence.
    Bad,
    /// The licences could not be read.
    #[default]
    Unknown,
}

/// The licence verdict, said once for every face (report, CLI, desktop): a short label,
/// its tone, and the sentence behind it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LicenceVerdict {
    pub tone: VerdictTone,
    /// "PIM is not licensed", "PIM licensed, seats short", …
    pub label: String,
    /// What the tenant has, how many seats PIM needs, and the cheapest path if it has none.
    pub sentence: String,
}

/// The licence verdict from the licensing analysis and the cost estimate.
pub fn licence_verdict(licensing: &Licensing, cost: &CostEstimate) -> LicenceVerdict {
    let (tone, label) = if !licensing.assessed {
        (VerdictTone::Unknown, "Licences not assessed")
    } else if !licensing.pim_capable {
        (VerdictTone::Bad, "PIM is not licensed")
    } else if licensing.seats.shortfall > 0 {
        (VerdictTone::Warn, "PIM licensed, seats short")
    } else {
        (VerdictTone::Good, "PIM licensed for everyone in scope")
    };
    let mut sentence = licensing.verdict.clone();
    if licensing.assessed
        && !licensing.pim_capable
        && let Some(o) = cost.options.iter().find(|o| o.recommended)
    {
        let users = if o.seats == 1 { "user" } else { "users" };
        let _ = write!(
            sentence,
            " Cheapest path: {} at {} a month for {} {users}.",
            o.name,
            format_money(&cost.currency, cents(o.monthly)),
            o.seats
        );
    }
    LicenceVerdict {
        tone,
        label: label.to_owned(),
        sentence,
    }
}

/// What the tenant already has that options depend on.
struct Tenant {
    assessed: bool,
    business_premium: bool,
    /// Business Premium users: per counted SKU, the larger of usable and consumed units.
    business_premium_users: u32,
    e3: bool,
    p1: bool,
    p1_seats: u32,
    in_scope: u32,
}

impl Tenant {
    fn read(snapshot: &TenantSnapshot, licensing: &Licensing) -> Tenant {
        let mut t = Tenant {
            assessed: licensing.assessed,
            business_premium: false,
            business_premium_users: 0,
            e3: false,
            p1: licensing.p1,
            p1_seats: licensing.p1_seats,
            in_scope: licensing.seats.in_scope,
        };
        for sku in snapshot
            .subscribed_skus
            .iter()
            .flatten()
            .filter(|s| is_counted(&s.capability_status))
        {
            let base = base_of(sku).or_else(|| {
                sku.sku_part_number
                    .eq_ignore_ascii_case("SPE_E3")
                    .then_some(BaseLicence::M365E3)
            });
            match base {
                Some(BaseLicence::M365BusinessPremium) => {
                    t.business_premium = true;
                    let usable = sku
                        .prepaid_units
                        .enabled
                        .max(0)
                        .saturating_add(sku.prepaid_units.warning.max(0));
                    let users = usable.max(sku.consumed_units).max(0);
                    t.business_premium_users = t
                        .business_premium_users
                        .saturating_add(u32::try_from(users).unwrap_or(u32::MAX));
                }
                Some(BaseLicence::M365E3) => t.e3 = true,
                None => {}
            }
        }
        t
    }

    fn has_base(&self, base: BaseLicence) -> bool {
        match base {
            BaseLicence::M365BusinessPremium => self.business_premium,
            BaseLicence::M365E3 => self.e3,
        }
    }
}

/// Prices every option in the book for the licensing shortfall and recommends one.
pub fn estimate(
    snapshot: &TenantSnapshot,
    licensing: &Licensing,
    book: &PriceBook,
) -> CostEstimate {
    let tenant = Tenant::read(snapshot, licensing);
    let seats = licensing.seats.shortfall;
    let currency = book.currency.clone();
    let mut options: Vec<CostOption> = book
        .options
        .iter()
        .map(|o| price_option(o, &tenant, seats))
        .collect();

    let covered = licensing.assessed && licensing.pim_capable && seats == 0;
    let (recommended, recommendation) = if covered {
        let l = &licensing.seats;
        (
            None,
            format!(
                "No purchase needed: {} usable PIM seat{} cover the {} user{} in scope, with {} to spare.",
                l.available,
                if l.available == 1 { "" } else { "s" },
                l.in_scope,
                if l.in_scope == 1 { "" } else { "s" },
                l.headroom
            ),
        )
    } else if seats == 0 {
        (
            None,
            "No user needs a PIM seat yet: nothing to buy.".to_owned(),
        )
    } else {
        recommend(&mut options, &currency, seats, licensing.assessed)
    };

    CostEstimate {
        currency,
        prices_checked_on: book.checked_on.to_string(),
        options,
        recommended,
        recommendation,
        covered,
        seats_to_buy: seats,
        p1_status: p1_status(licensing),
        price_book: book.origin.clone(),
        disclaimer: format!(
            "List prices per user per month in {} as of {} ({}); annual commitment, before tax and discounts. Confirm with Microsoft or your reseller.",
            book.currency, book.checked_on, book.origin
        ),
    }
}

fn price_option(o: &PriceOption, tenant: &Tenant, seats: u32) -> CostOption {
    let mut missing = Vec::new();
    let mut have = Vec::new();
    for prerequisite in &o.prerequisites {
        if !tenant.assessed {
            missing.push(format!(
                "needs {}, which cannot be checked: the tenant's licences could not be read",
                prerequisite.label()
            ));
            continue;
        }
        match (prerequisite, prerequisite.base()) {
            (_, Some(base)) if tenant.has_base(base) => have.push(match base {
                BaseLicence::M365BusinessPremium => {
                    format!("the tenant has {} ({} users)", base.label(), tenant.business_premium_users)
                }
                BaseLicence::M365E3 => format!("the tenant has {}", base.label()),
            }),
            (_, Some(_)) => missing.push(format!("needs {}", prerequisite.label())),
            (Prerequisite::EntraIdP1, None) if !tenant.p1 => {
                missing.push("needs Entra ID P1 for these users (the tenant has none)".to_owned());
            }
            (Prerequisite::EntraIdP1, None) if tenant.p1_seats < tenant.in_scope => missing.push(format!(
                "needs Entra ID P1 for these users (the tenant has {} P1 seats for {} users in scope)",
                tenant.p1_seats, tenant.in_scope
            )),
            (_, None) => have.push(format!("the tenant has Entra ID P1 ({} seats)", tenant.p1_seats)),
        }
    }
    if let Some(cap) = o.max_users {
        if o.prerequisites.contains(&Prerequisite::M365BusinessPremium)
            && tenant.business_premium
            && tenant.business_premium_users > cap
        {
            missing.push(format!(
                "tenant has {} Business Premium users, over the {cap} cap",
                tenant.business_premium_users
            ));
        } else if seats > cap {
            missing.push(format!("needs {seats} seats, over the {cap} cap"));
        }
    }
    let uplift = o
        .uplift_from
        .as_ref()
        .filter(|u| tenant.assessed && tenant.has_base(u.base));
    let (per_user, pricing) = match uplift {
        Some(u) => (
            u.monthly_per_user,
            format!(
                "step-up from {}: {:.2} per user instead of the full {:.2}",
                u.base.label(),
                u.monthly_per_user,
                o.monthly_per_user
            ),
        ),
        None if o.replaces_base => (
            o.monthly_per_user,
            "replaces the users' base licence; full price shown, the base licence it replaces is not subtracted".to_owned(),
        ),
        None => (o.monthly_per_user, "add-on, per user".to_owned()),
    };
    let monthly_cents = cents(per_user * f64::from(seats));
    let available = missing.is_empty();
    let reason = if available {
        if have.is_empty() {
            "No prerequisites.".to_owned()
        } else {
            sentence(&have.join("; "))
        }
    } else {
        sentence(&missing.join("; "))
    };
    CostOption {
        path: o.path,
        name: o.name.clone(),
        available,
        reason,
        seats,
        monthly: money(monthly_cents),
        annual: money(monthly_cents * 12),
        recommended: false,
        includes: o.includes.clone(),
        monthly_per_user: per_user,
        replaces_base: o.replaces_base,
        pricing,
        source: o.source.clone(),
        price_verified: o.verified,
        full_monthly_per_user: o.monthly_per_user,
        upgrade_from: uplift.map(|u| u.base.label().to_owned()),
    }
}

/// Marks the cheapest available option (ties: the book's order) and says why.
fn recommend(
    options: &mut [CostOption],
    currency: &str,
    seats: u32,
    assessed: bool,
) -> (Option<LicencePath>, String) {
    let caveat = if assessed {
        String::new()
    } else {
        format!(
            "The tenant's licences could not be read, so this assumes none of the {seats} users in scope is covered. "
        )
    };
    let mut ranked: Vec<usize> = (0..options.len())
        .filter(|&i| options[i].available)
        .collect();
    ranked.sort_by_key(|&i| (cents(options[i].monthly), i));
    let Some(&best) = ranked.first() else {
        return (
            None,
            format!(
                "{caveat}No option in the price book is available to this tenant: see each option's reason."
            ),
        );
    };
    options[best].recommended = true;
    let b = &options[best];
    let best_cents = cents(b.monthly);
    let mut text = format!(
        "{caveat}Buy {} for {seats} user{}: {} a month ({} a year), the cheapest available option{}.",
        b.name,
        if seats == 1 { "" } else { "s" },
        format_money(currency, best_cents),
        format_money(currency, best_cents * 12),
        if b.reason == "No prerequisites." {
            " with no prerequisites".to_owned()
        } else {
            format!("; {}", phrase(&b.reason))
        },
    );
    for &i in &ranked[1..] {
        let o = &options[i];
        let extra = cents(o.monthly) - best_cents;
        if extra * 100 <= best_cents * RICHER_WITHIN_PERCENT && o.path != b.path {
            let share = if best_cents > 0 {
                extra * 100 / best_cents
            } else {
                0
            };
            let _ = write!(
                text,
                " {} costs only {} more a month ({share} %) and also brings {}.",
                o.name,
                format_money(currency, extra),
                o.includes.trim_end_matches('.')
            );
        }
    }
    (Some(b.path), text)
}

fn p1_status(licensing: &Licensing) -> String {
    if !licensing.assessed {
        return "Entra ID P1 status unknown: the tenant's licences could not be read.".to_owned();
    }
    if !licensing.p1 {
        return "The tenant has no Entra ID P1: Governance and Entra Suite add-ons would need it first.".to_owned();
    }
    let mut names: Vec<&str> = Vec::new();
    for s in licensing
        .sources
        .iter()
        .filter(|s| s.counted && !s.plans.is_empty())
    {
        if !names.contains(&s.product_name.as_str()) {
            names.push(&s.product_name);
        }
    }
    format!(
        "The tenant has Entra ID P1 through {} ({} seats).",
        names.join(", "),
        licensing.p1_seats
    )
}

/// Whole cents, rounded half away from zero.
fn cents(amount: f64) -> i64 {
    (amount * 100.0).round() as i64
}

fn money(cents: i64) -> f64 {
    cents as f64 / 100.0
}

fn format_money(currency: &str, cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let c = cents.unsigned_abs();
    format!("{currency} {sign}{}.{:02}", c / 100, c % 100)
}

/// Capitalises the first letter and ends with a full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut s: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    if !s.ends_with('.') {
        s.push('.');
    }
    s
}

/// A sentence turned back into a phrase (all reasons start with an ordinary word).
fn phrase(sentence: &str) -> String {
    let mut chars = sentence.trim_end_matches('.').chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::licensing::{analyse, tests as fx};
    use crate::privileged::{GLOBAL_ADMINISTRATOR, HoldingKind, PrivilegedPopulation};
    use crate::settings::AssessmentSettings;
    use crate::snapshot::SubscribedSku;
    use crate::test_support::sku;

    /// A tenant not on PIM yet with these SKUs and `admins` permanent Global Administrators.
    fn tenant(skus: Vec<SubscribedSku>, admins: usize) -> (TenantSnapshot, Licensing) {
        let mut snapshot = fx::empty_snapshot();
        snapshot.subscribed_skus = Some(skus);
        let holdings = (0..admins)
            .map(|i| {
                fx::holding(
                    &format!("u{i:02}"),
                    GLOBAL_ADMINISTRATOR,
                    HoldingKind::PermanentActive,
                )
            })
            .collect();
        let population = PrivilegedPopulation {
            holdings,
            ..PrivilegedPopulation::default()
        };
        let licensing = analyse(&snapshot, &population, &AssessmentSettings::default());
        (snapshot, licensing)
    }

    /// One expected option: name, available, a fragment of its reason, monthly cost.
    type WantOption = (&'static str, bool, &'static str, f64);

    fn check(
        (snapshot, licensing): &(TenantSnapshot, Licensing),
        book: &PriceBook,
        recommended: Option<&str>,
        recommendation: &[&str],
        options: &[WantOption],
    ) -> CostEstimate {
        let cost = estimate(snapshot, licensing, book);
        let chosen = cost
            .options
            .iter()
            .find(|o| o.recommended)
            .map(|o| o.name.as_str());
        assert_eq!(chosen, recommended, "{cost:#?}");
        assert_eq!(
            cost.recommended,
            cost.options.iter().find(|o| o.recommended).map(|o| o.path)
        );
        for fragment in recommendation {
            assert!(
                cost.recommendation.contains(fragment),
                "{:?} lacks {fragment:?}",
                cost.recommendation
            );
        }
        for &(name, available, reason, monthly) in options {
            let o = cost
                .options
                .iter()
                .find(|o| o.name == name)
                .unwrap_or_else(|| panic!("no option {name}"));
            assert_eq!((o.available, o.monthly), (available, monthly), "{o:#?}");
            assert!(
                o.reason.contains(reason),
                "{name}: {:?} lacks {reason:?}",
                o.reason
            );
            assert_eq!(cents(o.annual), cents(o.monthly) * 12);
            assert_eq!(o.seats, licensing.seats.shortfall);
        }
        cost
    }

    const P2: &str = "Microsoft Entra ID P2";
    const DS_BP: &str = "Microsoft Defender Suite for Microsoft 365 Business Premium";
    const DPS_BP: &str = "Microsoft Defender and Purview Suites for Microsoft 365 Business Premium";
    const E5: &str = "Microsoft 365 E5";
    const GOV: &str = "Microsoft Entra ID Governance";
    const SUITE: &str = "Microsoft Entra Suite";
    const DS: &str = "Microsoft Defender Suite (formerly Microsoft 365 E5 Security)";

    /// Expected monthly cost from the default book's price, so no price is typed here.
    fn book_price(name: &str, seats: u32) -> f64 {
        let o = PriceBook::default_book()
            .options
            .into_iter()
            .find(|o| o.name == name)
            .unwrap();
        money(cents(o.monthly_per_user * f64::from(seats)))
    }

    #[test]
    fn licence_verdict_per_tenant_kind() {
        let book = PriceBook::default_book();
        let verdict = |skus: Vec<SubscribedSku>, admins: usize| {
            let (snapshot, licensing) = tenant(skus, admins);
            licence_verdict(&licensing, &estimate(&snapshot, &licensing, &book))
        };
        // Name, SKUs, permanent Global Administrators, tone, label, a fragment of the sentence.
        type Case = (
            &'static str,
            Vec<SubscribedSku>,
            usize,
            VerdictTone,
            &'static str,
            &'static str,
        );
        let cases: [Case; 4] = [
            (
                "covered",
                vec![sku("SPE_E5", "Enabled", 120)],
                14,
                VerdictTone::Good,
                "PIM licensed for everyone in scope",
                "120 seats, 14 needed.",
            ),
            (
                "short",
                vec![sku("AAD_PREMIUM_P2", "Enabled", 2)],
                5,
                VerdictTone::Warn,
                "PIM licensed, seats short",
                ": 3 short.",
            ),
            (
                "no P2",
                vec![sku("SPB", "Enabled", 40)],
                5,
                VerdictTone::Bad,
                "PIM is not licensed",
                " a month for 5 users.",
            ),
            (
                "unread",
                Vec::new(),
                3,
                VerdictTone::Bad,
                "PIM is not licensed",
                "No usable Entra ID P2",
            ),
        ];
        for (name, skus, admins, tone, label, fragment) in cases {
            let v = verdict(skus, admins);
            assert_eq!((v.tone, v.label.as_str()), (tone, label), "{name}: {v:?}");
            assert!(
                v.sentence.contains(fragment),
                "{name}: {:?} lacks {fragment:?}",
                v.sentence
            );
        }
        let (mut snapshot, _) = tenant(Vec::new(), 3);
        snapshot.subscribed_skus = None;
        let licensing = analyse(
            &snapshot,
            &PrivilegedPopulation::default(),
            &AssessmentSettings::default(),
        );
        let v = licence_verdict(&licensing, &estimate(&snapshot, &licensing, &book));
        assert_eq!(
            (v.tone, v.label.as_str()),
            (VerdictTone::Unknown, "Licences not assessed"),
            "{v:?}"
        );
        assert!(!v.sentence.contains("Cheapest"), "{v:?}");
    }

    #[test]
    fn business_premium_tenant_with_40_users() {
        let book = PriceBook::default_book();
        // 5 Global Administrators (they can approve each other) → 5 seats.
        let t = tenant(vec![sku("SPB", "Enabled", 40)], 5);
        assert_eq!(t.1.seats.shortfall, 5);
        let cheapest = book
            .options
            .iter()
            .filter(|o| !o.prerequisites.contains(&Prerequisite::M365E3))
            .min_by(|a, b| a.monthly_per_user.total_cmp(&b.monthly_per_user))
            .unwrap();
        let cost = check(
            &t,
            &book,
            Some(&cheapest.name),
            &["the cheapest available option", "5 users"],
            &[
                (P2, true, "No prerequisites", book_price(P2, 5)),
                (
                    DS_BP,
                    true,
                    "Microsoft 365 Business Premium (40 users)",
                    book_price(DS_BP, 5),
                ),
                (DPS_BP, true, "Business Premium", book_price(DPS_BP, 5)),
                (GOV, true, "Entra ID P1 (40 seats)", book_price(GOV, 5)),
                (SUITE, true, "Entra ID P1", book_price(SUITE, 5)),
                (DS, false, "Needs Microsoft 365 E3", book_price(DS, 5)),
                (E5, true, "", book_price(E5, 5)),
            ],
        );
        assert_eq!(
            cost.recommended,
            Some(LicencePath::EntraIdGovernance),
            "Governance is the cheapest in the shipped book"
        );
        assert!(
            cost.p1_status
                .contains("Microsoft 365 Business Premium (40 seats)"),
            "{}",
            cost.p1_status
        );
        assert!(!cost.covered);
        let e5 = cost.options.iter().find(|o| o.name == E5).unwrap();
        assert!(
            e5.replaces_base && e5.pricing.contains("replaces"),
            "{e5:#?}"
        );
    }

    #[test]
    fn business_premium_over_the_cap() {
        let book = PriceBook::default_book();
        let t = tenant(vec![sku("SPB", "Enabled", 420)], 3);
        check(
            &t,
            &book,
            Some(GOV),
            &[],
            &[
                (
                    DS_BP,
                    false,
                    "Tenant has 420 Business Premium users, over the 300 cap",
                    book_price(DS_BP, 3),
                ),
                (DPS_BP, false, "over the 300 cap", book_price(DPS_BP, 3)),
            ],
        );
    }

    #[test]
    fn e3_tenant_gets_the_e5_step_up() {
        let book = PriceBook::default_book();
        let t = tenant(vec![sku("SPE_E3", "Enabled", 200)], 6);
        let uplift = book
            .options
            .iter()
            .find(|o| o.name == E5)
            .and_then(|o| o.uplift_from.clone())
            .unwrap();
        let cost = check(
            &t,
            &book,
            Some(GOV),
            &[],
            &[
                (
                    E5,
                    true,
                    "No prerequisites",
                    money(cents(uplift.monthly_per_user * 6.0)),
                ),
                (
                    DS,
                    true,
                    "The tenant has Microsoft 365 E3",
                    book_price(DS, 6),
                ),
                (
                    DS_BP,
                    false,
                    "Needs Microsoft 365 Business Premium",
                    book_price(DS_BP, 6),
                ),
            ],
        );
        let e5 = cost.options.iter().find(|o| o.name == E5).unwrap();
        assert!(
            e5.pricing.starts_with("step-up from Microsoft 365 E3"),
            "{}",
            e5.pricing
        );
        assert!((e5.monthly_per_user - uplift.monthly_per_user).abs() < 1e-9);
        // Labelled as an upgrade, with the full price beside it.
        assert_eq!(e5.upgrade_from.as_deref(), Some("Microsoft 365 E3"));
        assert_eq!(
            e5.upgrade_label(|v| format!("${v:.2}")).as_deref(),
            Some("upgrade from Microsoft 365 E3; full price $60.00")
        );
        // Options priced in full carry no upgrade label.
        let ds = cost.options.iter().find(|o| o.name == DS).unwrap();
        assert_eq!(ds.upgrade_label(|v| format!("${v:.2}")), None);
        assert!((ds.full_monthly_per_user - ds.monthly_per_user).abs() < 1e-9);
    }

    #[test]
    fn covered_tenant_needs_no_purchase() {
        let t = tenant(vec![sku("SPE_E5", "Enabled", 120)], 14);
        let cost = check(
            &t,
            &PriceBook::default_book(),
            None,
            &[
                "No purchase needed: 120 usable PIM seats cover the 14 users in scope, with 106 to spare.",
            ],
            &[(P2, true, "", 0.0)],
        );
        assert!(cost.covered && cost.recommended.is_none());
        assert_eq!(
            t.1.verdict,
            "Entra ID P2 present through Microsoft 365 E5, 120 seats, 14 needed."
        );
    }

    #[test]
    fn tenant_without_p1_cannot_use_governance() {
        let t = tenant(vec![sku("ENTERPRISEPACK", "Enabled", 50)], 3);
        let cost = check(
            &t,
            &PriceBook::default_book(),
            Some(P2),
            &[],
            &[
                (
                    GOV,
                    false,
                    "Needs Entra ID P1 for these users (the tenant has none)",
                    book_price(GOV, 3),
                ),
                (SUITE, false, "Needs Entra ID P1", book_price(SUITE, 3)),
            ],
        );
        assert!(
            cost.p1_status.contains("no Entra ID P1"),
            "{}",
            cost.p1_status
        );
    }

    #[test]
    fn unread_licences_assume_nothing_and_check_no_prerequisite() {
        let (mut snapshot, _) = tenant(Vec::new(), 3);
        snapshot.subscribed_skus = None;
        let population = PrivilegedPopulation {
            holdings: (0..3)
                .map(|i| {
                    fx::holding(
                        &format!("u{i}"),
                        GLOBAL_ADMINISTRATOR,
                        HoldingKind::PermanentActive,
                    )
                })
                .collect(),
            ..PrivilegedPopulation::default()
        };
        let licensing = analyse(&snapshot, &population, &AssessmentSettings::default());
        assert!(!licensing.assessed);
        let cost = check(
            &(snapshot, licensing),
            &PriceBook::default_book(),
            Some(P2),
            &["could not be read, so this assumes none of the 3 users in scope is covered"],
            &[
                (P2, true, "No prerequisites", book_price(P2, 3)),
                (GOV, false, "cannot be checked", book_price(GOV, 3)),
                (DS_BP, false, "cannot be checked", book_price(DS_BP, 3)),
            ],
        );
        assert!(!cost.covered);
        assert!(cost.p1_status.contains("unknown"));
    }

    #[test]
    fn richer_bundle_within_a_fifth_is_named_and_money_rounds_to_cents() {
        let book = PriceBook::from_toml(
            r#"
currency = "EUR"
checked_on = "2026-11-01"
[[option]]
path = "entra_id_p2"
name = "P2"
monthly_per_user = 7.333
[[option]]
path = "defender_suite_business_premium"
name = "Defender Suite BP"
monthly_per_user = 8.5
prerequisites = ["m365_business_premium"]
max_users = 300
includes = "Defender for Endpoint P2"
[[option]]
path = "m365_e5"
name = "E5"
monthly_per_user = 60
"#,
            "custom.toml",
        )
        .unwrap();
        let t = tenant(vec![sku("SPB", "Enabled", 40)], 4);
        let cost = check(
            &t,
            &book,
            Some("P2"),
            &[
                "EUR 29.33 a month (EUR 351.96 a year)",
                "Defender Suite BP costs only EUR 4.67 more a month (15 %) and also brings Defender for Endpoint P2.",
            ],
            &[
                ("P2", true, "", 29.33),
                ("Defender Suite BP", true, "", 34.0),
                ("E5", true, "", 240.0),
            ],
        );
        assert_eq!(
            (cost.currency.as_str(), cost.prices_checked_on.as_str()),
            ("EUR", "2026-11-01")
        );
        assert!(!cost.recommendation.contains("E5 costs only"));
        assert!(cost.disclaimer.contains("custom.toml"));
    }
}
