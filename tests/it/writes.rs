//! The emulator's write routes (what a remediation change-set sends): each applies to the
//! tenant so a later read sees it, answers Graph's documented shapes and errors, and
//! refuses a token without its write permission.

use pimready_tests::{Emulator, app_scopes, error_code, start_with_scopes};
use serde_json::{Value, json};

const GA: &str = "62e90394-69f5-4237-9190-012177145e10";
const PRA: &str = "e8611ab8-c189-46e8-94e1-60213ab1f814";
const NESTOR: &str = "3c73ad81-11e0-5b5d-96cf-872671159b19";
const ADELE: &str = "6a09748c-ea57-5b58-b2c3-2f40a8dec447";
const MISSING: &str = "00000000-1111-2222-3333-444444444444";
const ELIGIBILITY: &str = "/roleManagement/directory/roleEligibilityScheduleRequests";
const ASSIGNMENT: &str = "/roleManagement/directory/roleAssignmentScheduleRequests";
const REVIEWS: &str = "/identityGovernance/accessReviews/definitions";
const CA: &str = "/identity/conditionalAccess/policies";

/// The fixture served to a token with the read scopes and, when `write`, every write
/// permission a change-set can need.
async fn emulator(name: &str, write: bool) -> Emulator {
    let scopes = if write {
        pimready_tests::write_scopes()
    } else {
        app_scopes()
    };
    start_with_scopes(name, scopes).await
}

