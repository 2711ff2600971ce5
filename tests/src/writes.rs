//! The write routes a remediation change-set sends, applied to the emulator's tenant so a
//! later read sees them. Each follows its Microsoft Graph v1.0 page (cited per route) for
//! its body, its answer and its errors; the permission each needs is in `permissions.rs`.
//!
//! Errors Graph gives for PIM requests that its pages do not list are the ones Graph is seen
//! to answer: `RoleAssignmentExists` ("The Role assignment already exists."),
//! `RoleAssignmentDoesNotExist`, and `RoleAssignmentRequestPolicyValidationFailed`
//! (`The following policy rules failed: ["ExpirationRule"]`) when the role's settings
//! refuse the schedule; a rule update Graph cannot read is "The policy rule is invalid.".

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use pimready_core::duration::IsoDuration;
use serde_json::{Map, Value, json};

use crate::Shared;
use crate::fixture::{self, Tenant};
use crate::graph::{GraphRequest, Outcome, bad_request, graph_error, not_found, not_licensed};

fn text<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn no_content() -> Outcome {
    Outcome::Text {
        status: 204,
        body: String::new(),
    }
}

fn policy_failed(rules: &[&str]) -> Outcome {
    let list: Vec<String> = rules.iter().map(|r| format!("\"{r}\"")).collect();
    graph_error(
        400,
        "RoleAssignmentRequestPolicyValidationFailed",
        &format!("The following policy rules failed: [{}]", list.join(",")),
    )
}

fn invalid_rule() -> Outcome {
    bad_request("The policy rule is invalid.")
}

/// A PIM request's schedule, checked: (start, expiration type, end, duration).
struct Schedule {
    start: DateTime<Utc>,
    kind: &'static str,
    end: Option<DateTime<Utc>>,
    duration: Option<IsoDuration>,
}

fn parse_time(v: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(v)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// requestSchedule (resources/requestschedule.md) and expirationPattern
/// (resources/expirationpattern.md): `noExpiration`, `afterDateTime` (endDateTime),
/// `afterDuration` (duration).
fn schedule(info: &Value, now: DateTime<Utc>) -> Result<Schedule, Outcome> {
    let bad = |why: String| Err(bad_request(&format!("The schedule is invalid: {why}")));
    if !info.is_object() {
        return bad("scheduleInfo must be an object.".into());
    }
    let start = match info.get("startDateTime") {
        None | Some(Value::Null) => now,
        Some(Value::String(s)) => match parse_time(s) {
            Some(t) => t,
            None => return bad(format!("startDateTime '{s}' is not a date and time.")),
        },
        Some(other) => return bad(format!("startDateTime {other} is not a date and time.")),
    };
    let expiration = info.get("expiration").cloned().unwrap_or(Value::Null);
    let kind = text(&expiration, "type").unwrap_or("noExpiration");
    match kind.to_ascii_lowercase().as_str() {
        "noexpiration" => Ok(Schedule {
            start,
            kind: "noExpiration",
            end: None,
            duration: None,
        }),
        "afterdatetime" => {
            let Some(end) = text(&expiration, "endDateTime").and_then(parse_time) else {
                return bad("afterDateTime needs an endDateTime.".into());
            };
            if end <= start {
                return bad("endDateTime is not after startDateTime.".into());
            }
            Ok(Schedule {
                start,
                kind: "afterDateTime",
                end: Some(end),
                duration: None,
            })
        }
        "afterduration" => {
            let Some(d) = text(&expiration, "duration").and_then(|d| IsoDuration::parse(d).ok())
            else {
                return bad("afterDuration needs an ISO 8601 duration.".into());
            };
            let seconds = d.approx_seconds();
            if seconds <= 0.0 {
                return bad("the duration is zero.".into());
            }
            #[allow(clippy::cast_possible_truncation)]
            let end = start + chrono::Duration::seconds(seconds as i64);
            Ok(Schedule {
                start,
                kind: "afterDuration",
                end: Some(end),
                duration: Some(d),
            })
        }
        _ => bad(format!("'{kind}' is not an expiration type.")),
    }
}

impl Schedule {
    fn to_json(&self) -> Value {
        let time = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        json!({
            "startDateTime": time(self.start),
            "recurrence": null,
            "expiration": {
                "type": self.kind,
                "endDateTime": self.end.map(time),
                "duration": self.duration.as_ref().map(IsoDuration::as_str),
            },
        })
    }
}

/// The rules of the policy assigned to a role (`DirectoryRole` scope `/`).
fn role_rules<'t>(t: &'t Tenant, role: &str) -> &'t [Value] {
    t.policy_assignments
        .iter()
        .find(|a| {
            a["roleDefinitionId"]
                .as_str()
                .is_some_and(|r| same(r, role))
        })
        .and_then(|a| a["policy"]["rules"].as_array())
        .map_or(&[], Vec::as_slice)
}

