//! The Graph look-alike: one dispatcher used for top-level requests and for every
//! request inside a `$batch`, so faults, licensing and paging behave the same in both.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::fault::{FaultKind, retry_after_value, strip_version};
use crate::fixture::Tenant;
use crate::permissions::{self, AnyOf};
use crate::{Denied, Grant, Shared};

/// What the dispatcher decided to answer.
#[derive(Debug)]
pub(crate) enum Outcome {
    Json {
        status: u16,
        headers: Vec<(String, String)>,
        body: Value,
    },
    Text {
        status: u16,
        body: String,
    },
    DropMidBody {
        prefix: String,
    },
    Reset,
    Hang,
}

impl Outcome {
    pub fn json(status: u16, body: Value) -> Self {
        Outcome::Json {
            status,
            headers: Vec::new(),
            body,
        }
    }

    /// Adds a header to a JSON answer (other answers have no headers to add to).
    pub fn with_header(mut self, name: &str, value: String) -> Self {
        if let Outcome::Json { headers, .. } = &mut self {
            headers.push((name.to_owned(), value));
        }
        self
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Outcome::Json { status, .. } | Outcome::Text { status, .. } => Some(*status),
            Outcome::DropMidBody { .. } | Outcome::Reset => Some(200),
            Outcome::Hang => None,
        }
    }
}

/// A Graph error body, `{"error":{"code","message","innerError":{…}}}`.
pub(crate) fn graph_error(status: u16, code: &str, message: &str) -> Outcome {
    let request_id = crate::fixture::guid(&format!("{code}|{message}|{status}"));
    Outcome::json(
        status,
        json!({"error": {"code": code, "message": message, "innerError": {
            "date": "2026-11-20T09:00:00",
            "request-id": request_id,
            "client-request-id": request_id,
        }}}),
    )
}

pub(crate) fn not_licensed() -> Outcome {
    graph_error(
        400,
        "AadPremiumLicenseRequired",
        "The tenant needs to have a Microsoft Entra ID P2 or Microsoft Entra ID Governance license.",
    )
}

pub(crate) fn bad_request(message: &str) -> Outcome {
    graph_error(400, "BadRequest", message)
}

pub(crate) fn not_found(id: &str) -> Outcome {
    graph_error(
        404,
        "Request_ResourceNotFound",
        &format!(
            "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
        ),
    )
}

/// One request, top-level or inside a batch.
#[derive(Debug, Clone)]
pub(crate) struct GraphRequest {
    pub method: String,
    /// Path without the version prefix, e.g. `/users/123`.
    pub path: String,
    /// `v1.0` or `beta`.
    pub version: String,
    pub query: String,
    pub body: Option<Value>,
}

/// Parsed OData query options.
struct Query {
    params: HashMap<String, String>,
}

impl Query {
    fn parse(query: &str) -> Self {
        let params = url::form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.to_ascii_lowercase(), v.into_owned()))
            .collect();
        Query { params }
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.params.get(key).map(String::as_str)
    }

    fn select(&self) -> Option<Vec<String>> {
        self.get("$select").map(|s| {
            s.split(',')
                .map(|f| f.trim().to_owned())
                .filter(|f| !f.is_empty())
                .collect()
        })
    }

    fn top(&self) -> Result<Option<usize>, Outcome> {
        match self.get("$top") {
            None => Ok(None),
            Some(t) => t
                .parse::<usize>()
                .map(Some)
                .map_err(|_| bad_request(&format!("Invalid value '{t}' for $top."))),
        }
    }

    fn skip(&self) -> usize {
        self.get("$skiptoken")
            .and_then(|t| t.strip_prefix("RFNwdAIAAQAAA"))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }

    fn expand(&self) -> Option<&str> {
        self.get("$expand")
    }

    /// `a eq 'x' and b eq 'y'` → [(a, x), (b, y)].
    fn filter(&self) -> Result<Vec<(String, String)>, Outcome> {
        let Some(f) = self.get("$filter") else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for clause in split_and(f) {
            let clause = clause.trim();
            let parts: Vec<&str> = clause.splitn(3, ' ').collect();
            match parts.as_slice() {
                [field, op, value] if op.eq_ignore_ascii_case("eq") => {
                    let v = value.trim();
                    let v = v
                        .strip_prefix('\'')
                        .and_then(|v| v.strip_suffix('\''))
                        .unwrap_or(v);
                    out.push(((*field).to_owned(), v.replace("''", "'")));
                }
                _ => return Err(bad_request(&format!("Invalid filter clause: {clause}"))),
            }
        }
        Ok(out)
    }
}