async fn send(emu: &Emulator, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let client = reqwest::Client::new();
    let url = format!("{}/v1.0{path}", emu.base_url());
    let mut req = client
        .request(method.parse().unwrap(), url)
        .bearer_auth(emu.token());
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn request(action: &str, principal: &str, role: &str, expiration: &Value) -> Value {
    json!({
        "action": action,
        "principalId": principal,
        "roleDefinitionId": role,
        "directoryScopeId": "/",
        "justification": "test",
        "scheduleInfo": {"startDateTime": "2026-11-20T09:00:00Z", "expiration": expiration},
    })
}

/// Ids of the principals holding `role` in a PIM listing.
async fn holders(emu: &Emulator, listing: &str, role: &str) -> Vec<String> {
    let (status, body) = send(
        emu,
        "GET",
        &format!("/roleManagement/directory/{listing}?$filter=roleDefinitionId eq '{role}'"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["principalId"].as_str().unwrap().to_owned())
        .collect()
}

async fn rule(emu: &Emulator, role: &str, rule_id: &str) -> (String, Value) {
    let (status, body) = send(
        emu,
        "GET",
        &format!("/policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '{role}'&$expand=policy($expand=rules)"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let policy = &body["value"][0]["policy"];
    let rule = policy["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == rule_id)
        .unwrap()
        .clone();
    (policy["id"].as_str().unwrap().to_owned(), rule)
}

#[tokio::test]
async fn a_standing_admin_becomes_eligible_and_back_and_each_read_sees_it() {
    let emu = emulator("contoso-e5", true).await;
    assert!(
        !holders(&emu, "roleEligibilityScheduleInstances", GA)
            .await
            .contains(&NESTOR.to_owned())
    );

    make_nestor_eligible(&emu).await;
    remove_nestors_active_assignment(&emu).await;
    require_expiring_active_assignments(&emu).await;
    refuse_an_unjustified_assignment(&emu).await;
}

/// Nestor becomes an eligible Global Administrator, once: the same request again is
/// Graph's answer for an assignment that exists.
async fn make_nestor_eligible(emu: &Emulator) {
    let (status, body) = send(
        emu,
        "POST",
        ELIGIBILITY,
        Some(request(
            "adminAssign",
            NESTOR,
            GA,
            &json!({"type": "noExpiration"}),
        )),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "Provisioned");
    assert_eq!(body["action"], "adminAssign");
    assert_eq!(body["principalId"], NESTOR);
    assert!(body["id"].is_string() && body["targetScheduleId"].is_string());
    assert!(
        body["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with("roleEligibilityScheduleRequests/$entity")
    );
    for listing in [
        "roleEligibilityScheduleInstances",
        "roleEligibilitySchedules",
    ] {
        assert!(
            holders(emu, listing, GA).await.contains(&NESTOR.to_owned()),
            "{listing}"
        );
    }
    // The same again: Graph's answer for an assignment that exists.
    let (status, body) = send(
        emu,
        "POST",
        ELIGIBILITY,
        Some(request(
            "adminAssign",
            NESTOR,
            GA,
            &json!({"type": "noExpiration"}),
        )),
    )
    .await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "RoleAssignmentExists"),
        "{body}"
    );
}

/// Nestor's permanent active assignment removed, once: again is Graph's answer for an
/// assignment that does not exist.
async fn remove_nestors_active_assignment(emu: &Emulator) {
    let remove = json!({"action": "adminRemove", "principalId": NESTOR, "roleDefinitionId": GA, "directoryScopeId": "/", "justification": "test"});
    let (status, body) = send(emu, "POST", ASSIGNMENT, Some(remove.clone())).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "Revoked");
    for listing in [
        "roleAssignmentScheduleInstances",
        "roleAssignmentSchedules",
        "roleAssignments",
    ] {
        assert!(
            !holders(emu, listing, GA).await.contains(&NESTOR.to_owned()),
            "{listing}"
        );
    }
    let (status, body) = send(emu, "POST", ASSIGNMENT, Some(remove)).await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "RoleAssignmentDoesNotExist"),
        "{body}"
    );
}

/// The role's settings now require an expiring active assignment: a permanent one is
/// refused by the expiration rule, a 30-day one is made.
async fn require_expiring_active_assignments(emu: &Emulator) {
    let (policy, _) = rule(emu, GA, "Expiration_Admin_Assignment").await;
    let (status, body) = send(
        emu,
        "PATCH",
        &format!("/policies/roleManagementPolicies/{policy}/rules/Expiration_Admin_Assignment"),
        Some(json!({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule", "id": "Expiration_Admin_Assignment", "isExpirationRequired": true, "maximumDuration": "P90D"})),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let restore = |expiration: Value| request("adminAssign", NESTOR, GA, &expiration);
    let (status, body) = send(
        emu,
        "POST",
        ASSIGNMENT,
        Some(restore(json!({"type": "noExpiration"}))),
    )
    .await;
    assert_eq!(
        (
            status,
            error_code(&body),
            body["error"]["message"].as_str().unwrap_or_default()
        ),
        (
            400,
            "RoleAssignmentRequestPolicyValidationFailed",
            "The following policy rules failed: [\"ExpirationRule\"]"
        )
    );
    let (status, _) = send(
        emu,
        "POST",
        ASSIGNMENT,
        Some(restore(
            json!({"type": "afterDuration", "duration": "P180D"}),
        )),
    )
    .await;
    assert_eq!(status, 400, "longer than the rule's maximum");
    let (status, body) = send(
        emu,
        "POST",
        ASSIGNMENT,
        Some(restore(
            json!({"type": "afterDuration", "duration": "P30D"}),
        )),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        body["scheduleInfo"]["expiration"]["endDateTime"],
        "2026-12-20T09:00:00Z"
    );
    assert!(
        holders(emu, "roleAssignmentScheduleInstances", GA)
            .await
            .contains(&NESTOR.to_owned())
    );
}

/// Without a justification the admin-assignment enablement rule refuses it.
async fn refuse_an_unjustified_assignment(emu: &Emulator) {
    let mut unjustified = request(
        "adminAssign",
        ADELE,
        GA,
        &json!({"type": "afterDuration", "duration": "P30D"}),
    );
    unjustified.as_object_mut().unwrap().remove("justification");
    let (status, body) = send(emu, "POST", ASSIGNMENT, Some(unjustified)).await;
    assert_eq!(
        (status, error_code(&body)),
        (400, "RoleAssignmentRequestPolicyValidationFailed"),
        "{body}"
    );
}

#[tokio::test]
async fn schedule_requests_refuse_bad_schedules_unknown_objects_and_unlicensed_tenants() {
    let emu = emulator("contoso-e5", true).await;
    // (body, status, error code)
    let cases: Vec<(Value, u16, &str)> = vec![
        (
            request(
                "adminAssign",
                NESTOR,
                GA,
                &json!({"type": "afterDateTime", "endDateTime": "2026-01-01T00:00:00Z"}),
            ),
            400,
            "BadRequest",
        ),
        (
            request(
                "adminAssign",
                NESTOR,
                GA,
                &json!({"type": "afterDuration", "duration": "eight hours"}),
            ),
            400,
            "BadRequest",
        ),
        (
            request("adminAssign", NESTOR, GA, &json!({"type": "sometime"})),
            400,
            "BadRequest",
        ),
        (
            json!({"action": "adminAssign", "principalId": NESTOR, "roleDefinitionId": GA, "directoryScopeId": "/", "justification": "x", "scheduleInfo": {"startDateTime": "yesterday"}}),
            400,
            "BadRequest",
        ),
        (
            json!({"action": "adminAssign", "principalId": NESTOR, "roleDefinitionId": GA, "directoryScopeId": "/", "justification": "x"}),
            400,
            "BadRequest",
        ),
        (
            json!({"action": "adminAssign", "principalId": NESTOR, "roleDefinitionId": GA, "justification": "x", "scheduleInfo": {}}),
            400,
            "BadRequest",
        ),
        (
            json!({"action": "selfDestruct", "principalId": NESTOR, "roleDefinitionId": GA, "directoryScopeId": "/"}),
            400,
            "BadRequest",
        ),
        (
            request("adminAssign", MISSING, GA, &json!({"type": "noExpiration"})),
            404,
            "Request_ResourceNotFound",
        ),
        (
            request(
                "adminAssign",
                NESTOR,
                MISSING,
                &json!({"type": "noExpiration"}),
            ),
            404,
            "Request_ResourceNotFound",
        ),
    ];
    for (body, status, error) in cases {
        for path in [ELIGIBILITY, ASSIGNMENT] {
            let (s, answer) = send(&emu, "POST", path, Some(body.clone())).await;
            assert_eq!(
                (s, error_code(&answer)),
                (status, error),
                "{path} {body}: {answer}"
            );
        }
    }
    assert!(
        !holders(&emu, "roleEligibilityScheduleInstances", GA)
            .await
            .contains(&NESTOR.to_owned())
    );
    let (status, body) = send(&emu, "POST", ELIGIBILITY, None).await;
    assert_eq!(status, 400, "{body}");

    // No P2 or Governance: PIM's writes answer as its reads do.
    let bp = emulator("fabrikam-bp", true).await;
    let user = bp.tenant().user_ids[0].clone();
    for path in [ELIGIBILITY, ASSIGNMENT] {
        let (s, answer) = send(
            &bp,
            "POST",
            path,
            Some(request(
                "adminAssign",
                &user,
                GA,
                &json!({"type": "noExpiration"}),
            )),
        )
        .await;
        assert_eq!(
            (s, error_code(&answer)),
            (400, "AadPremiumLicenseRequired"),
            "{answer}"
        );
    }
}

#[tokio::test]
async fn a_rule_update_is_read_back_and_a_rule_graph_cannot_accept_is_refused() {
    let emu = emulator("contoso-e5", true).await;
    let (policy, before) = rule(&emu, GA, "Expiration_EndUser_Assignment").await;
    let path = |rule: &str| format!("/policies/roleManagementPolicies/{policy}/rules/{rule}");
    let expiration = "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule";
    let (status, body) = send(
        &emu,
        "PATCH",
        &path("Expiration_EndUser_Assignment"),
        Some(json!({"@odata.type": expiration, "id": "Expiration_EndUser_Assignment", "isExpirationRequired": true, "maximumDuration": "PT4H", "target": before["target"]})),
    )
    .await;
    assert_eq!((status, body), (204, Value::Null));
    let (_, after) = rule(&emu, GA, "Expiration_EndUser_Assignment").await;
    assert_eq!(after["maximumDuration"], "PT4H");
    assert_eq!(after["@odata.type"], expiration);

    let approval = "#microsoft.graph.unifiedRoleManagementPolicyApprovalRule";
    let stage = |approvers: Value| json!({"@odata.type": approval, "id": "Approval_EndUser_Assignment", "setting": {"isApprovalRequired": true, "approvalMode": "SingleStage", "approvalStages": [{"approvalStageTimeOutInDays": 1, "primaryApprovers": approvers, "escalationApprovers": []}]}});
    // (rule, body, status, message)
    let cases: Vec<(String, Value, u16)> = vec![
        // Another rule type than the rule's.
        (
            path("Expiration_EndUser_Assignment"),
            json!({"@odata.type": approval, "isExpirationRequired": true}),
            400,
        ),
        // A property Graph does not know (wrong casing).
        (
            path("Expiration_EndUser_Assignment"),
            json!({"@odata.type": expiration, "MaximumDuration": "PT2H"}),
            400,
        ),
        // Not a duration.
        (
            path("Expiration_EndUser_Assignment"),
            json!({"@odata.type": expiration, "maximumDuration": "4 hours"}),
            400,
        ),
        // No @odata.type.
        (
            path("Expiration_EndUser_Assignment"),
            json!({"maximumDuration": "PT2H"}),
            400,
        ),
        // Approval required with no approver, or one who is not a user of the tenant.
        (path("Approval_EndUser_Assignment"), stage(json!([])), 400),
        (
            path("Approval_EndUser_Assignment"),
            stage(json!([{"@odata.type": "#microsoft.graph.singleUser", "userId": MISSING}])),
            400,
        ),
        (
            path("Notification_Admin_Admin_Assignment"),
            json!({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyNotificationRule", "notificationType": "Text"}),
            400,
        ),
        (
            path("No_Such_Rule"),
            json!({"@odata.type": expiration}),
            400,
        ),
        (
            format!(
                "/policies/roleManagementPolicies/{MISSING}/rules/Expiration_EndUser_Assignment"
            ),
            json!({"@odata.type": expiration}),
            404,
        ),
    ];
    for (p, body, status) in cases {
        let (s, answer) = send(&emu, "PATCH", &p, Some(body.clone())).await;
        assert_eq!(s, status, "{p} {body}: {answer}");
    }
    let (_, unchanged) = rule(&emu, GA, "Expiration_EndUser_Assignment").await;
    assert_eq!(unchanged, after, "a refused update changes nothing");
    // A named approver who is a user is accepted.
    let (status, _) = send(
        &emu,
        "PATCH",
        &path("Approval_EndUser_Assignment"),
        Some(stage(
            json!([{"@odata.type": "#microsoft.graph.singleUser", "userId": ADELE}]),
        )),
    )
    .await;
    assert_eq!(status, 204);
    let (_, approval_rule) = rule(&emu, GA, "Approval_EndUser_Assignment").await;
    assert_eq!(
        approval_rule["setting"]["approvalStages"][0]["primaryApprovers"][0]["userId"],
        ADELE
    );

    let bp = emulator("fabrikam-bp", true).await;
    let bp_policy = bp.tenant().policy_assignments[0]["policy"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (s, answer) = send(
        &bp,
        "PATCH",
        &format!(
            "/policies/roleManagementPolicies/{bp_policy}/rules/Expiration_EndUser_Assignment"
        ),
        Some(json!({"@odata.type": expiration, "maximumDuration": "PT4H"})),
    )
    .await;
    assert_eq!((s, error_code(&answer)), (400, "AadPremiumLicenseRequired"));
}

fn review(role: &str, reviewer: &str, start: &str) -> Value {
    json!({
        "displayName": "Monthly review",
        "descriptionForAdmins": "x",
        "descriptionForReviewers": "x",
        "scope": {
            "@odata.type": "#microsoft.graph.principalResourceMembershipsScope",
            "principalScopes": [{"@odata.type": "#microsoft.graph.accessReviewQueryScope", "query": "/users", "queryType": "MicrosoftGraph"}],
            "resourceScopes": [{"@odata.type": "#microsoft.graph.accessReviewQueryScope", "query": format!("/roleManagement/directory/roleDefinitions/{role}"), "queryType": "MicrosoftGraph"}],
        },
        "reviewers": [{"query": format!("/users/{reviewer}"), "queryType": "MicrosoftGraph"}],
        "settings": {"instanceDurationInDays": 14, "recurrence": {"pattern": {"type": "absoluteMonthly", "interval": 1}, "range": {"type": "noEnd", "startDate": start}}},
    })
}

async fn ids(emu: &Emulator, path: &str) -> Vec<String> {
    let (status, body) = send(emu, "GET", path, None).await;
    assert_eq!(status, 200, "{body}");
    body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect()
}

/// Read back, a review waits for its start date and runs from it on (the fixtures' clock
/// reads 2026-11-20): `created` starts 2026-12-01, a second one starting today is created
/// and deleted here.
async fn a_review_waits_for_its_start_date(emu: &Emulator, created: &Value) {
    let (_, today) = send(emu, "POST", REVIEWS, Some(review(GA, ADELE, "2026-11-20"))).await;
    assert_eq!(today["status"], "NotStarted", "the POST answers NotStarted");
    let (_, listed) = send(emu, "GET", REVIEWS, None).await;
    let status_of = |id: &Value| {
        listed["value"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == *id)
            .map(|r| r["status"].clone())
    };
    assert_eq!(status_of(&created["id"]), Some(json!("NotStarted")));
    assert_eq!(status_of(&today["id"]), Some(json!("InProgress")));
    let (status, _) = send(
        emu,
        "DELETE",
        &format!("{REVIEWS}/{}", today["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert_eq!(status, 204);
}

#[tokio::test]
async fn an_access_review_is_created_read_back_and_deleted() {
    let emu = emulator("contoso-e5", true).await;
    let before = ids(&emu, REVIEWS).await;
    let (status, created) =
        send(&emu, "POST", REVIEWS, Some(review(GA, ADELE, "2026-12-01"))).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["status"], "NotStarted");
    assert_eq!(created["displayName"], "Monthly review");
    let after = ids(&emu, REVIEWS).await;
    assert_eq!(after.len(), before.len() + 1);
    assert!(after.contains(&id));
    a_review_waits_for_its_start_date(&emu, &created).await;

    for (body, status) in [
        (review(GA, MISSING, "2026-12-01"), 404),
        (review(MISSING, ADELE, "2026-12-01"), 404),
        (review(GA, ADELE, "first of December"), 400),
        (
            {
                let mut r = review(GA, ADELE, "2026-12-01");
                r["reviewers"] = json!([]);
                r
            },
            400,
        ),
        (
            {
                let mut r = review(GA, ADELE, "2026-12-01");
                r["settings"]["recurrence"]["pattern"]["type"] = json!("fortnightly");
                r
            },
            400,
        ),
        (
            {
                let mut r = review(GA, ADELE, "2026-12-01");
                r.as_object_mut().unwrap().remove("displayName");
                r
            },
            400,
        ),
        // One role per review (Microsoft's role-review tutorial).
        (
            {
                let mut r = review(GA, ADELE, "2026-12-01");
                let second = json!({"@odata.type": "#microsoft.graph.accessReviewQueryScope", "query": format!("/roleManagement/directory/roleDefinitions/{PRA}"), "queryType": "MicrosoftGraph"});
                r["scope"]["resourceScopes"]
                    .as_array_mut()
                    .unwrap()
                    .push(second);
                r
            },
            400,
        ),
        // Only weekly and absoluteMonthly recurrences are supported.
        (
            {
                let mut r = review(GA, ADELE, "2026-12-01");
                r["settings"]["recurrence"]["pattern"]["type"] = json!("daily");
                r
            },
            400,
        ),
        // A default decision that is none of Approve, Deny, Recommendation.
        (
            {
                let mut r = review(GA, ADELE, "2026-12-01");
                r["settings"]["defaultDecisionEnabled"] = json!(true);
                r["settings"]["defaultDecision"] = json!("None");
                r
            },
            400,
        ),
        (
            {
                let mut r = review(GA, ADELE, "2026-12-01");
                r["settings"]["instanceDurationInDays"] = json!(0);
                r
            },
            400,
        ),
        (
            {
                let mut r = review(GA, ADELE, "2026-12-01");
                r["scope"]["principalScopes"][0]["query"] = json!("/everyone");
                r
            },
            400,
        ),
    ] {
        let (s, answer) = send(&emu, "POST", REVIEWS, Some(body)).await;
        assert_eq!(s, status, "{answer}");
    }
    assert_eq!(
        ids(&emu, REVIEWS).await,
        after,
        "a refused review creates nothing"
    );

    let (status, _) = send(&emu, "DELETE", &format!("{REVIEWS}/{id}"), None).await;
    assert_eq!(status, 204);
    assert_eq!(ids(&emu, REVIEWS).await, before);
    let (status, answer) = send(&emu, "DELETE", &format!("{REVIEWS}/{id}"), None).await;
    assert_eq!(
        (status, error_code(&answer)),
        (404, "Request_ResourceNotFound")
    );

    let bp = emulator("fabrikam-bp", true).await;
    let user = bp.tenant().user_ids[0].clone();
    let (s, answer) = send(&bp, "POST", REVIEWS, Some(review(GA, &user, "2026-12-01"))).await;
    assert_eq!((s, error_code(&answer)), (400, "AadPremiumLicenseRequired"));
}

fn ca_policy(exclude: &str) -> Value {
    json!({
        "displayName": "Require MFA for admins (report-only)",
        "state": "enabledForReportingButNotEnforced",
        "conditions": {
            "clientAppTypes": ["all"],
            "applications": {"includeApplications": ["All"]},
            "users": {"includeRoles": [GA], "excludeUsers": [exclude]},
        },
        "grantControls": {"operator": "OR", "builtInControls": ["mfa"]},
    })
}

#[tokio::test]
async fn a_report_only_policy_is_created_read_back_and_deleted() {
    // Business Premium: P1, so Conditional Access, without PIM.
    let emu = emulator("fabrikam-bp", true).await;
    let user = emu.tenant().user_ids[0].clone();
    let before = ids(&emu, CA).await;
    let (status, created) = send(&emu, "POST", CA, Some(ca_policy(&user))).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["state"], "enabledForReportingButNotEnforced");
    assert_eq!(
        created["conditions"]["users"]["excludeUsers"][0],
        user.as_str()
    );
    let (_, listed) = send(&emu, "GET", CA, None).await;
    let read = listed["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(read["state"], "enabledForReportingButNotEnforced");

    for body in [
        {
            let mut p = ca_policy(&user);
            p["state"] = json!("reportOnly");
            p
        },
        {
            let mut p = ca_policy(&user);
            p.as_object_mut().unwrap().remove("grantControls");
            p
        },
        {
            let mut p = ca_policy(&user);
            p["conditions"].as_object_mut().unwrap().remove("users");
            p
        },
        ca_policy(MISSING),
        {
            let mut p = ca_policy(&user);
            p["conditions"]["users"]["includeRoles"] = json!([MISSING]);
            p
        },
        {
            let mut p = ca_policy(&user);
            p["conditions"]["users"]["excludeGuestsOrExternalUsers"] =
                json!({"guestOrExternalUserTypes": "everyoneOutside"});
            p
        },
        {
            let mut p = ca_policy(&user);
            p["conditions"]["users"]["excludeGuestsOrExternalUsers"] = json!({"externalTenants": {"@odata.type": "#microsoft.graph.conditionalAccessAllExternalTenants", "membershipKind": "all"}});
            p
        },
    ] {
        let (s, answer) = send(&emu, "POST", CA, Some(body.clone())).await;
        assert_eq!(
            (s, error_code(&answer)),
            (400, "BadRequest"),
            "{body}: {answer}"
        );
    }
    let (status, _) = send(&emu, "DELETE", &format!("{CA}/{id}"), None).await;
    assert_eq!(status, 204);
    assert_eq!(ids(&emu, CA).await, before);
}

#[tokio::test]
async fn every_write_route_answers_403_without_its_write_permission_and_changes_nothing() {
    let read_only = emulator("contoso-e5", false).await;
    let (policy, _) = rule(&read_only, GA, "Expiration_EndUser_Assignment").await;
    let user = ADELE;
    let writes: Vec<(&str, String, Option<Value>)> = vec![
        (
            "POST",
            ELIGIBILITY.to_owned(),
            Some(request(
                "adminAssign",
                NESTOR,
                GA,
                &json!({"type": "noExpiration"}),
            )),
        ),
        (
            "POST",
            ASSIGNMENT.to_owned(),
            Some(
                json!({"action": "adminRemove", "principalId": NESTOR, "roleDefinitionId": GA, "directoryScopeId": "/"}),
            ),
        ),
        (
            "PATCH",
            format!(
                "/policies/roleManagementPolicies/{policy}/rules/Expiration_EndUser_Assignment"
            ),
            Some(
                json!({"@odata.type": "#microsoft.graph.unifiedRoleManagementPolicyExpirationRule", "maximumDuration": "PT1H"}),
            ),
        ),
        (
            "POST",
            REVIEWS.to_owned(),
            Some(review(GA, user, "2026-12-01")),
        ),
        ("POST", CA.to_owned(), Some(ca_policy(user))),
        ("DELETE", format!("{CA}/{MISSING}"), None),
        ("DELETE", format!("{REVIEWS}/{MISSING}"), None),
    ];
    let tenant_before = format!("{:?}", read_only.tenant());
    for (method, path, body) in &writes {
        let (s, answer) = send(&read_only, method, path, body.clone()).await;
        assert_eq!(
            (s, error_code(&answer)),
            (403, "Authorization_RequestDenied"),
            "{method} {path}"
        );
    }
    assert_eq!(format!("{:?}", read_only.tenant()), tenant_before);

    // Each write permission opens its own route only; creating a Conditional Access
    // policy also needs Policy.Read.All and Application.Read.All beside it.
    let only = |scope: &str| {
        let scopes = vec![scope.to_owned()];
        async move { start_with_scopes("contoso-e5", scopes).await }
    };
    let eligibility_only = only("RoleEligibilitySchedule.ReadWrite.Directory").await;
    let (s, _) = send(&eligibility_only, "POST", ASSIGNMENT, writes[1].2.clone()).await;
    assert_eq!(s, 403);
    let (s, body) = send(&eligibility_only, "POST", ELIGIBILITY, writes[0].2.clone()).await;
    assert_eq!(s, 201, "{body}");
    let ca_only = only("Policy.ReadWrite.ConditionalAccess").await;
    let (s, answer) = send(&ca_only, "POST", CA, Some(ca_policy(user))).await;
    assert_eq!(
        (s, error_code(&answer)),
        (403, "Authorization_RequestDenied")
    );
}

/// The change-set computed from a collected tenant, each ready request sent as a
/// remediation would send it: every one is accepted, the checks it resolves pass when the
/// tenant is collected again, and the emergency accounts' roles are unchanged.
#[tokio::test]
async fn a_change_set_applied_to_the_tenant_resolves_its_checks() {
    use chrono::NaiveDate;
    use pimready_core::assessment::assess;
    use pimready_core::finding::Status;
    use pimready_core::pricebook::PriceBook;
    use pimready_core::remediation::{RemediationChoices, change_set};
    use pimready_tests::collect;

    let emu = emulator("contoso-e5", true).await;
    let settings =
        pimready_core::demo::settings(pimready_core::settings::AssessmentSettings::default());
    let book = PriceBook::default_book();
    let before = collect(&emu).await;
    let first = assess(&before, &settings, &book);
    let choices = RemediationChoices {
        approvers: vec!["diego.siciliani@contoso.com".to_owned()],
        notify: vec!["secops@contoso.com".to_owned()],
        start_date: NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        ..RemediationChoices::default()
    };
    let cs = change_set(&before, &settings, &first, &choices).unwrap();
    let emergency: Vec<String> = cs
        .choices
        .emergency_accounts
        .iter()
        .map(|e| e.id.clone())
        .collect();
    assert_eq!(emergency.len(), 2);
    let roles_of = |t: &pimready_tests::fixture::Tenant, id: &str| -> Vec<String> {
        let mut v: Vec<String> = t
            .role_assignments
            .iter()
            .chain(&t.role_eligibility_schedules)
            .filter(|a| a["principalId"] == id)
            .map(|a| a["roleDefinitionId"].to_string())
            .collect();
        v.sort();
        v
    };
    let emergency_before: Vec<Vec<String>> = emergency
        .iter()
        .map(|id| roles_of(&emu.tenant(), id))
        .collect();

    let order = cs.apply_order(None);
    assert!(order.len() > 5);
    for change in order {
        for r in &change.requests {
            let (status, body) = send(&emu, r.method.as_str(), &r.path, r.body.clone()).await;
            assert!(
                (200..300).contains(&status),
                "{}: {} {} → {status} {body}",
                change.id,
                r.method.as_str(),
                r.path
            );
        }
    }
    let after = collect(&emu).await;
    let second = assess(&after, &settings, &book);
    assert!(!cs.resolves.is_empty());
    for id in &cs.resolves {
        let f = second.checks.iter().find(|f| f.id == id.as_str()).unwrap();
        assert_eq!(f.status, Status::Pass, "{id}: {}", f.summary);
    }
    let emergency_after: Vec<Vec<String>> = emergency
        .iter()
        .map(|id| roles_of(&emu.tenant(), id))
        .collect();
    assert_eq!(emergency_after, emergency_before);
    // Report-only policies enforce nothing: the CA findings stay open.
    for id in ["CA-02", "CA-03"] {
        let f = second.checks.iter().find(|f| f.id == id).unwrap();
        assert_ne!(f.status, Status::Pass, "{id}");
    }
}