fn rule<'t>(rules: &'t [Value], id: &str) -> Option<&'t Value> {
    rules
        .iter()
        .find(|r| r["id"].as_str().is_some_and(|x| same(x, id)))
}

/// What the role's `Expiration_Admin_*` and `Enablement_Admin_*` rules refuse in an
/// admin assignment (identity-governance-pim-rules-overview: the rules that apply to
/// admins assigning eligibility or active assignments).
fn policy_violations(
    t: &Tenant,
    role: &str,
    level: &str,
    s: &Schedule,
    justification: bool,
) -> Vec<&'static str> {
    let rules = role_rules(t, role);
    let mut failed = Vec::new();
    if let Some(r) = rule(rules, &format!("Expiration_Admin_{level}")) {
        let required = r["isExpirationRequired"] == json!(true);
        let max = r["maximumDuration"]
            .as_str()
            .and_then(|m| IsoDuration::parse(m).ok());
        let too_long = match (&max, s.end) {
            (Some(max), Some(end)) => {
                #[allow(clippy::cast_precision_loss)]
                let span = (end - s.start).num_seconds() as f64;
                span > max.approx_seconds()
            }
            _ => false,
        };
        if required && (s.end.is_none() || too_long) {
            failed.push("ExpirationRule");
        }
    }
    if let Some(r) = rule(rules, &format!("Enablement_Admin_{level}")) {
        let wants = |name: &str| {
            r["enabledRules"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|x| x.as_str().is_some_and(|x| same(x, name)))
        };
        if wants("Justification") && !justification {
            failed.push("JustificationRule");
        }
    }
    failed
}

/// An access review's scope: principal scopes Graph lists, at most one resource (a role the
/// tenant has).
fn check_review_scope(t: &Tenant, body: &Value) -> Result<(), Outcome> {
    let scope = &body["scope"];
    let queries = |key: &str| -> Vec<&str> {
        scope[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s["query"].as_str())
            .collect()
    };
    let (principals, resources) = (queries("principalScopes"), queries("resourceScopes"));
    if !scope.is_object() || (principals.is_empty() && text(scope, "query").is_none()) {
        return Err(bad_request("The scope of the access review is invalid."));
    }
    // "An access review can be scoped to multiple principal types (users and groups, or
    // service principals) and only one resource. To review access to multiple Microsoft
    // Entra roles, create separate access reviews."
    // (https://learn.microsoft.com/graph/tutorial-accessreviews-roleassignments)
    if resources.len() > 1 {
        return Err(bad_request(
            "An access review of roles can be scoped to only one resource: create one review per role.",
        ));
    }
    for q in &principals {
        let known = ["/users", "/groups", "/servicePrincipals"].iter().any(|p| {
            q.strip_prefix(p)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('?'))
        });
        if !known {
            return Err(bad_request(&format!(
                "The principal scope '{q}' is invalid."
            )));
        }
    }
    for q in &resources {
        let Some(role) = q.strip_prefix("/roleManagement/directory/roleDefinitions/") else {
            return Err(bad_request(&format!(
                "The resource scope '{q}' is invalid."
            )));
        };
        if !t
            .role_definitions
            .iter()
            .any(|d| d["id"].as_str().is_some_and(|id| same(id, role)))
        {
            return Err(not_found(role));
        }
    }
    Ok(())
}

/// An access review's reviewers: at least one, each a user of the tenant.
fn check_reviewers(t: &Tenant, body: &Value) -> Result<(), Outcome> {
    let reviewers = body["reviewers"].as_array().cloned().unwrap_or_default();
    if reviewers.is_empty() {
        return Err(bad_request("At least one reviewer is required."));
    }
    for r in &reviewers {
        let q = r["query"].as_str().unwrap_or_default();
        let Some(user) = q.strip_prefix("/users/") else {
            return Err(bad_request(&format!(
                "The reviewer query '{q}' is invalid."
            )));
        };
        if t.object_ref(user)
            .is_none_or(|o| o["@odata.type"] != "#microsoft.graph.user")
        {
            return Err(not_found(user));
        }
    }
    Ok(())
}

