//! Preflight: before the assessment meeting, can the signed-in account read each dataset?
//!
//! Each dataset is read once, with the request the collector sends (its first page only;
//! `$top=1` where Graph documents `$top`), and every refusal is explained from the table
//! of documented permissions ([`pimready_graph::auth::permissions`]): the delegated
//! permission the token lacks, or, when the token has it, the directory role the account
//! lacks, and what to ask the tenant's admin. A dataset the tenant's licence withholds
//! (PIM without Entra ID P2, sign-in activity without P1) is a licence finding, not a
//! permission problem.
//!
//! Azure Resource Manager is read the same way, with the ARM token of the same account
//! (see [`probe_azure`]): a refused subscription names the Azure role to grant there.

use std::sync::Arc;

use pimready_core::snapshot::AzureSubscription;
use pimready_core::snapshot::{Dataset, Organization, Principal, PrincipalKind};
use pimready_graph::arm::{ArmSource, PIM_API, ROLE_ASSIGNMENTS_API, SUBSCRIPTIONS_API};
use pimready_graph::auth::permissions::{self, RequestPermission};
use pimready_graph::client::{GraphClient, GraphError, GraphErrorKind};
use pimready_graph::collect::{CollectConfig, CollectError, Lookup, WAVE_1, check_tenant};
use pimready_graph::token::TokenSource;
use serde::Serialize;

use crate::connect::Connection;
use crate::problem::Result;
use crate::target::AzureSignIn;

/// Whether one dataset can be read, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Access {
    Readable,
    /// The tenant's licences withhold it: a licence finding, not a permission problem.
    NotLicensed {
        licence: String,
    },
    /// The token lacks this delegated permission (when the token does not list its
    /// scopes, the documented one it most likely lacks).
    MissingPermission {
        permission: String,
    },
    /// The token has the permission; the signed-in account needs one of these roles.
    MissingRole {
        roles: Vec<String>,
    },
    /// Azure Resource Manager refused the read (403 `AuthorizationFailed`): the account
    /// holds no Azure RBAC role that can read at these scopes (ARM ids).
    MissingAzureRole {
        roles: Vec<String>,
        scopes: Vec<String>,
    },
    /// Nothing in the tenant to try it on (no principal of that kind holds a role).
    NotTested {
        reason: String,
    },
    /// Graph failed otherwise (5xx beyond the retries, an unexpected answer).
    Failed {
        detail: String,
    },
}

impl Access {
    /// "yes", "no", "licence", "not tested": the table's second column.
    pub fn readable_label(&self) -> &'static str {
        match self {
            Access::Readable => "yes",
            Access::NotLicensed { .. } => "licence",
            Access::NotTested { .. } => "not tested",
            Access::MissingPermission { .. }
            | Access::MissingRole { .. }
            | Access::MissingAzureRole { .. }
            | Access::Failed { .. } => "no",
        }
    }

    /// What is missing, in a few words.
    pub fn missing(&self) -> String {
        match self {
            Access::Readable => String::new(),
            Access::NotLicensed { licence } => format!("licence: {licence}"),
            Access::MissingPermission { permission } => format!("permission {permission}"),
            Access::MissingRole { roles } => format!("directory role: {}", roles.join(" or ")),
            Access::MissingAzureRole { roles, scopes } => format!(
                "Azure role: {} on {} scope{}",
                roles.join(" or "),
                scopes.len(),
                if scopes.len() == 1 { "" } else { "s" }
            ),
            Access::NotTested { reason } => reason.clone(),
            Access::Failed { detail } => detail.clone(),
        }
    }
}

/// One line of the preflight table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreflightRow {
    pub dataset: Dataset,
    /// The dataset's human label.
    pub label: String,
    /// The request tried (method and path, without the query).
    pub request: String,
    pub access: Access,
    /// What to ask the tenant's admin; empty when nothing is needed.
    pub ask: String,
    /// The Microsoft Graph page documenting the request's permissions.
    pub doc: String,
}