fn split_and(f: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let lower = f.to_ascii_lowercase();
    let mut start = 0;
    while let Some(pos) = lower[start..].find(" and ") {
        out.push(&f[start..start + pos]);
        start += pos + 5;
    }
    out.push(&f[start..]);
    out
}

/// Skip tokens look opaque like Graph's but encode an offset.
fn skip_token(offset: usize) -> String {
    format!("RFNwdAIAAQAAA{offset}")
}

/// Properties Graph returns for a user without `$select`.
const USER_DEFAULT: [&str; 11] = [
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];

/// An object as Graph serialises it: default properties, or `$select` + id. Copies
/// only what it serves (the emulator shares the machine with the client it serves).
fn project(object: &Value, select: Option<&[String]>, with_type: bool) -> Value {
    let empty = Map::new();
    let map = object.as_object().unwrap_or(&empty);
    let kind = map
        .get("@odata.type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let mut out = Map::new();
    if with_type {
        out.insert("@odata.type".into(), json!(kind));
    }
    match select {
        Some(fields) => {
            out.insert("id".into(), map.get("id").cloned().unwrap_or(Value::Null));
            for f in fields {
                // Graph omits properties that do not exist on this type (e.g. appId on a user).
                if let Some((k, v)) = map.iter().find(|(k, _)| k.eq_ignore_ascii_case(f)) {
                    out.insert(k.clone(), v.clone());
                } else if kind == "#microsoft.graph.user" && user_property(f) {
                    out.insert(f.clone(), Value::Null);
                }
            }
        }
        None if kind == "#microsoft.graph.user" => {
            for f in USER_DEFAULT {
                out.insert(f.into(), map.get(f).cloned().unwrap_or(Value::Null));
            }
        }
        None => {
            for (k, v) in map {
                if k != "@odata.type" && k != "signInActivity" {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
    }
    Value::Object(out)
}

/// An object inside a `directoryObject` answer (`$expand`, members, owners): in full when
/// the token may read its type, else its id and type only, every other property null
/// ("Limited information returned for inaccessible member objects",
/// learn.microsoft.com/graph/permissions-overview).
fn readable(object: &Value, select: Option<&[String]>, grant: &Grant) -> Value {
    let kind = object["@odata.type"].as_str().unwrap_or_default();
    let needed: AnyOf = permissions::to_read_type(kind);
    if permissions::unmet(&[needed], &grant.scopes).is_none() {
        return project(object, select, true);
    }
    let mut limited = project(object, select, true);
    if let Some(map) = limited.as_object_mut() {
        for (k, v) in map.iter_mut() {
            if k != "id" && k != "@odata.type" {
                *v = Value::Null;
            }
        }
    }
    limited
}

fn user_property(f: &str) -> bool {
    matches!(
        f,
        "userType"
            | "onPremisesSyncEnabled"
            | "onPremisesImmutableId"
            | "assignedLicenses"
            | "mail"
            | "accountEnabled"
            | "createdDateTime"
            | "jobTitle"
            | "department"
    )
}

impl Shared {
    /// Serves one request after authentication: throttling, faults, then the route.
    pub(crate) async fn dispatch(
        self: &Arc<Self>,
        req: GraphRequest,
        bearer: Option<&str>,
        in_batch: bool,
    ) -> Outcome {
        let path = req.path.clone();
        let used = if path == "/$batch" {
            None
        } else {
            match self.take_throttle() {
                Ok(used) => used,
                Err(wait) => return throttled_by_limit(&path, wait),
            }
        };
        let outcome = self.serve(req, bearer, in_batch).await;
        match used {
            // Above 80 % of the limit, identity and access answers say how much is used
            // (https://learn.microsoft.com/graph/throttling-limits#regular-responses-requests).
            Some(used) if !omits_throttle_headers(&path) => {
                outcome.with_header("x-ms-throttle-limit-percentage", format!("{used:.2}"))
            }
            _ => outcome,
        }
    }

    /// Faults, then the permission check, then the route.
    async fn serve(
        self: &Arc<Self>,
        req: GraphRequest,
        bearer: Option<&str>,
        in_batch: bool,
    ) -> Outcome {
        let path = req.path.clone();
        // Faults (the first matching active one fires).
        let mut fault = self.take_fault(&req.method, &path, &req.query);
        while let Some(FaultKind::Latency(d)) = fault {
            tokio::time::sleep(d).await;
            fault = self.take_fault_after_latency(&req.method, &path, &req.query);
        }
        if let Some(kind) = fault
            && let Some(outcome) = self.apply_fault(&kind, &req, bearer)
        {
            return outcome;
        }
        let grant = match self.authorize(bearer, &req) {
            Ok(grant) => grant,
            Err(denied) => return denied,
        };
        if path == "/$batch" {
            if in_batch {
                return bad_request("Nested batch requests are not supported.");
            }
            return self.batch(&req, bearer).await;
        }
        self.route(&req, &grant)
    }

    /// The token's grant, if it is live and holds the permissions Graph documents for the
    /// route (see [`permissions::required`]).
    fn authorize(&self, bearer: Option<&str>, req: &GraphRequest) -> Result<Grant, Outcome> {
        let Some(bearer) = bearer else {
            return Err(unauthenticated("Access token is empty."));
        };
        let grant = match (self.validator)(bearer) {
            Ok(grant) => grant,
            Err(Denied::Unauthenticated(message)) => return Err(unauthenticated(&message)),
            Err(Denied::Forbidden(message)) => {
                return Err(graph_error(403, "Authorization_RequestDenied", &message));
            }
        };
        let lower = req.path.trim_matches('/').to_ascii_lowercase();
        let segments: Vec<&str> = lower.split('/').collect();
        let select = Query::parse(&req.query).select().unwrap_or_default();
        let method = req.method.to_ascii_uppercase();
        if let Some(required) = permissions::required(&method, &segments, &select)
            && permissions::unmet(&required, &grant.scopes).is_some()
        {
            // Graph names no permission in this answer; neither does the emulator.
            return Err(graph_error(
                403,
                "Authorization_RequestDenied",
                "Insufficient privileges to complete the operation.",
            ));
        }
        Ok(grant)
    }

    fn apply_fault(
        &self,
        kind: &FaultKind,
        req: &GraphRequest,
        bearer: Option<&str>,
    ) -> Option<Outcome> {
        Some(match kind {
            FaultKind::Latency(_) => return None,
            FaultKind::Throttle { retry_after } => throttled(*retry_after),
            FaultKind::ThrottleWithoutRetryAfter => throttled_without_retry_after(),
            FaultKind::Status(status) => {
                let code = match status {
                    500 => "InternalServerError",
                    502 => "BadGateway",
                    503 => "ServiceNotAvailable",
                    504 => "GatewayTimeout",
                    _ => "UnknownError",
                };
                // No Retry-After: the client's own backoff applies (use `Throttle` for Retry-After).
                graph_error(*status, code, "The service is temporarily unavailable. Please retry.")
            }
            FaultKind::Unavailable { retry_after } => {
                let mut o = graph_error(503, "ServiceNotAvailable", "The service is temporarily unavailable. Please retry.");
                if let Outcome::Json { headers, .. } = &mut o {
                    headers.push(("Retry-After".into(), retry_after_value(*retry_after)));
                }
                o
            }
            FaultKind::DropMidBody => Outcome::DropMidBody {
                prefix: format!(
                    "{{\"@odata.context\":\"{}/v1.0/$metadata#{}\",\"value\":[{{\"id\":\"",
                    self.base_url,
                    req.path.trim_start_matches('/')
                ),
            },
            FaultKind::Reset => Outcome::Reset,
            FaultKind::Hang => Outcome::Hang,
            FaultKind::MalformedJson => Outcome::Text {
                status: 200,
                body: "{\"@odata.context\":\"https://graph.microsoft.com/v1.0/$metadata\",\"value\":[{\"id\":\"a1\",\"displayName\":".into(),
            },
            FaultKind::WrongShape => Outcome::json(200, json!({"value": {"unexpected": "object"}, "id": 42, "displayName": ["not", "a", "string"]})),
            FaultKind::NextLinkLoop => {
                let link = format!("{}/{}{}{}", self.base_url, req.version, req.path, query_suffix(&req.query));
                Outcome::json(200, json!({"@odata.context": self.context(&req.version, &req.path), "value": [], "@odata.nextLink": link}))
            }
            FaultKind::ForeignNextLink => {
                let mut outcome = match self.authorize(bearer, req) {
                    Ok(grant) => self.route(req, &grant),
                    Err(denied) => denied,
                };
                if let Outcome::Json { status: 200, body, .. } = &mut outcome {
                    let link = format!(
                        "{}/{}{}?$skiptoken={}",
                        self.foreign_base_url,
                        req.version,
                        req.path,
                        skip_token(1)
                    );
                    body["@odata.nextLink"] = json!(link);
                }
                outcome
            }
            FaultKind::Unauthorized => unauthenticated("Lifetime validation failed, the token is expired."),
            FaultKind::Forbidden => graph_error(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation."),
            FaultKind::NotLicensed => not_licensed(),
        })
    }

    fn context(&self, version: &str, path: &str) -> String {
        format!(
            "{}/{version}/$metadata#{}",
            self.base_url,
            path.trim_start_matches('/')
        )
    }

    /// A page of a collection with `$top`, `$skiptoken` and `@odata.nextLink`.
    fn page(
        &self,
        req: &GraphRequest,
        q: &Query,
        total: usize,
        item: &dyn Fn(usize) -> Option<Value>,
        default_top: usize,
    ) -> Outcome {
        let top = match q.top() {
            Ok(t) => t.unwrap_or(default_top).clamp(1, 999),
            Err(e) => return e,
        };
        let skip = q.skip();
        let end = (skip + top).min(total);
        let value: Vec<Value> = (skip..end).filter_map(item).collect();
        let mut body =
            json!({"@odata.context": self.context(&req.version, &req.path), "value": value});
        if end < total {
            let kept: Vec<(String, String)> = url::form_urlencoded::parse(req.query.as_bytes())
                .filter(|(k, _)| !k.eq_ignore_ascii_case("$skiptoken"))
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            let mut ser = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in &kept {
                ser.append_pair(k, v);
            }
            ser.append_pair("$skiptoken", &skip_token(end));
            body["@odata.nextLink"] = json!(format!(
                "{}/{}{}?{}",
                self.base_url,
                req.version,
                req.path,
                ser.finish()
            ));
        }
        Outcome::json(200, body)
    }

    fn list(&self, req: &GraphRequest, q: &Query, items: &[Value], default_top: usize) -> Outcome {
        self.page(req, q, items.len(), &|i| items.get(i).cloned(), default_top)
    }

    /// [`Self::list`] over the items a filter kept, each shaped (expanded, trimmed) only
    /// when its page is served.
    fn list_shaped(
        &self,
        req: &GraphRequest,
        q: &Query,
        items: &[&Value],
        default_top: usize,
        shape: &dyn Fn(&Value) -> Value,
    ) -> Outcome {
        self.page(
            req,
            q,
            items.len(),
            &|i| items.get(i).map(|v| shape(v)),
            default_top,
        )
    }

    fn filtered<'v>(q: &Query, items: &'v [Value]) -> Result<Vec<&'v Value>, Outcome> {
        let clauses = q.filter()?;
        Ok(items
            .iter()
            .filter(|item| {
                clauses.iter().all(|(k, v)| {
                    item.get(k)
                        .and_then(Value::as_str)
                        .is_some_and(|x| x.eq_ignore_ascii_case(v))
                })
            })
            .collect())
    }

    fn expands_principal(q: &Query) -> bool {
        let expand = q.expand().unwrap_or_default().to_ascii_lowercase();
        expand.split(',').any(|e| e.trim() == "principal")
    }

    /// An item with its `principal` expanded when asked for.
    fn with_principal(&self, item: &Value, expand: bool, grant: &Grant) -> Value {
        let mut item = item.clone();
        if expand {
            let id = item["principalId"].as_str().unwrap_or_default().to_owned();
            item["principal"] = self
                .tenant()
                .object_ref(&id)
                .map_or(Value::Null, |o| readable(&o, None, grant));
        }
        item
    }

    /// The routes of the request plan.
    pub(crate) fn route(&self, req: &GraphRequest, grant: &Grant) -> Outcome {
        let tenant = self.tenant();
        let t: &Tenant = &tenant;
        let q = Query::parse(&req.query);
        let segments: Vec<&str> = req.path.trim_matches('/').split('/').collect();
        let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
        let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
        let method = req.method.to_ascii_uppercase();

        if let Some(outcome) = self.write_route(req, &method, &lower, &segments) {
            return outcome;
        }
        if method == "POST" {
            return match lower.as_slice() {
                ["directoryobjects", "getbyids"] => self.get_by_ids(req, &q, grant),
                _ => graph_error(
                    405,
                    "Request_BadRequest",
                    "Specified HTTP method is not allowed for the request target.",
                ),
            };
        }
        if method != "GET" {
            return graph_error(
                405,
                "Request_BadRequest",
                "Specified HTTP method is not allowed for the request target.",
            );
        }
        self.role_management_read(t, req, &q, &lower, grant)
            .or_else(|| self.governance_read(t, req, &q, &lower))
            .or_else(|| self.directory_read(t, req, &q, &lower, &segments, grant))
            .unwrap_or_else(|| {
                graph_error(
                    400,
                    "BadRequest",
                    &format!(
                        "Resource not found for the segment '{}'.",
                        segments.last().copied().unwrap_or_default()
                    ),
                )
            })
    }

    /// The tenant, its licences and directory roles: definitions, assignments, PIM
    /// schedules and instances, role settings. `None`: not one of these routes.
    fn role_management_read(
        &self,
        t: &Tenant,
        req: &GraphRequest,
        q: &Query,
        lower: &[&str],
        grant: &Grant,
    ) -> Option<Outcome> {
        Some(match lower {
            ["organization"] => self.list(req, q, std::slice::from_ref(&t.organization), 100),
            ["subscribedskus"] => self.list(req, q, &t.subscribed_skus, 999),
            ["rolemanagement", "directory", "roledefinitions"] => {
                match Self::filtered(q, &t.role_definitions) {
                    Ok(items) => self.list_shaped(req, q, &items, 999, &Value::clone),
                    Err(e) => e,
                }
            }
            ["rolemanagement", "directory", "roleassignments"] => {
                match Self::filtered(q, &t.role_assignments) {
                    Ok(items) => {
                        let expand = Self::expands_principal(q);
                        self.list_shaped(req, q, &items, 100, &|v| {
                            self.with_principal(v, expand, grant)
                        })
                    }
                    Err(e) => e,
                }
            }
            [
                "rolemanagement",
                "directory",
                "roleassignmentscheduleinstances",
            ] => self.pim_list(t, req, q, &t.role_assignment_schedule_instances, grant),
            ["rolemanagement", "directory", "roleassignmentschedules"] => {
                self.pim_list(t, req, q, &t.role_assignment_schedules, grant)
            }
            [
                "rolemanagement",
                "directory",
                "roleeligibilityscheduleinstances",
            ] => self.pim_list(t, req, q, &t.role_eligibility_schedule_instances, grant),
            ["rolemanagement", "directory", "roleeligibilityschedules"] => {
                self.pim_list(t, req, q, &t.role_eligibility_schedules, grant)
            }
            ["policies", "rolemanagementpolicyassignments"] => self.policy_assignments(req, q),
            _ => return None,
        })
    }

    /// A PIM listing: licensed tenants only, filtered, its principal expanded when asked.
    fn pim_list(
        &self,
        t: &Tenant,
        req: &GraphRequest,
        q: &Query,
        items: &[Value],
        grant: &Grant,
    ) -> Outcome {
        if !t.pim_licensed {
            return not_licensed();
        }
        match Self::filtered(q, items) {
            Ok(items) => {
                let expand = Self::expands_principal(q);
                self.list_shaped(req, q, &items, 100, &|v| {
                    self.with_principal(v, expand, grant)
                })
            }
            Err(e) => e,
        }
    }

    /// Access reviews, Conditional Access and PIM for Groups. `None`: not one of these routes.
    fn governance_read(
        &self,
        t: &Tenant,
        req: &GraphRequest,
        q: &Query,
        lower: &[&str],
    ) -> Option<Outcome> {
        Some(match lower {
            ["identitygovernance", "accessreviews", "definitions"] => {
                if t.pim_licensed {
                    self.list(req, q, &t.access_reviews, 100)
                } else {
                    not_licensed()
                }
            }
            ["identity", "conditionalaccess", "policies"] => {
                self.list(req, q, &t.conditional_access_policies, 100)
            }
            [
                "identitygovernance",
                "privilegedaccess",
                "group",
                "eligibilityscheduleinstances",
            ] => self.group_pim(req, q, &t.group_eligibility_schedule_instances),
            [
                "identitygovernance",
                "privilegedaccess",
                "group",
                "assignmentscheduleinstances",
            ] => self.group_pim(req, q, &t.group_assignment_schedule_instances),
            _ => return None,
        })
    }

    /// Users, service principals, groups and their members or owners. `None`: not one of
    /// these routes.
    fn directory_read(
        &self,
        t: &Tenant,
        req: &GraphRequest,
        q: &Query,
        lower: &[&str],
        segments: &[&str],
        grant: &Grant,
    ) -> Option<Outcome> {
        Some(match lower {
            ["users"] => {
                let select = q.select();
                let total = t.user_count() as usize;
                self.page(
                    req,
                    q,
                    total,
                    &|i| {
                        t.user_at(i as u64)
                            .map(|u| project(&u, select.as_deref(), false))
                    },
                    100,
                )
            }
            [
                "users" | "serviceprincipals" | "groups" | "directoryobjects",
                _,
            ] => self.object(req, q, lower[0], segments[1]),
            [
                "groups",
                _,
                rel @ ("members" | "owners" | "transitivemembers"),
            ] => {
                let gid = segments[1];
                let ids = match *rel {
                    "owners" => t.owners(gid),
                    _ => t.members(gid),
                };
                let Some(ids) = ids else {
                    return Some(not_found(gid));
                };
                let select = q.select();
                let objects: Vec<Value> = ids
                    .iter()
                    .filter_map(|id| t.object_ref(id))
                    .map(|o| readable(&o, select.as_deref(), grant))
                    .collect();
                self.list(req, q, &objects, 100)
            }
            _ => return None,
        })
    }

    fn object(&self, req: &GraphRequest, q: &Query, collection: &str, id: &str) -> Outcome {
        let t = &self.tenant();
        let wanted = match collection {
            "users" => Some("#microsoft.graph.user"),
            "serviceprincipals" => Some("#microsoft.graph.servicePrincipal"),
            "groups" => Some("#microsoft.graph.group"),
            _ => None,
        };
        let Some(object) = t
            .object_ref(id)
            .filter(|o| wanted.is_none_or(|w| o["@odata.type"] == w))
        else {
            return not_found(id);
        };
        let select = q.select();
        if collection == "users"
            && select
                .as_ref()
                .is_some_and(|s| s.iter().any(|f| f.eq_ignore_ascii_case("signInActivity")))
            && !t.p1_licensed
        {
            return graph_error(
                403,
                "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
                "Neither tenant is B2C or tenant doesn't have premium license",
            );
        }
        let mut body = project(&object, select.as_deref(), wanted.is_none());
        if let Some(fields) = &select
            && fields
                .iter()
                .any(|f| f.eq_ignore_ascii_case("signInActivity"))
            && body.get("signInActivity").is_none()
        {
            body["signInActivity"] = Value::Null;
        }
        body["@odata.context"] =
            json!(self.context(&req.version, &format!("{collection}/$entity")));
        Outcome::json(200, body)
    }

    /// directoryobject-getbyids.md: objects of a type the token may not read come back
    /// with limited information.
    fn get_by_ids(&self, req: &GraphRequest, q: &Query, grant: &Grant) -> Outcome {
        let tenant = self.tenant();
        let Some(body) = &req.body else {
            return bad_request("Request body is required.");
        };
        let ids: Vec<String> = body["ids"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        if ids.len() > 1000 {
            return bad_request("Too many ids: at most 1000 are allowed.");
        }
        let types: Vec<String> = body["types"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| {
                v.as_str()
                    .map(|s| format!("#microsoft.graph.{}", s.to_ascii_lowercase()))
            })
            .collect();
        let select = q.select();
        let value: Vec<Value> = ids
            .iter()
            .filter_map(|id| tenant.object_ref(id))
            .filter(|o| {
                types.is_empty()
                    || types.iter().any(|t| {
                        o["@odata.type"]
                            .as_str()
                            .is_some_and(|k| k.eq_ignore_ascii_case(t))
                    })
            })
            .map(|o| readable(&o, select.as_deref(), grant))
            .collect();
        Outcome::json(
            200,
            json!({"@odata.context": self.context(&req.version, "directoryObjects"), "value": value}),
        )
    }

    fn policy_assignments(&self, req: &GraphRequest, q: &Query) -> Outcome {
        let t = &self.tenant();
        if !t.pim_licensed {
            return not_licensed();
        }
        let clauses = match q.filter() {
            Ok(c) => c,
            Err(e) => return e,
        };
        let has = |k: &str| clauses.iter().any(|(f, _)| f.eq_ignore_ascii_case(k));
        if !has("scopeId") || !has("scopeType") {
            return bad_request("The filter must specify scopeId and scopeType.");
        }
        let items = match Self::filtered(q, &t.policy_assignments) {
            Ok(i) => i,
            Err(e) => return e,
        };
        let expand = q
            .expand()
            .unwrap_or_default()
            .replace(' ', "")
            .to_ascii_lowercase();
        let shape = |a: &Value| {
            let mut a = a.clone();
            let map = a.as_object_mut().expect("object");
            if expand.starts_with("policy($expand=rules)") {
            } else if expand.starts_with("policy") {
                if let Some(p) = map.get_mut("policy").and_then(Value::as_object_mut) {
                    p.remove("rules");
                }
            } else {
                map.remove("policy");
            }
            a
        };
        self.list_shaped(req, q, &items, 100, &shape)
    }

    fn group_pim(&self, req: &GraphRequest, q: &Query, items: &[Value]) -> Outcome {
        if !self.tenant().pim_licensed {
            return not_licensed();
        }
        let clauses = match q.filter() {
            Ok(c) => c,
            Err(e) => return e,
        };
        if !clauses.iter().any(|(f, _)| {
            f.eq_ignore_ascii_case("groupId") || f.eq_ignore_ascii_case("principalId")
        }) {
            return bad_request("The filter must specify groupId or principalId.");
        }
        match Self::filtered(q, items) {
            Ok(items) => self.list_shaped(req, q, &items, 100, &Value::clone),
            Err(e) => e,
        }
    }

    /// `POST /$batch`: at most 20 requests, each dispatched like a top-level request.
    async fn batch(self: &Arc<Self>, req: &GraphRequest, bearer: Option<&str>) -> Outcome {
        let Some(requests) = req.body.as_ref().and_then(|b| b["requests"].as_array()) else {
            return bad_request("Invalid batch payload format.");
        };
        if requests.len() > 20 {
            return bad_request("The number of batch requests exceeds the allowed limit of 20.");
        }
        let mut seen = std::collections::HashSet::new();
        for r in requests {
            let Some(id) = r["id"].as_str() else {
                return bad_request("Every batch request needs an id.");
            };
            if !seen.insert(id.to_owned()) {
                return bad_request(&format!("Duplicate batch request id: {id}."));
            }
        }
        let futures = requests.iter().map(|r| {
            let id = r["id"].as_str().unwrap_or_default().to_owned();
            let method = r["method"].as_str().unwrap_or("GET").to_owned();
            let url = r["url"].as_str().unwrap_or_default().to_owned();
            let body = r.get("body").cloned();
            let auth = bearer.map(str::to_owned);
            let this = Arc::clone(self);
            let version = req.version.clone();
            async move {
                let url = if url.starts_with('/') {
                    url
                } else {
                    format!("/{url}")
                };
                let (path, query) = url
                    .split_once('?')
                    .map_or((url.clone(), String::new()), |(p, q)| {
                        (p.to_owned(), q.to_owned())
                    });
                let path = strip_version(&path).to_owned();
                let index = this.record(crate::RecordedRequest {
                    listener: crate::Listener::Graph,
                    method: method.clone(),
                    path_and_query: format!(
                        "/{version}{url}",
                        url = if query.is_empty() {
                            path.clone()
                        } else {
                            format!("{path}?{query}")
                        }
                    ),
                    host: None,
                    authorization: auth.as_ref().map(|b| format!("Bearer {b}")),
                    in_batch: true,
                    status: None,
                });
                let inner = GraphRequest {
                    method,
                    path,
                    version,
                    query,
                    body,
                };
                let outcome = Box::pin(this.dispatch(inner, auth.as_deref(), true)).await;
                this.set_status(index, outcome.status());
                (id, outcome)
            }
        });
        let results = futures::future::join_all(futures).await;
        let mut responses = Vec::new();
        for (id, outcome) in results {
            match outcome {
                Outcome::Json {
                    status,
                    headers,
                    body,
                } => {
                    let mut h = Map::new();
                    h.insert("Content-Type".into(), json!("application/json"));
                    for (k, v) in headers {
                        h.insert(k, json!(v));
                    }
                    responses.push(json!({"id": id, "status": status, "headers": h, "body": body}));
                }
                Outcome::Text { status, body } => {
                    responses.push(json!({"id": id, "status": status, "headers": {"Content-Type": "application/json"}, "body": body}));
                }
                // A connection fault inside a batch breaks the whole envelope.
                other @ (Outcome::DropMidBody { .. } | Outcome::Reset | Outcome::Hang) => {
                    return other;
                }
            }
        }
        Outcome::json(200, json!({"responses": responses}))
    }
}

fn query_suffix(query: &str) -> String {
    if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    }
}

/// Identity protection and Conditional Access have their own limit (1 request per second
/// per tenant) and their 429s carry no `Retry-After`:
/// <https://learn.microsoft.com/graph/throttling-limits#identity-protection-and-conditional-access-service-limits>.
fn omits_throttle_headers(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    [
        "/identity/conditionalaccess",
        "/identityprotection",
        "/riskdetections",
        "/riskyusers",
    ]
    .iter()
    .any(|prefix| p.starts_with(prefix))
}

/// The token bucket's 429 for `path`: with `Retry-After` and the identity and access
/// service's `x-ms-throttle-scope` (this app in this tenant, reads and writes:
/// <https://learn.microsoft.com/graph/throttling-limits#throttled-responses-requests>; the
/// emulator does not track the calling app, so its id is nil), or neither for the
/// services Graph documents without them.
fn throttled_by_limit(path: &str, wait: Duration) -> Outcome {
    if omits_throttle_headers(path) {
        return throttled_without_retry_after();
    }
    throttled(wait).with_header(
        "x-ms-throttle-scope",
        "Tenant_Application/ReadWrite/00000000-0000-0000-0000-000000000000/00000000-0000-0000-0000-000000000000".to_owned(),
    )
}

pub(crate) fn throttled_without_retry_after() -> Outcome {
    graph_error(
        429,
        "TooManyRequests",
        "Too many requests. Please retry later.",
    )
}

pub(crate) fn throttled(wait: Duration) -> Outcome {
    let mut o = graph_error(
        429,
        "TooManyRequests",
        "Too many requests. Please retry later.",
    );
    if let Outcome::Json { headers, .. } = &mut o {
        headers.push(("Retry-After".into(), retry_after_value(wait)));
    }
    o
}

pub(crate) fn unauthenticated(message: &str) -> Outcome {
    let mut o = graph_error(401, "InvalidAuthenticationToken", message);
    if let Outcome::Json { headers, .. } = &mut o {
        headers.push(("WWW-Authenticate".into(), "Bearer realm=\"\", authorization_uri=\"https://login.microsoftonline.com/common/oauth2/authorize\"".into()));
    }
    o
}