/// The day an access review's recurrence starts (`settings.recurrence.range.startDate`).
fn review_start(body: &Value) -> Option<NaiveDate> {
    text(&body["settings"]["recurrence"]["range"], "startDate")
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// An access review's settings: its default decision, instance duration and recurrence.
fn check_review_settings(body: &Value) -> Result<(), Outcome> {
    // accessReviewScheduleSettings (resources/accessreviewschedulesettings.md):
    // defaultDecision "Can be one of Approve, Deny, or Recommendation" when
    // defaultDecisionEnabled; Microsoft's own role-review example sends `None` with it
    // disabled (https://learn.microsoft.com/graph/tutorial-accessreviews-roleassignments).
    let settings = &body["settings"];
    let decision = text(settings, "defaultDecision");
    let enabled = settings["defaultDecisionEnabled"]
        .as_bool()
        .unwrap_or(false);
    let decision_ok = match decision {
        Some("Approve" | "Deny" | "Recommendation") => true,
        None | Some("None") => !enabled,
        Some(_) => false,
    };
    if !decision_ok {
        return Err(bad_request(
            "settings.defaultDecision must be Approve, Deny or Recommendation when defaultDecisionEnabled is true.",
        ));
    }
    if let Some(days) = settings
        .get("instanceDurationInDays")
        .filter(|d| !d.is_null())
        && days.as_i64().is_none_or(|d| d < 1)
    {
        return Err(bad_request(
            "settings.instanceDurationInDays must be a positive whole number of days.",
        ));
    }
    // accessReviewScheduleSettings.recurrence: patternedRecurrence
    // (resources/patternedrecurrence.md, recurrencepattern.md, recurrencerange.md): "Only
    // dayOfMonth, interval, and type (weekly, absoluteMonthly) properties are supported".
    let recurrence = &body["settings"]["recurrence"];
    if !recurrence.is_null() {
        let pattern = text(&recurrence["pattern"], "type").unwrap_or_default();
        let range = &recurrence["range"];
        let interval = recurrence["pattern"]["interval"].as_i64().unwrap_or(0);
        let start_ok = review_start(body).is_some();
        let range_ok = matches!(
            text(range, "type").unwrap_or_default(),
            "noEnd" | "endDate" | "numbered"
        );
        let pattern_ok = matches!(pattern, "weekly" | "absoluteMonthly");
        if !(pattern_ok && range_ok && start_ok && interval >= 1) {
            return Err(bad_request(
                "The schedule is invalid: the recurrence needs a pattern type (weekly or absoluteMonthly), an interval of at least 1 and a range with a startDate (YYYY-MM-DD).",
            ));
        }
    }
    Ok(())
}

/// A PIM schedule request's action, principal, role and directory scope, checked against
/// the tenant, with what else the request says.
struct ScheduleRequest<'b> {
    eligibility: bool,
    action: &'static str,
    /// The principal's object id as the directory spells it.
    principal: String,
    /// The role definition id as the directory spells it.
    role: String,
    scope: &'b str,
    justification: Option<String>,
    validation_only: bool,
    now: DateTime<Utc>,
}

impl<'b> ScheduleRequest<'b> {
    /// 400 for an action, principal, role or scope missing or not served; 404 for a
    /// principal or role the tenant does not have.
    fn parse(
        t: &Tenant,
        body: &'b Value,
        eligibility: bool,
        now: DateTime<Utc>,
    ) -> Result<Self, Outcome> {
        let action = match text(body, "action") {
            Some(a) if same(a, "adminAssign") => "adminAssign",
            Some(a) if same(a, "adminRemove") => "adminRemove",
            Some(a) => {
                return Err(bad_request(&format!(
                    "The action '{a}' is not supported by this tenant emulator."
                )));
            }
            None => return Err(bad_request("The action is required.")),
        };
        let (Some(principal), Some(role)) =
            (text(body, "principalId"), text(body, "roleDefinitionId"))
        else {
            return Err(bad_request(
                "principalId and roleDefinitionId are required.",
            ));
        };
        if text(body, "appScopeId").is_some() {
            return Err(bad_request(
                "Only directory scopes are served by this tenant emulator.",
            ));
        }
        let Some(scope) = text(body, "directoryScopeId") else {
            return Err(bad_request(
                "Either directoryScopeId or appScopeId is required.",
            ));
        };
        let Some(principal_object) = t.object_ref(principal) else {
            return Err(not_found(principal));
        };
        let principal = principal_object["id"]
            .as_str()
            .unwrap_or(principal)
            .to_owned();
        let Some(role) = t
            .role_definitions
            .iter()
            .find_map(|d| d["id"].as_str().filter(|id| same(id, role)))
            .map(str::to_owned)
        else {
            return Err(not_found(role));
        };
        Ok(ScheduleRequest {
            eligibility,
            action,
            principal,
            role,
            scope,
            justification: text(body, "justification").map(str::to_owned),
            validation_only: body["isValidationOnly"] == json!(true),
            now,
        })
    }