/// The preflight table, one row per dataset in [`Dataset::ALL`] order, then the Azure
/// Resource Manager rows (subscriptions, role assignments, PIM schedules) unless Azure is
/// skipped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PreflightReport {
    pub rows: Vec<PreflightRow>,
    /// The delegated permissions the token says it carries (JWT `scp`), when it says.
    pub granted: Option<Vec<String>>,
}

impl PreflightReport {
    /// A permission, a directory role or an Azure role is missing, or a read failed: the assessment
    /// would have gaps the tenant's admin can close (the CLI exits 4).
    pub fn access_missing(&self) -> bool {
        self.rows.iter().any(|r| {
            matches!(
                r.access,
                Access::MissingPermission { .. }
                    | Access::MissingRole { .. }
                    | Access::MissingAzureRole { .. }
                    | Access::Failed { .. }
            )
        })
    }

    /// The table as plain text: dataset, readable, what is missing, what to ask.
    pub fn table(&self) -> String {
        use std::fmt::Write as _;
        let header = ["Dataset", "Readable", "Missing", "Ask the tenant's admin"];
        let cells: Vec<[String; 4]> = self
            .rows
            .iter()
            .map(|r| {
                [
                    r.label.clone(),
                    r.access.readable_label().to_owned(),
                    r.access.missing(),
                    r.ask.clone(),
                ]
            })
            .collect();
        let width = |i: usize| {
            cells
                .iter()
                .map(|c| c[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        };
        let widths = [width(0), width(1), width(2)];
        let mut out = String::new();
        let mut line = |c: [&str; 4]| {
            let _ = writeln!(
                out,
                "{:w0$}  {:w1$}  {:w2$}  {}",
                c[0],
                c[1],
                c[2],
                c[3],
                w0 = widths[0],
                w1 = widths[1],
                w2 = widths[2]
            );
        };
        line(header);
        for c in &cells {
            line([&c[0], &c[1], &c[2], &c[3]]);
        }
        out.lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    }
}

/// Checks the connected tenant: Microsoft Graph, then Azure Resource Manager with the
/// connection's ARM token unless the target skips Azure (`--no-azure`).
pub async fn check(connection: &Connection) -> Result<PreflightReport> {
    let mut config = connection.target.collect_config(&connection.tenant_id)?;
    if connection.target.azure() != AzureSignIn::Skip {
        config.arm = Some(ArmSource {
            host: config.endpoints.arm.clone(),
            tokens: connection.arm_tokens.clone(),
            client: config.graph.clone(),
        });
    }
    Ok(probe(&config, connection.tokens.clone()).await?)
}

/// Reads each dataset once and explains every refusal; with `config.arm`, Azure Resource
/// Manager too (see [`probe_azure`]). Fails only when nothing can be asked of Graph at
/// all: the token is refused, Graph is unreachable, or it answers for another tenant.
pub async fn probe(
    config: &CollectConfig,
    tokens: Arc<dyn TokenSource>,
) -> std::result::Result<PreflightReport, CollectError> {
    let token = tokens.access_token().await?;
    let granted = permissions::granted_scopes(&token);
    let client = GraphClient::new(config.endpoints.graph.clone(), tokens, config.graph.clone())
        .map_err(|e| CollectError::Setup(e.detail))?;
    let mut answers: Vec<(Dataset, String, Outcome)> = Vec::new();
    let mut holders: Vec<Principal> = Vec::new();
    for (dataset, url) in WAVE_1 {
        let url = match dataset {
            // accessreviewset-list-definitions documents `$top`.
            Dataset::AccessReviews => format!("{url}?$top=1"),
            _ => url.to_owned(),
        };
        let page = client.first_page(&url).await;
        if let Err(e) = &page {
            match e.kind {
                GraphErrorKind::Unauthorized if dataset == Dataset::Organization => {
                    return Err(CollectError::SignIn(e.detail.clone()));
                }
                GraphErrorKind::Unreachable => {
                    return Err(CollectError::Unreachable {
                        host: client.host().to_string(),
                        detail: e.detail.clone(),
                    });
                }
                _ => {}
            }
        }
        if let Ok(page) = &page {
            if dataset == Dataset::Organization
                && let Some(org) = page
                    .items
                    .first()
                    .and_then(|v| serde_json::from_value::<Organization>(v.clone()).ok())
            {
                check_tenant(&config.tenant, &org)?;
            }
            holders.extend(
                page.items
                    .iter()
                    .filter_map(|v| v.get("principal"))
                    .filter_map(|p| serde_json::from_value::<Principal>(p.clone()).ok()),
            );
        }
        answers.push((dataset, url, page.map(|_| ()).map_err(Why::Graph)));
    }
    let first = |kind: PrincipalKind| {
        holders
            .iter()
            .find(|p| p.kind() == kind && !p.is_unknown())
            .or_else(|| holders.iter().find(|p| p.kind() == kind))
            .map(|p| p.id.to_string())
    };
    let user = first(PrincipalKind::User);
    let group = first(PrincipalKind::Group);
    let app = first(PrincipalKind::ServicePrincipal);
    // An object look-up per principal kind the tenant has; a filter no group matches
    // still proves PIM for Groups can be read.
    let no_group = "00000000-0000-0000-0000-000000000000".to_owned();
    let lookups: Vec<(Dataset, Option<Lookup>, &str)> = vec![
        (
            Dataset::PrivilegedPrincipals,
            user.clone().map(Lookup::User),
            "no user holds a directory role",
        ),
        (
            Dataset::PrivilegedPrincipals,
            app.map(Lookup::ServicePrincipal),
            "",
        ),
        (
            Dataset::SignInActivity,
            user.map(Lookup::SignIn),
            "no user holds a directory role",
        ),
        (
            Dataset::PrivilegedGroups,
            group.clone().map(Lookup::Members),
            "no group holds a directory role",
        ),
        (
            Dataset::GroupEligibilityScheduleInstances,
            Some(Lookup::GroupEligibility(
                group.clone().unwrap_or(no_group.clone()),
            )),
            "",
        ),
        (
            Dataset::GroupAssignmentScheduleInstances,
            Some(Lookup::GroupAssignment(group.unwrap_or(no_group))),
            "",
        ),
    ];
    for (dataset, lookup, untested) in lookups {
        let Some(lookup) = lookup else {
            if !untested.is_empty() {
                answers.push((
                    dataset,
                    String::new(),
                    Err(Why::Untested(untested.to_owned())),
                ));
            }
            continue;
        };
        let url = format!("/v1.0{}", lookup.url());
        let answer = client.get_object(&url).await.map(|_| ());
        answers.push((dataset, url, answer.map_err(Why::Graph)));
    }
    let mut rows: Vec<PreflightRow> = Dataset::ALL
        .iter()
        .map(|d| row(*d, &answers, granted.as_deref()))
        .collect();
    if let Some(arm) = &config.arm {
        rows.extend(probe_azure(arm).await);
    }
    Ok(PreflightReport { rows, granted })
}

/// A read's result: done, refused or failed by Graph, or not tried.
type Outcome = std::result::Result<(), Why>;

#[derive(Debug)]
enum Why {
    Graph(GraphError),
    Untested(String),
}

/// The licence a dataset needs, named in a licence finding.
fn licence_of(dataset: Dataset) -> &'static str {
    match dataset {
        Dataset::SignInActivity | Dataset::ConditionalAccessPolicies => {
            "Microsoft Entra ID P1 or P2"
        }
        _ => "Microsoft Entra ID P2 or Microsoft Entra ID Governance",
    }
}

/// A dataset's row: readable when every read of it worked; else the first refusal,
/// explained.
fn row(
    dataset: Dataset,
    answers: &[(Dataset, String, Outcome)],
    granted: Option<&[String]>,
) -> PreflightRow {
    let mine: Vec<&(Dataset, String, Outcome)> =
        answers.iter().filter(|(d, _, _)| *d == dataset).collect();
    let failed = mine
        .iter()
        .find(|(_, _, o)| matches!(o, Err(Why::Graph(_))))
        .or_else(|| mine.iter().find(|(_, _, o)| o.is_ok()))
        .or_else(|| mine.first())
        .copied();
    let (url, outcome) = failed.map_or(("", None), |(_, url, o)| (url.as_str(), Some(o)));
    let path = url.split('?').next().unwrap_or_default();
    let path = path.strip_prefix("/v1.0").unwrap_or(path);
    let documented = permissions::for_request(path, dataset);
    let (access, ask) = match outcome {
        None => (
            Access::NotTested {
                reason: "not read".to_owned(),
            },
            String::new(),
        ),
        Some(Ok(())) => (Access::Readable, String::new()),
        Some(Err(Why::Untested(reason))) => (
            Access::NotTested {
                reason: reason.clone(),
            },
            String::new(),
        ),
        Some(Err(Why::Graph(e))) => explain(dataset, e, documented, granted),
    };
    PreflightRow {
        dataset,
        label: dataset.label().to_owned(),
        request: if path.is_empty() {
            String::new()
        } else {
            format!("GET {path}")
        },
        access,
        ask,
        doc: documented.map(|r| r.doc.to_owned()).unwrap_or_default(),
    }
}

/// Why Graph refused a read, and what to ask the tenant's admin.
fn explain(
    dataset: Dataset,
    e: &GraphError,
    documented: Option<&RequestPermission>,
    granted: Option<&[String]>,
) -> (Access, String) {
    let failed = || {
        (
            Access::Failed {
                detail: e.detail.clone(),
            },
            "Run the check again later; if it keeps failing, the detail names the answer Graph gave.".to_owned(),
        )
    };
    match e.kind {
        GraphErrorKind::NotLicensed => {
            let licence = licence_of(dataset);
            (
                Access::NotLicensed {
                    licence: licence.to_owned(),
                },
                format!(
                    "Nothing to grant: without {licence} this data does not exist yet; the report shows it as a licence finding."
                ),
            )
        }
        GraphErrorKind::PermissionDenied | GraphErrorKind::Unauthorized => {
            let Some(row) = documented else {
                return failed();
            };
            let has =
                |p: &str| granted.is_some_and(|g| g.iter().any(|s| s.eq_ignore_ascii_case(p)));
            let missing = match granted {
                Some(_) if !row.permissions.iter().any(|p| has(p)) => row.permissions.first(),
                Some(_) => row.also.iter().find(|p| !has(p)),
                // The token does not list its scopes: name the one this read adds.
                None => row.also.first().or(row.permissions.first()),
            };
            if let Some(permission) = missing {
                return (
                    Access::MissingPermission {
                        permission: (*permission).to_owned(),
                    },
                    format!(
                        "Grant admin consent for the delegated Microsoft Graph permission {permission} to the app PIM Ready signs in with (Entra admin center > Enterprise applications > the app > Permissions)."
                    ),
                );
            }
            let roles: Vec<String> = if row.roles.is_empty() {
                vec!["Global Reader".to_owned()]
            } else {
                row.roles.iter().map(|r| (*r).to_owned()).collect()
            };
            let ask = format!(
                "Assign the signed-in account the directory role {} (Global Reader reads every dataset PIM Ready needs).",
                roles.join(" or ")
            );
            (Access::MissingRole { roles }, ask)
        }
        _ => failed(),
    }
}

/// The Azure Resource Manager pages documenting the reads [`probe_azure`] makes.
const ARM_SUBSCRIPTIONS_DOC: &str =
    "https://learn.microsoft.com/rest/api/resources/subscriptions/list";
const ARM_ASSIGNMENTS_DOC: &str =
    "https://learn.microsoft.com/rest/api/authorization/role-assignments/list-for-scope";
const ARM_SCHEDULES_DOC: &str = "https://learn.microsoft.com/rest/api/authorization/role-eligibility-schedule-instances/list-for-scope";

/// The Azure role that reads every scope below the one it is assigned at (`*/read`).
const AZURE_READER: &str = "Reader";

/// Azure Resource Manager, read as the collector reads it: the subscriptions the account
/// sees, then on each of them its role assignments and its PIM eligible and active schedule
/// instances (a first page proves the read). Never fails: each refusal is a row.
///
/// ARM answers a read at a scope where the account holds no role allowing it with 403
/// `AuthorizationFailed` ("does not have authorization to perform action … over scope …",
/// <https://learn.microsoft.com/azure/role-based-access-control/troubleshooting>); listing
/// role assignments needs `Microsoft.Authorization/roleAssignments/read`, which Reader
/// carries (<https://learn.microsoft.com/azure/role-based-access-control/role-assignments-list-rest>,
/// <https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/general#reader>).
/// `GET /subscriptions` lists only the subscriptions the account holds a role on, so an
/// empty list proves nothing either way
/// (<https://learn.microsoft.com/azure/cost-management-billing/manage/no-subscriptions-found>).
pub async fn probe_azure(arm: &ArmSource) -> Vec<PreflightRow> {
    let client = match probe_client(arm).await {
        Ok(c) => c,
        Err(rows) => return rows,
    };
    let subscriptions = match visible_subscriptions(&client).await {
        Ok(s) => s,
        Err(rows) => return rows,
    };
    let reads = match first_pages(client, &subscriptions).await {
        Ok(r) => r,
        Err(rows) => return rows,
    };
    let (request, access) = summarise(
        &subscriptions,
        &reads
            .iter()
            .map(|(scope, a, _)| (scope, a))
            .collect::<Vec<_>>(),
        "roleAssignments",
    );
    let assignments = azure_row(
        Dataset::AzureRoleAssignments,
        request,
        ARM_ASSIGNMENTS_DOC,
        access,
    );
    let (request, access) = summarise(
        &subscriptions,
        &reads
            .iter()
            .map(|(scope, _, s)| (scope, s))
            .collect::<Vec<_>>(),
        "roleEligibilityScheduleInstances",
    );
    let schedules = azure_row(
        Dataset::AzureRoleSchedules,
        request,
        ARM_SCHEDULES_DOC,
        access,
    );
    vec![
        azure_row(
            Dataset::AzureSubscriptions,
            ARM_LISTING.to_owned(),
            ARM_SUBSCRIPTIONS_DOC,
            (Access::Readable, String::new()),
        ),
        assignments,
        schedules,
    ]
}

/// The request that lists the subscriptions the account sees.
const ARM_LISTING: &str = "GET /subscriptions";

/// One Azure row of the preflight table.
fn azure_row(
    dataset: Dataset,
    request: String,
    doc: &str,
    (access, ask): (Access, String),
) -> PreflightRow {
    PreflightRow {
        dataset,
        label: dataset.label().to_owned(),
        request,
        access,
        ask,
        doc: doc.to_owned(),
    }
}

/// The rows when the probe stopped at the subscription listing: its answer, and the two
/// reads below it not tested, for `reason`.
fn only_listing(listed: (Access, String), reason: &str) -> Vec<PreflightRow> {
    let untested = || {
        (
            Access::NotTested {
                reason: reason.to_owned(),
            },
            String::new(),
        )
    };
    vec![
        azure_row(
            Dataset::AzureSubscriptions,
            ARM_LISTING.to_owned(),
            ARM_SUBSCRIPTIONS_DOC,
            listed,
        ),
        azure_row(
            Dataset::AzureRoleAssignments,
            String::new(),
            ARM_ASSIGNMENTS_DOC,
            untested(),
        ),
        azure_row(
            Dataset::AzureRoleSchedules,
            String::new(),
            ARM_SCHEDULES_DOC,
            untested(),
        ),
    ]
}

/// A client for ARM, once the token source has given an ARM token; else the rows saying why not.
async fn probe_client(arm: &ArmSource) -> std::result::Result<GraphClient, Vec<PreflightRow>> {
    if let Err(e) = arm.tokens.access_token().await {
        return Err(only_listing(
            (
                Access::Failed {
                    detail: format!("no Azure Resource Manager token: {e}"),
                },
                "Sign the same account in to Azure Resource Manager (the detail says why it did not work; an administrator can consent to Azure Service Management's user_impersonation for the app PIM Ready signs in with), or leave Azure out (--no-azure; in the app, untick \"Also read Azure subscriptions\").".to_owned(),
            ),
            "no Azure Resource Manager token",
        ));
    }
    GraphClient::new(
        arm.host.as_client_host().clone(),
        Arc::clone(&arm.tokens),
        arm.client.clone(),
    )
    .map_err(|e| {
        only_listing(
            explain_arm(&e, &[]),
            "the Azure Resource Manager client could not be set up",
        )
    })
}

/// The subscriptions the account sees whose ids can go into a request path; else the rows
/// saying why none can be read.
async fn visible_subscriptions(
    client: &GraphClient,
) -> std::result::Result<Vec<AzureSubscription>, Vec<PreflightRow>> {
    let listed = client
        .get_collection(&format!("/subscriptions?api-version={SUBSCRIPTIONS_API}"))
        .await
        .and_then(|values| {
            values
                .into_iter()
                .map(|v| {
                    serde_json::from_value::<AzureSubscription>(v).map_err(|e| {
                        GraphError::other(
                            Some(200),
                            format!("a subscription has an unexpected shape: {e}"),
                        )
                    })
                })
                .collect::<std::result::Result<Vec<_>, _>>()
        });
    let mut subscriptions = match listed {
        Ok(s) => s,
        Err(e) => {
            let root = ("/".to_owned(), "the tenant".to_owned());
            return Err(only_listing(
                explain_arm(&e, &[root]),
                "the subscriptions could not be listed",
            ));
        }
    };
    // Ids go into request paths, as in the collector: GUIDs only.
    subscriptions.retain(|s| pimready_core::snapshot::is_guid(&s.subscription_id));
    if subscriptions.is_empty() {
        return Err(only_listing(
            (
                Access::NotTested {
                    reason: "no subscriptions visible".to_owned(),
                },
                format!(
                    "If the tenant has Azure subscriptions, the account holds no Azure role on them: ask for {AZURE_READER} at the tenant root management group (Azure portal > Management groups > Tenant Root Group > Access control (IAM))."
                ),
            ),
            "no subscriptions visible",
        ));
    }
    Ok(subscriptions)
}

/// A subscription's scope, and whether the first page of its role assignments and of its PIM
/// schedule instances could be read.
type SubscriptionRead = (
    String,
    std::result::Result<(), GraphError>,
    std::result::Result<(), GraphError>,
);

/// The first pages of every subscription at once, in the subscriptions' order; the client
/// bounds how many requests are in flight. Else the rows saying the read stopped.
async fn first_pages(
    client: GraphClient,
    subscriptions: &[AzureSubscription],
) -> std::result::Result<Vec<SubscriptionRead>, Vec<PreflightRow>> {
    let client = Arc::new(client);
    let mut tasks = tokio::task::JoinSet::new();
    for (i, s) in subscriptions.iter().enumerate() {
        let scope = format!("/subscriptions/{}", s.subscription_id);
        let client = Arc::clone(&client);
        tasks.spawn(async move {
            let assignments = format!(
                "{scope}/providers/Microsoft.Authorization/roleAssignments?api-version={ROLE_ASSIGNMENTS_API}"
            );
            let eligible = format!(
                "{scope}/providers/Microsoft.Authorization/roleEligibilityScheduleInstances?api-version={PIM_API}"
            );
            let active = format!(
                "{scope}/providers/Microsoft.Authorization/roleAssignmentScheduleInstances?api-version={PIM_API}"
            );
            let (a, e, s) = tokio::join!(
                client.first_page(&assignments),
                client.first_page(&eligible),
                client.first_page(&active),
            );
            let schedules = e.and(s).map(|_| ());
            (i, scope, a.map(|_| ()), schedules)
        });
    }
    let mut reads = Vec::with_capacity(subscriptions.len());
    while let Some(done) = tasks.join_next().await {
        match done {
            Ok(read) => reads.push(read),
            Err(e) => {
                return Err(only_listing(
                    (
                        Access::Failed {
                            detail: format!("the Azure read stopped: {e}"),
                        },
                        String::new(),
                    ),
                    "the Azure read stopped",
                ));
            }
        }
    }
    reads.sort_by_key(|(i, ..)| *i);
    Ok(reads
        .into_iter()
        .map(|(_, scope, a, s)| (scope, a, s))
        .collect())
}

/// One collection's row across the subscriptions: the request to show (at the first that
/// failed, else the first) and its access, naming the subscriptions that refused.
fn summarise(
    subscriptions: &[AzureSubscription],
    answers: &[(&String, &std::result::Result<(), GraphError>)],
    collection: &str,
) -> (String, (Access, String)) {
    let name = |scope: &str| {
        subscriptions
            .iter()
            .find(|s| format!("/subscriptions/{}", s.subscription_id) == scope)
            .and_then(|s| s.display_name.clone())
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| scope.to_owned())
    };
    let first = format!("/subscriptions/{}", subscriptions[0].subscription_id);
    let failed: Vec<(&String, &GraphError)> = answers
        .iter()
        .filter_map(|(scope, a)| a.as_ref().err().map(|e| (*scope, e)))
        .collect();
    let refused: Vec<(String, String)> = failed
        .iter()
        .filter(|(_, e)| is_refusal(e))
        .map(|(scope, _)| ((*scope).clone(), name(scope)))
        .collect();
    let at = failed.first().map_or(&first, |(scope, _)| *scope);
    let request = format!("GET {at}/providers/Microsoft.Authorization/{collection}");
    let access = if !refused.is_empty() {
        explain_arm(
            failed
                .iter()
                .find(|(_, e)| is_refusal(e))
                .map(|(_, e)| *e)
                .expect("a refusal"),
            &refused,
        )
    } else if let Some((_, e)) = failed.first() {
        explain_arm(e, &[])
    } else {
        (Access::Readable, String::new())
    };
    (request, access)
}