    /// `Eligibility` or `Assignment`, as the role settings' rule ids name them.
    fn level(&self) -> &'static str {
        if self.eligibility {
            "Eligibility"
        } else {
            "Assignment"
        }
    }

    /// Whether a schedule or assignment is this principal's, of this role, at this scope.
    fn matches(&self, v: &Value) -> bool {
        v["principalId"]
            .as_str()
            .is_some_and(|p| same(p, &self.principal))
            && v["roleDefinitionId"]
                .as_str()
                .is_some_and(|r| same(r, &self.role))
            && v["directoryScopeId"].as_str().unwrap_or("/") == self.scope
    }
}

impl Shared {
    /// The write routes; `None` when the request is not one of them.
    pub(crate) fn write_route(
        &self,
        req: &GraphRequest,
        method: &str,
        lower: &[&str],
        segments: &[&str],
    ) -> Option<Outcome> {
        Some(match (method, lower) {
            (
                "POST",
                [
                    "rolemanagement",
                    "directory",
                    "roleeligibilityschedulerequests",
                ],
            ) => self.schedule_request(req, true),
            (
                "POST",
                [
                    "rolemanagement",
                    "directory",
                    "roleassignmentschedulerequests",
                ],
            ) => self.schedule_request(req, false),
            ("PATCH", ["policies", "rolemanagementpolicies", _, "rules", _]) => {
                self.update_rule(req, segments[2], segments[4])
            }
            ("POST", ["identitygovernance", "accessreviews", "definitions"]) => {
                self.create_access_review(req)
            }
            ("DELETE", ["identitygovernance", "accessreviews", "definitions", _]) => {
                self.delete_where(segments[3], |t| &mut t.access_reviews, true)
            }
            ("POST", ["identity", "conditionalaccess", "policies"]) => self.create_ca_policy(req),
            ("DELETE", ["identity", "conditionalaccess", "policies", _]) => {
                self.delete_where(segments[3], |t| &mut t.conditional_access_policies, false)
            }
            _ => return None,
        })
    }

    fn new_id(&self, kind: &str) -> String {
        let n = {
            let mut c = self.control();
            c.writes += 1;
            c.writes
        };
        fixture::guid(&format!("{}|{kind}|{n}", self.tenant().tenant_id))
    }

    fn now(&self) -> DateTime<Utc> {
        parse_time(&self.tenant().now).unwrap_or_else(Utc::now)
    }

    /// POST /roleManagement/directory/roleEligibilityScheduleRequests
    /// (<https://learn.microsoft.com/graph/api/rbacapplication-post-roleeligibilityschedulerequests?view=graph-rest-1.0>)
    /// and POST /roleManagement/directory/roleAssignmentScheduleRequests
    /// (<https://learn.microsoft.com/graph/api/rbacapplication-post-roleassignmentschedulerequests?view=graph-rest-1.0>):
    /// `adminAssign` and `adminRemove` at a directory scope; 201 Created with the
    /// unifiedRole{Eligibility,Assignment}ScheduleRequest, status `Provisioned` or `Revoked`.
    fn schedule_request(&self, req: &GraphRequest, eligibility: bool) -> Outcome {
        let Some(body) = req.body.as_ref().filter(|b| b.is_object()) else {
            return bad_request("The request body must be a JSON object.");
        };
        let t = self.tenant();
        if !t.pim_licensed {
            return not_licensed();
        }
        let r = match ScheduleRequest::parse(&t, body, eligibility, self.now()) {
            Ok(r) => r,
            Err(e) => return e,
        };
        let exists = if eligibility {
            t.role_eligibility_schedules.iter().any(|v| r.matches(v))
        } else {
            t.role_assignments.iter().any(|v| r.matches(v))
        };
        let written = if r.action == "adminAssign" {
            self.admin_assign(t, body, &r, exists)
        } else {
            self.admin_remove(t, &r, exists)
                .map(|()| (Value::Null, Value::Null))
        };
        match written {
            Ok((target_schedule, schedule_info)) => {
                self.schedule_request_created(req, &r, &target_schedule, &schedule_info)
            }
            Err(e) => e,
        }
    }

    /// `adminAssign`: the schedule checked against the role's settings, then (unless
    /// validation only) the schedule, its instance and any active assignment written.
    /// Returns (targetScheduleId, scheduleInfo).
    fn admin_assign(
        &self,
        t: Arc<Tenant>,
        body: &Value,
        r: &ScheduleRequest<'_>,
        exists: bool,
    ) -> Result<(Value, Value), Outcome> {
        let Some(info) = body.get("scheduleInfo") else {
            return Err(bad_request(
                "The schedule is invalid: scheduleInfo is required.",
            ));
        };
        let s = schedule(info, r.now)?;
        if exists {
            return Err(graph_error(
                400,
                "RoleAssignmentExists",
                "The Role assignment already exists.",
            ));
        }
        let failed = policy_violations(&t, &r.role, r.level(), &s, r.justification.is_some());
        if !failed.is_empty() {
            return Err(policy_failed(&failed));
        }
        let schedule_info = s.to_json();
        let id = self.new_id(r.level());
        if !r.validation_only {
            drop(t);
            let mut sch = json!({
                "id": id,
                "principalId": r.principal,
                "roleDefinitionId": r.role,
                "directoryScopeId": r.scope,
                "appScopeId": null,
                "memberType": "Direct",
                "status": "Provisioned",
                "createdDateTime": r.now.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "createdUsing": id,
                "modifiedDateTime": null,
                "scheduleInfo": schedule_info,
            });
            self.write_tenant(|t| {
                if r.eligibility {
                    t.role_eligibility_schedule_instances
                        .push(fixture::instance_from_schedule(&sch, true));
                    t.role_eligibility_schedules.push(sch);
                } else {
                    sch["assignmentType"] = json!("Assigned");
                    t.role_assignments.push(json!({
                        "id": fixture::assignment_id(&sch),
                        "principalId": sch["principalId"],
                        "roleDefinitionId": sch["roleDefinitionId"],
                        "directoryScopeId": sch["directoryScopeId"],
                        "appScopeId": null,
                        "principalOrganizationId": t.tenant_id,
                    }));
                    t.role_assignment_schedule_instances
                        .push(fixture::instance_from_schedule(&sch, false));
                    t.role_assignment_schedules.push(sch);
                }
            });
        }
        Ok((json!(id), schedule_info))
    }

    /// `adminRemove`: the principal's schedules, instances and assignments of the role at
    /// the scope removed (unless validation only); 400 when there is none.
    fn admin_remove(
        &self,
        t: Arc<Tenant>,
        r: &ScheduleRequest<'_>,
        exists: bool,
    ) -> Result<(), Outcome> {
        if !exists {
            return Err(graph_error(
                400,
                "RoleAssignmentDoesNotExist",
                "The Role assignment does not exist.",
            ));
        }
        if !r.validation_only {
            drop(t);
            let matches = |v: &Value| r.matches(v);
            self.write_tenant(|t| {
                if r.eligibility {
                    t.role_eligibility_schedules.retain(|v| !matches(v));
                    t.role_eligibility_schedule_instances
                        .retain(|v| !matches(v));
                } else {
                    t.role_assignments.retain(|v| !matches(v));
                    t.role_assignment_schedules.retain(|v| !matches(v));
                    t.role_assignment_schedule_instances.retain(|v| !matches(v));
                }
            });
        }
        Ok(())
    }

    /// 201 Created with the unifiedRole{Eligibility,Assignment}ScheduleRequest.
    fn schedule_request_created(
        &self,
        req: &GraphRequest,
        r: &ScheduleRequest<'_>,
        target_schedule: &Value,
        schedule_info: &Value,
    ) -> Outcome {
        let kind = if r.eligibility {
            "roleEligibilityScheduleRequests"
        } else {
            "roleAssignmentScheduleRequests"
        };
        let stamp = r.now.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let assign = r.action == "adminAssign";
        Outcome::json(
            201,
            json!({
                "@odata.context": format!("{}/{}/$metadata#roleManagement/directory/{kind}/$entity", self.base_url, req.version),
                "id": self.new_id("request"),
                "status": if assign { "Provisioned" } else { "Revoked" },
                "createdDateTime": stamp,
                "completedDateTime": if assign { json!(stamp) } else { Value::Null },
                "approvalId": null,
                "customData": null,
                "action": r.action,
                "principalId": r.principal,
                "roleDefinitionId": r.role,
                "directoryScopeId": r.scope,
                "appScopeId": null,
                "isValidationOnly": r.validation_only,
                "targetScheduleId": target_schedule,
                "justification": r.justification,
                "createdBy": {"application": null, "device": null, "user": {"displayName": null, "id": null}},
                "scheduleInfo": schedule_info,
                "ticketInfo": {"ticketNumber": null, "ticketSystem": null},
            }),
        )
    }