/// ARM's refusal of a scope: 403, `AuthorizationFailed`
/// (<https://learn.microsoft.com/azure/role-based-access-control/troubleshooting>).
fn is_refusal(e: &GraphError) -> bool {
    e.status == Some(403) || e.code.as_deref() == Some("AuthorizationFailed")
}

/// Why Azure Resource Manager refused a read, and what to ask the tenant's admin;
/// `refused` names the scopes (ARM id, display name) it refused.
fn explain_arm(e: &GraphError, refused: &[(String, String)]) -> (Access, String) {
    if is_refusal(e) && !refused.is_empty() {
        const SHOWN: usize = 3;
        let mut names: Vec<String> = refused
            .iter()
            .take(SHOWN)
            .map(|(_, name)| format!("'{name}'"))
            .collect();
        if refused.len() > SHOWN {
            names.push(format!("{} more", refused.len() - SHOWN));
        }
        let names = names.join(", ");
        return (
            Access::MissingAzureRole {
                roles: vec![AZURE_READER.to_owned()],
                scopes: refused.iter().map(|(scope, _)| scope.clone()).collect(),
            },
            format!(
                "Assign the signed-in account the Azure role {AZURE_READER} on {names} (Azure portal > the scope > Access control (IAM)), or at the tenant root management group to cover every subscription; Entra directory roles give no Azure access."
            ),
        );
    }
    match e.kind {
        GraphErrorKind::NotLicensed => (
            Access::NotLicensed {
                licence: licence_of(Dataset::AzureRoleSchedules).to_owned(),
            },
            "Nothing to grant: without this licence PIM for Azure resources is not available; the report shows it as a licence finding.".to_owned(),
        ),
        GraphErrorKind::Unauthorized => (
            Access::Failed {
                detail: format!("Azure Resource Manager refused the token: {}", e.detail),
            },
            "Sign in again; a token given in PIMREADY_ARM_ACCESS_TOKEN must be an Azure Resource Manager token of the same account.".to_owned(),
        ),
        _ => (
            Access::Failed {
                detail: e.detail.clone(),
            },
            "Run the check again later; if it keeps failing, the detail names the answer Azure Resource Manager gave.".to_owned(),
        ),
    }
}