    /// PATCH /policies/roleManagementPolicies/{policyId}/rules/{ruleId}
    /// (<https://learn.microsoft.com/graph/api/unifiedrolemanagementpolicyrule-update?view=graph-rest-1.0>):
    /// the body names the rule's `@odata.type` and only the properties that page lists for
    /// that type; 204 No Content.
    fn update_rule(&self, req: &GraphRequest, policy_id: &str, rule_id: &str) -> Outcome {
        let Some(body) = req.body.as_ref().and_then(Value::as_object) else {
            return bad_request("The request body must be a JSON object.");
        };
        let t = self.tenant();
        if !t.pim_licensed {
            return not_licensed();
        }
        let Some(index) = t.policy_assignments.iter().position(|a| {
            a["policy"]["id"]
                .as_str()
                .is_some_and(|p| same(p, policy_id))
        }) else {
            return not_found(policy_id);
        };
        let rules = t.policy_assignments[index]["policy"]["rules"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let Some(at) = rules
            .iter()
            .position(|r| r["id"].as_str().is_some_and(|x| same(x, rule_id)))
        else {
            return bad_request(&format!("The policy rule id {rule_id} is invalid."));
        };
        let current = &rules[at];
        let kind = current["@odata.type"].as_str().unwrap_or_default();
        if !body
            .get("@odata.type")
            .and_then(Value::as_str)
            .is_some_and(|k| same(k, kind))
        {
            return invalid_rule();
        }
        if body
            .get("id")
            .and_then(Value::as_str)
            .is_some_and(|id| !same(id, rule_id))
        {
            return invalid_rule();
        }
        if let Err(e) = check_rule(&t, kind, body) {
            return e;
        }
        let mut updated = current.clone();
        for (k, v) in body {
            if k != "id" && k != "@odata.type" {
                updated[k.as_str()] = v.clone();
            }
        }
        let stamp = self.now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        drop(t);
        self.write_tenant(|t| {
            let policy = &mut t.policy_assignments[index]["policy"];
            policy["rules"][at] = updated;
            policy["lastModifiedDateTime"] = json!(stamp);
        });
        no_content()
    }

    /// POST /identityGovernance/accessReviews/definitions
    /// (<https://learn.microsoft.com/graph/api/accessreviewset-post-definitions?view=graph-rest-1.0>):
    /// 201 Created with the accessReviewScheduleDefinition.
    fn create_access_review(&self, req: &GraphRequest) -> Outcome {
        let Some(body) = req.body.as_ref().filter(|b| b.is_object()) else {
            return bad_request("The request body must be a JSON object.");
        };
        let t = self.tenant();
        if !t.pim_licensed {
            return not_licensed();
        }
        let Some(name) = text(body, "displayName") else {
            return bad_request("displayName is required.");
        };
        if let Err(e) = check_review_scope(&t, body)
            .and_then(|()| check_reviewers(&t, body))
            .and_then(|()| check_review_settings(body))
        {
            return e;
        }
        let stamp = self.now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let mut created = body.clone();
        let id = self.new_id("accessReview");
        let fields: Map<String, Value> = [
            ("id", json!(id)),
            ("displayName", json!(name)),
            ("createdDateTime", json!(stamp)),
            ("lastModifiedDateTime", json!(stamp)),
            ("status", json!("NotStarted")),
            (
                "createdBy",
                json!({"id": null, "displayName": null, "userPrincipalName": null}),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        if let Some(map) = created.as_object_mut() {
            map.extend(fields);
        }
        drop(t);
        // The POST answers NotStarted (the page's example); the service then starts the review
        // once its recurrence's startDate has come, so a later read of one starting today or
        // earlier (or with no recurrence: it starts at once) finds it InProgress, and one
        // starting later still NotStarted.
        let mut stored = created.clone();
        if review_start(body).is_none_or(|start| start <= self.now().date_naive()) {
            stored["status"] = json!("InProgress");
        }
        self.write_tenant(|t| t.access_reviews.push(stored));
        created["@odata.context"] = json!(format!(
            "{}/{}/$metadata#identityGovernance/accessReviews/definitions/$entity",
            self.base_url, req.version
        ));
        Outcome::json(201, created)
    }

    /// POST /identity/conditionalAccess/policies
    /// (<https://learn.microsoft.com/graph/api/conditionalaccessroot-post-policies?view=graph-rest-1.0>):
    /// "A valid policy should contain at least one of" an application rule, a user rule, a
    /// grant or session control; state is `enabled`, `disabled` or
    /// `enabledForReportingButNotEnforced` (resources/conditionalaccesspolicy.md). 201 Created.
    fn create_ca_policy(&self, req: &GraphRequest) -> Outcome {
        let Some(body) = req.body.as_ref().filter(|b| b.is_object()) else {
            return bad_request("The request body must be a JSON object.");
        };
        let t = self.tenant();
        if !t.p1_licensed {
            return graph_error(
                403,
                "AadPremiumLicenseRequired",
                "The tenant needs to have a Microsoft Entra ID P1 or P2 license to use Conditional Access.",
            );
        }
        if text(body, "displayName").is_none() {
            return bad_request("displayName is required.");
        }
        let state = text(body, "state").unwrap_or_default();
        if !matches!(
            state,
            "enabled" | "disabled" | "enabledForReportingButNotEnforced"
        ) {
            return bad_request(&format!("'{state}' is not a policy state."));
        }
        let conditions = &body["conditions"];
        let users = &conditions["users"];
        if !conditions.is_object() || !conditions["applications"].is_object() || !users.is_object()
        {
            return bad_request("The policy needs conditions with applications and users.");
        }
        let has_control = |k: &str| body.get(k).is_some_and(|v| !v.is_null());
        if !has_control("grantControls") && !has_control("sessionControls") {
            return bad_request("The policy needs a grant or a session control.");
        }
        let ids = |key: &str| -> Vec<&str> {
            users[key]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect()
        };
        for role in ids("includeRoles").into_iter().chain(ids("excludeRoles")) {
            if !t
                .role_definitions
                .iter()
                .any(|d| d["id"].as_str().is_some_and(|id| same(id, role)))
            {
                return bad_request(&format!(
                    "The role '{role}' in the policy's users does not exist."
                ));
            }
        }
        for user in ids("includeUsers").into_iter().chain(ids("excludeUsers")) {
            let keyword = matches!(user, "All" | "None" | "GuestsOrExternalUsers");
            if !keyword && t.object_ref(user).is_none() {
                return bad_request(&format!(
                    "The user '{user}' in the policy's users does not exist."
                ));
            }
        }
        // conditionalAccessGuestsOrExternalUsers
        // (https://learn.microsoft.com/graph/api/resources/conditionalaccessguestsorexternalusers):
        // guestOrExternalUserTypes is a multi-valued flags string of the documented values;
        // "External tenants can be specified only when the property guestOrExternalUserTypes
        // isn't null or an empty String."
        for key in [
            "includeGuestsOrExternalUsers",
            "excludeGuestsOrExternalUsers",
        ] {
            let g = &users[key];
            if g.is_null() {
                continue;
            }
            let types = text(g, "guestOrExternalUserTypes").unwrap_or_default();
            let known = types.split(',').map(str::trim).all(|t| {
                matches!(
                    t,
                    "none"
                        | "internalGuest"
                        | "b2bCollaborationGuest"
                        | "b2bCollaborationMember"
                        | "b2bDirectConnectUser"
                        | "otherExternalUser"
                        | "serviceProvider"
                )
            });
            if !g.is_object() || (!types.is_empty() && !known) {
                return bad_request(&format!("'{types}' is not a guest or external user type."));
            }
            if types.is_empty() && !g["externalTenants"].is_null() {
                return bad_request(
                    "External tenants can be specified only when guestOrExternalUserTypes is set.",
                );
            }
        }
        let stamp = self.now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let mut created = body.clone();
        if let Some(map) = created.as_object_mut() {
            map.insert("id".into(), json!(self.new_id("conditionalAccessPolicy")));
            map.insert("createdDateTime".into(), json!(stamp));
            map.insert("modifiedDateTime".into(), Value::Null);
            for k in ["sessionControls", "grantControls"] {
                map.entry(k).or_insert(Value::Null);
            }
        }
        drop(t);
        self.write_tenant(|t| t.conditional_access_policies.push(created.clone()));
        created["@odata.context"] = json!(format!(
            "{}/{}/$metadata#identity/conditionalAccess/policies/$entity",
            self.base_url, req.version
        ));
        Outcome::json(201, created)
    }

    /// DELETE /identityGovernance/accessReviews/definitions/{id}
    /// (<https://learn.microsoft.com/graph/api/accessreviewscheduledefinition-delete?view=graph-rest-1.0>)
    /// and DELETE /identity/conditionalAccess/policies/{id}
    /// (<https://learn.microsoft.com/graph/api/conditionalaccesspolicy-delete?view=graph-rest-1.0>):
    /// 204 No Content, 404 when no such object.
    fn delete_where(
        &self,
        id: &str,
        list: fn(&mut Tenant) -> &mut Vec<Value>,
        needs_pim: bool,
    ) -> Outcome {
        if needs_pim && !self.tenant().pim_licensed {
            return not_licensed();
        }
        let removed = self.write_tenant(|t| {
            let items = list(t);
            let before = items.len();
            items.retain(|v| !v["id"].as_str().is_some_and(|x| same(x, id)));
            before != items.len()
        });
        if removed { no_content() } else { not_found(id) }
    }
}

/// The properties the rule-update page lists per rule type, with their values checked.
fn check_rule(t: &Tenant, kind: &str, body: &Map<String, Value>) -> Result<(), Outcome> {
    let short = kind
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .trim_start_matches("unifiedRoleManagementPolicy");
    let allowed: &[&str] = match short {
        "ExpirationRule" => &["isExpirationRequired", "maximumDuration"],
        "EnablementRule" => &["enabledRules"],
        "NotificationRule" => &[
            "notificationType",
            "recipientType",
            "notificationLevel",
            "isDefaultRecipientsEnabled",
            "notificationRecipients",
        ],
        "ApprovalRule" => &["setting"],
        "AuthenticationContextRule" => &["isEnabled", "claimValue"],
        _ => return Err(invalid_rule()),
    };
    for k in body.keys() {
        if !(k == "@odata.type" || k == "id" || k == "target" || allowed.contains(&k.as_str())) {
            return Err(invalid_rule());
        }
    }
    let one_of = |k: &str, values: &[&str]| {
        body.get(k)
            .is_none_or(|v| v.as_str().is_some_and(|s| values.contains(&s)))
    };
    let strings = |k: &str| {
        body.get(k)
            .is_none_or(|v| v.as_array().is_some_and(|a| a.iter().all(Value::is_string)))
    };
    let boolean = |k: &str| body.get(k).is_none_or(Value::is_boolean);
    let ok = match short {
        "ExpirationRule" => {
            let max_ok = body
                .get("maximumDuration")
                .is_none_or(|m| m.as_str().is_some_and(|m| IsoDuration::parse(m).is_ok()));
            let required = body.get("isExpirationRequired") == Some(&json!(true));
            boolean("isExpirationRequired")
                && max_ok
                && (!required || body.contains_key("maximumDuration"))
        }
        "EnablementRule" => {
            strings("enabledRules")
                && body["enabledRules"].as_array().is_some_and(|a| {
                    a.iter().all(|r| {
                        matches!(
                            r.as_str().unwrap_or_default(),
                            "MultiFactorAuthentication" | "Justification" | "Ticketing"
                        )
                    })
                })
        }
        "NotificationRule" => {
            one_of("notificationType", &["Email"])
                && one_of("recipientType", &["Requestor", "Approver", "Admin"])
                && one_of("notificationLevel", &["None", "Critical", "All"])
                && boolean("isDefaultRecipientsEnabled")
                && strings("notificationRecipients")
        }
        "ApprovalRule" => check_approval(t, &body["setting"]),
        _ => boolean("isEnabled"),
    };
    if ok { Ok(()) } else { Err(invalid_rule()) }
}

/// approvalSettings (resources/approvalsettings.md): an approval that is required names
/// at least one approver, each a user of the tenant.
fn check_approval(t: &Tenant, setting: &Value) -> bool {
    if !setting.is_object() {
        return false;
    }
    if setting["isApprovalRequired"] != json!(true) {
        return true;
    }
    let stages = setting["approvalStages"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    !stages.is_empty()
        && stages.iter().all(|stage| {
            let approvers = stage["primaryApprovers"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            !approvers.is_empty()
                && approvers.iter().all(|a| match a["@odata.type"].as_str() {
                    Some("#microsoft.graph.singleUser") => a["userId"]
                        .as_str()
                        .and_then(|id| t.object_ref(id))
                        .is_some_and(|o| o["@odata.type"] == "#microsoft.graph.user"),
                    Some("#microsoft.graph.groupMembers") => a["groupId"]
                        .as_str()
                        .and_then(|id| t.object_ref(id))
                        .is_some_and(|o| o["@odata.type"] == "#microsoft.graph.group"),
                    _ => false,
                })
        })
}
