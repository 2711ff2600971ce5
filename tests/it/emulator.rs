//! The tenant emulator behaves like Graph: routes, paging, OData options, licensing,
//! `$batch`, faults and the request log.

use std::time::Duration;

use pimready_tests::{
    Denied, Emulator, Fault, FaultKind, Fixture, Grant, Listener, Throttling, error_code,
};
use serde_json::{Value, json};

const GA: &str = "62e90394-69f5-4237-9190-012177145e10";
const POLICY_QUERY: &str = "$filter=scopeId%20eq%20'/'%20and%20scopeType%20eq%20'DirectoryRole'&$expand=policy($expand=rules)";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

async fn send(
    em: &Emulator,
    req: reqwest::RequestBuilder,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let resp = req
        .bearer_auth(em.token())
        .send()
        .await
        .expect("emulator answers");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.json::<Value>().await.unwrap_or(Value::Null);
    (status, headers, body)
}

async fn get(em: &Emulator, path: &str) -> (u16, Value) {
    let (s, _, b) = send(em, client().get(format!("{}{path}", em.base_url()))).await;
    (s, b)
}

/// Follows nextLinks; returns every item and the number of pages.
async fn get_all(em: &Emulator, path: &str) -> (Vec<Value>, usize) {
    let mut url = format!("{}{path}", em.base_url());
    let mut items = Vec::new();
    let mut pages = 0;
    loop {
        let (status, _, body) = send(em, client().get(&url)).await;
        assert_eq!(status, 200, "{url}: {body}");
        pages += 1;
        items.extend(body["value"].as_array().unwrap().iter().cloned());
        match body["@odata.nextLink"].as_str() {
            Some(next) => {
                assert!(
                    next.starts_with(em.base_url()),
                    "nextLink stays on the Graph host: {next}"
                );
                next.clone_into(&mut url);
            }
            None => return (items, pages),
        }
        assert!(pages < 1000, "paging terminates");
    }
}

#[tokio::test]
async fn every_fixture_serves_its_organization() {
    for name in ["contoso-e5", "fabrikam-bp", "northwind-p2", "large-100"] {
        let em = Emulator::start_named(name).await.unwrap();
        let (status, body) = get(&em, "/v1.0/organization").await;
        assert_eq!(status, 200, "{name}");
        assert_eq!(body["value"][0]["id"], em.tenant_id(), "{name}");
        assert!(
            body["@odata.context"]
                .as_str()
                .unwrap()
                .contains("$metadata#organization")
        );
        let (status, beta) = get(&em, "/beta/organization").await;
        assert_eq!(status, 200, "{name}: /beta is an alias");
        assert_eq!(beta["value"][0]["id"], em.tenant_id());
    }
}

#[tokio::test]
async fn fixtures_use_real_sku_and_role_ids() {
    let em = Emulator::start_named("contoso-e5").await.unwrap();
    let (_, skus) = get(&em, "/v1.0/subscribedSkus").await;
    let e5 = &skus["value"][0];
    assert_eq!(e5["skuPartNumber"], "SPE_E5");
    assert_eq!(e5["skuId"], "06ebc4ee-1bb5-47dd-8120-11324bc54e06");
    assert_eq!(e5["prepaidUnits"]["enabled"], 120);
    assert!(
        e5["servicePlans"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["servicePlanId"] == "eec0eb4f-6444-4f95-aba0-50c24d67f998")
    );
    let (_, roles) = get(&em, "/v1.0/roleManagement/directory/roleDefinitions").await;
    assert!(
        roles["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["templateId"] == GA && r["displayName"] == "Global Administrator")
    );
}

#[tokio::test]
async fn paging_honours_top_and_skiptoken_across_pages() {
    let em = Emulator::start_named("large-100").await.unwrap();
    let expected = em.tenant().role_assignments.len();
    assert!(
        expected > 200,
        "the large tenant has hundreds of assignments ({expected})"
    );
    let (all, pages) = get_all(
        &em,
        "/v1.0/roleManagement/directory/roleAssignments?$expand=principal",
    )
    .await;
    assert_eq!(all.len(), expected);
    assert_eq!(pages, expected.div_ceil(100), "default page size 100");
    let (small, pages) = get_all(
        &em,
        "/v1.0/roleManagement/directory/roleAssignments?$top=50",
    )
    .await;
    assert_eq!(small.len(), expected);
    assert_eq!(pages, expected.div_ceil(50));
    let ids: std::collections::HashSet<_> = small
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), expected, "no item twice");
    // nextLink keeps the other query options.
    let (_, first) = get(
        &em,
        "/v1.0/roleManagement/directory/roleAssignments?$expand=principal&$top=10",
    )
    .await;
    let next = first["@odata.nextLink"].as_str().unwrap();
    assert!(
        next.contains("expand=principal") && next.contains("skiptoken"),
        "{next}"
    );
}

#[tokio::test]
async fn large_tenant_has_100000_users_without_materialising_them() {
    let em = Emulator::start_named("large").await.unwrap();
    assert_eq!(em.tenant().user_count(), 100_000);
    let (status, page) = get(&em, "/v1.0/users?$top=999&$select=id,displayName").await;
    assert_eq!(status, 200);
    assert_eq!(page["value"].as_array().unwrap().len(), 999);
    assert!(page["@odata.nextLink"].is_string());
    let filler = page["value"][998]["id"].as_str().unwrap().to_owned();
    let (status, user) = get(&em, &format!("/v1.0/users/{filler}?$select=id,userType")).await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(user["userType"], "Member");
    // The privileged population is the same whatever the user count.
    let small = Emulator::start_named("large-100").await.unwrap();
    assert_eq!(
        small.tenant().role_assignments,
        em.tenant().role_assignments
    );
    assert_eq!(
        small.tenant().role_eligibility_schedules,
        em.tenant().role_eligibility_schedules
    );
    assert!(
        small.tenant().user_count() >= 100 && small.tenant().user_count() < 400,
        "at least the privileged users"
    );
}

#[tokio::test]
async fn select_returns_only_selected_fields_and_id() {
    let em = Emulator::start_named("contoso-e5").await.unwrap();
    let nestor = em
        .tenant()
        .objects
        .values()
        .find(|o| o["displayName"] == "Nestor Wilke")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, body) = get(
        &em,
        &format!(
            "/v1.0/users/{nestor}?$select=userType,onPremisesSyncEnabled,onPremisesImmutableId"
        ),
    )
    .await;
    assert_eq!(status, 200);
    let mut keys: Vec<_> = body.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "@odata.context",
            "id",
            "onPremisesImmutableId",
            "onPremisesSyncEnabled",
            "userType"
        ]
    );
    assert_eq!(body["onPremisesSyncEnabled"], true);
    // Without $select: Graph's default user properties, no signInActivity.
    let (_, body) = get(&em, &format!("/v1.0/users/{nestor}")).await;
    assert!(
        body.get("userPrincipalName").is_some()
            && body.get("signInActivity").is_none()
            && body.get("userType").is_none()
    );
    let (_, body) = get(
        &em,
        &format!("/v1.0/users/{nestor}?$select=id,signInActivity"),
    )
    .await;
    assert!(body["signInActivity"]["lastSignInDateTime"].is_string());
    let (status, body) = get(&em, "/v1.0/users/00000000-0000-0000-0000-000000000001").await;
    assert_eq!(
        (status, error_code(&body)),
        (404, "Request_ResourceNotFound")
    );
}

#[tokio::test]
async fn expand_principal_carries_odata_type() {
    let em = Emulator::start_named("contoso-e5").await.unwrap();
    let (all, _) = get_all(
        &em,
        "/v1.0/roleManagement/directory/roleAssignments?$expand=principal",
    )
    .await;
    let kinds: std::collections::BTreeSet<_> = all
        .iter()
        .map(|a| a["principal"]["@odata.type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            "#microsoft.graph.group",
            "#microsoft.graph.servicePrincipal",
            "#microsoft.graph.user"
        ]
    );
    let (plain, _) = get_all(&em, "/v1.0/roleManagement/directory/roleAssignments").await;
    assert!(plain.iter().all(|a| a.get("principal").is_none()));
    let ga_holders = all.iter().filter(|a| a["roleDefinitionId"] == GA).count();
    assert_eq!(ga_holders, 6, "5 permanent GAs + 1 activated");
}

#[tokio::test]
async fn policy_assignments_need_the_filter_and_expand_rules() {
    let em = Emulator::start_named("contoso-e5").await.unwrap();
    let (status, body) = get(&em, "/v1.0/policies/roleManagementPolicyAssignments").await;
    assert_eq!((status, error_code(&body)), (400, "BadRequest"));
    let (all, _) = get_all(
        &em,
        &format!("/v1.0/policies/roleManagementPolicyAssignments?{POLICY_QUERY}"),
    )
    .await;
    assert_eq!(
        all.len(),
        em.tenant().role_definitions.len(),
        "one policy per role"
    );
    let ga = all.iter().find(|a| a["roleDefinitionId"] == GA).unwrap();
    let rules = ga["policy"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 17);
    let approval = rules
        .iter()
        .find(|r| r["id"] == "Approval_EndUser_Assignment")
        .unwrap();
    assert_eq!(
        approval["setting"]["isApprovalRequired"], false,
        "contoso: GA without approval"
    );
    let exo = all
        .iter()
        .find(|a| a["roleDefinitionId"] == "29232cdf-9323-42fd-ade2-1d097af3e4de")
        .unwrap();
    let exp = exo["policy"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "Expiration_EndUser_Assignment")
        .unwrap();
    assert_eq!(exp["maximumDuration"], "PT10H");
    let (_, no_rules) = get(&em, "/v1.0/policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole'&$expand=policy").await;
    assert!(no_rules["value"][0]["policy"].get("rules").is_none());
    let (_, filtered) = get(&em, &format!("/v1.0/policies/roleManagementPolicyAssignments?$filter=scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '{GA}'")).await;
    assert_eq!(filtered["value"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn pim_for_groups_requires_a_group_filter() {
    let em = Emulator::start_named("contoso-e5").await.unwrap();
    let path = "/v1.0/identityGovernance/privilegedAccess/group/assignmentScheduleInstances";
    let (status, _) = get(&em, path).await;
    assert_eq!(status, 400);
    let group = em.tenant().group_members.keys().next().unwrap().clone();
    let (status, body) = get(&em, &format!("{path}?$filter=groupId eq '{group}'")).await;
    assert_eq!(status, 200);
    assert_eq!(body["value"].as_array().unwrap().len(), 3);
    let (_, members) = get(
        &em,
        &format!("/v1.0/groups/{group}/members?$select=id,userPrincipalName"),
    )
    .await;
    assert_eq!(members["value"].as_array().unwrap().len(), 2);
    assert_eq!(members["value"][0]["@odata.type"], "#microsoft.graph.user");
    let (_, owners) = get(&em, &format!("/v1.0/groups/{group}/owners?$select=id")).await;
    assert_eq!(owners["value"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn unlicensed_tenant_answers_aad_premium_license_required() {
    let em = Emulator::start_named("fabrikam-bp").await.unwrap();
    for path in [
        "/v1.0/roleManagement/directory/roleAssignmentScheduleInstances",
        "/v1.0/roleManagement/directory/roleAssignmentSchedules",
        "/v1.0/roleManagement/directory/roleEligibilityScheduleInstances",
        "/v1.0/roleManagement/directory/roleEligibilitySchedules",
        &format!("/v1.0/policies/roleManagementPolicyAssignments?{POLICY_QUERY}"),
        "/v1.0/identityGovernance/accessReviews/definitions",
        "/v1.0/identityGovernance/privilegedAccess/group/eligibilityScheduleInstances?$filter=groupId eq 'x'",
    ] {
        let (status, body) = get(&em, path).await;
        assert_eq!(
            (status, error_code(&body)),
            (400, "AadPremiumLicenseRequired"),
            "{path}"
        );
        assert!(body["error"]["innerError"]["request-id"].is_string());
    }
    let (all, _) = get_all(
        &em,
        "/v1.0/roleManagement/directory/roleAssignments?$expand=principal",
    )
    .await;
    assert_eq!(all.len(), 7, "active assignments are readable without P2");
    // P1 (Business Premium): sign-in activity is readable.
    let id = em.tenant().user_ids[0].clone();
    let (status, _) = get(&em, &format!("/v1.0/users/{id}?$select=id,signInActivity")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn sign_in_activity_needs_p1() {
    let mut raw = Fixture::load("fabrikam-bp").unwrap().raw().clone();
    raw["subscribedSkus"] = json!([]);
    let em = Emulator::start(Fixture::from_json("no-premium", &raw.to_string()).unwrap())
        .await
        .unwrap();
    let id = em.tenant().user_ids[0].clone();
    let (status, body) = get(&em, &format!("/v1.0/users/{id}?$select=id,signInActivity")).await;
    assert_eq!(
        (status, error_code(&body)),
        (403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant")
    );
    let (status, _) = get(&em, &format!("/v1.0/users/{id}?$select=id,userType")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn batch_dispatches_each_request_and_limits_to_20() {
    let em = Emulator::start_named("contoso-e5").await.unwrap();
    let ids: Vec<String> = em.tenant().user_ids.iter().take(3).cloned().collect();
    em.set_fault(
        "/users/".to_owned() + &ids[1],
        Fault::throttle(Duration::from_secs(2), 1),
    );
    let requests: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| json!({"id": i.to_string(), "method": "GET", "url": format!("/users/{id}?$select=id,userType")}))
        .chain([json!({"id": "sku", "method": "GET", "url": "/subscribedSkus"})])
        .collect();
    let url = format!("{}/v1.0/$batch", em.base_url());
    let (status, _, body) = send(
        &em,
        client().post(&url).json(&json!({"requests": requests})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let responses = body["responses"].as_array().unwrap();
    assert_eq!(responses.len(), 4);
    let by_id = |id: &str| responses.iter().find(|r| r["id"] == id).unwrap();
    assert_eq!(by_id("0")["status"], 200);
    assert_eq!(by_id("0")["body"]["id"], ids[0].as_str());
    assert_eq!(by_id("1")["status"], 429);
    assert_eq!(by_id("1")["headers"]["Retry-After"], "2");
    assert_eq!(by_id("sku")["body"]["value"][0]["skuPartNumber"], "SPE_E5");
    let log = em.requests();
    assert_eq!(log.iter().filter(|r| r.in_batch).count(), 4);
    assert!(
        log.iter()
            .filter(|r| r.in_batch)
            .all(pimready_tests::RecordedRequest::has_authorization)
    );
    assert_eq!(em.http_request_count(), 1);

    let too_many: Vec<Value> = (0..21)
        .map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/organization"}))
        .collect();
    let (status, _, body) = send(
        &em,
        client().post(&url).json(&json!({"requests": too_many})),
    )
    .await;
    assert_eq!((status, error_code(&body)), (400, "BadRequest"));
}

/// getByIds needs Directory.Read.All, which PIM Ready never asks for: refused with the
/// app's scopes, served to a token granted it (named here).
#[tokio::test]
async fn get_by_ids_needs_directory_read_all() {
    let refused = Emulator::start_named("contoso-e5").await.unwrap();
    let url = format!("{}/v1.0/directoryObjects/getByIds", refused.base_url());
    let (status, _, body) = send(&refused, client().post(&url).json(&json!({"ids": [GA]}))).await;
    assert_eq!(
        (status, error_code(&body)),
        (403, "Authorization_RequestDenied")
    );

    let mut scopes = pimready_tests::app_scopes();
    scopes.push("Directory.Read.All".into());
    let em = pimready_tests::start_with_scopes("contoso-e5", scopes).await;
    let ids: Vec<String> = em
        .tenant()
        .role_assignments
        .iter()
        .map(|a| a["principalId"].as_str().unwrap().to_owned())
        .collect();
    let url = format!("{}/v1.0/directoryObjects/getByIds", em.base_url());
    let (status, _, body) = send(
        &em,
        client()
            .post(&url)
            .json(&json!({"ids": ids, "types": ["user", "group", "servicePrincipal"]})),
    )
    .await;
    assert_eq!(status, 200);
    let value = body["value"].as_array().unwrap();
    assert_eq!(value.len(), ids.len());
    assert!(value.iter().all(|o| o["@odata.type"].is_string()));
}

#[tokio::test]
async fn auth_is_required() {
    let em = Emulator::start_named("contoso-e5").await.unwrap();
    let resp = client()
        .get(format!("{}/v1.0/organization", em.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let resp = client()
        .get(format!("{}/v1.0/organization", em.base_url()))
        .bearer_auth("wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(error_code(&body), "InvalidAuthenticationToken");
    let log = em.requests();
    assert!(!log[0].has_authorization() && log[1].authorization.as_deref() == Some("Bearer wrong"));
    assert_eq!(
        log[0].host.as_deref(),
        em.base_url().strip_prefix("http://")
    );
}

#[tokio::test]
async fn token_validator_and_extra_router_seams() {
    let fixture = Fixture::load("northwind-p2").unwrap();
    let em = Emulator::builder(fixture)
        .token_validator(|bearer| match bearer {
            "reader" => Ok(Grant::new("tenant", ["User.Read"])),
            _ => Err(Denied::Unauthenticated("unknown token".into())),
        })
        .router(|info| {
            let tenant = info.tenant_id.clone();
            axum::Router::new().route(
                "/oauth/whoami",
                axum::routing::get(move || async move { tenant.clone() }),
            )
        })
        .start()
        .await
        .unwrap();
    let c = client();
    let ca = c
        .get(format!(
            "{}/v1.0/identity/conditionalAccess/policies",
            em.base_url()
        ))
        .bearer_auth("reader")
        .send()
        .await
        .unwrap();
    assert_eq!(ca.status(), 403);
    let body: Value = ca.json().await.unwrap();
    assert_eq!(error_code(&body), "Authorization_RequestDenied");
    let org = c
        .get(format!("{}/v1.0/organization", em.base_url()))
        .bearer_auth("reader")
        .send()
        .await
        .unwrap();
    assert_eq!(org.status(), 200);
    let who = c
        .get(format!("{}/oauth/whoami", em.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(who, em.tenant_id());
}

#[tokio::test]
async fn faults_fire_n_times_then_clear() {
    let em = Emulator::start_named("contoso-e5").await.unwrap();
    em.set_fault(
        "/v1.0/organization",
        Fault::throttle(Duration::from_millis(1500), 2),
    );
    em.set_fault("/subscribedSkus", Fault::status(503, 1));
    em.set_fault("/identity/conditionalAccess", Fault::status_always(500));
    em.set_fault(
        "/roleManagement/directory/roleDefinitions",
        FaultKind::Unauthorized,
    );
    em.set_fault("/identityGovernance/accessReviews", FaultKind::Forbidden);
    em.set_fault(
        "/roleManagement/directory/roleEligibilitySchedules",
        FaultKind::NotLicensed,
    );
    let url = format!("{}/v1.0/organization", em.base_url());
    let (s1, h1, _) = send(&em, client().get(&url)).await;
    let (s2, _, _) = send(&em, client().get(&url)).await;
    let (s3, _, _) = send(&em, client().get(&url)).await;
    assert_eq!((s1, s2, s3), (429, 429, 200));
    assert_eq!(h1["retry-after"], "1.5");
    assert_eq!(get(&em, "/v1.0/subscribedSkus").await.0, 503);
    assert_eq!(get(&em, "/v1.0/subscribedSkus").await.0, 200);
    for _ in 0..3 {
        assert_eq!(
            get(&em, "/v1.0/identity/conditionalAccess/policies")
                .await
                .0,
            500
        );
    }
    let (s, b) = get(&em, "/v1.0/roleManagement/directory/roleDefinitions").await;
    assert_eq!((s, error_code(&b)), (401, "InvalidAuthenticationToken"));
    let (s, b) = get(&em, "/v1.0/identityGovernance/accessReviews/definitions").await;
    assert_eq!((s, error_code(&b)), (403, "Authorization_RequestDenied"));
    let (s, b) = get(
        &em,
        "/v1.0/roleManagement/directory/roleEligibilitySchedules",
    )
    .await;
    assert_eq!((s, error_code(&b)), (400, "AadPremiumLicenseRequired"));
    em.clear_faults();
    assert_eq!(
        get(&em, "/v1.0/identity/conditionalAccess/policies")
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn body_faults_break_parsing() {
    let em = Emulator::start_named("contoso-e5").await.unwrap();
    em.set_fault("/organization", FaultKind::MalformedJson);
    em.set_fault("/subscribedSkus", FaultKind::WrongShape);
    em.set_fault(
        "/roleManagement/directory/roleDefinitions",
        FaultKind::DropMidBody,
    );
    em.set_fault("/identity/conditionalAccess/policies", FaultKind::Reset);
    let c = client();
    let text = c
        .get(format!("{}/v1.0/organization", em.base_url()))
        .bearer_auth(em.token())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        serde_json::from_str::<Value>(&text).is_err(),
        "malformed: {text}"
    );
    let (s, shape) = get(&em, "/v1.0/subscribedSkus").await;
    assert_eq!(s, 200);
    assert!(!shape["value"].is_array(), "wrong shape: {shape}");
    for path in [
        "/v1.0/roleManagement/directory/roleDefinitions",
        "/v1.0/identity/conditionalAccess/policies",
    ] {
        let resp = c
            .get(format!("{}{path}", em.base_url()))
            .bearer_auth(em.token())
            .send()
            .await;
        let body = match resp {
            Ok(r) => r.bytes().await,
            Err(e) => Err(e),
        };
        assert!(body.is_err(), "{path}: the connection breaks");
    }
}

#[tokio::test]
async fn hang_and_latency() {
    let em = Emulator::start_named("contoso-e5").await.unwrap();
    em.set_fault("/organization", FaultKind::Hang);
    let quick = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = quick
        .get(format!("{}/v1.0/organization", em.base_url()))
        .bearer_auth(em.token())
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout());
    em.clear_faults();
    em.set_latency(Duration::from_millis(120));
    let started = std::time::Instant::now();
    assert_eq!(get(&em, "/v1.0/subscribedSkus").await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(120));
    em.set_latency(Duration::ZERO);
    em.set_fault(
        "/subscribedSkus",
        Fault::latency(Duration::from_millis(100)),
    );
    let started = std::time::Instant::now();
    assert_eq!(get(&em, "/v1.0/subscribedSkus").await.0, 200);
    assert!(started.elapsed() >= Duration::from_millis(100));
}

#[tokio::test]
async fn next_link_faults() {
    let em = Emulator::start_named("contoso-e5").await.unwrap();
    em.set_fault(
        "/roleManagement/directory/roleAssignments",
        FaultKind::ForeignNextLink,
    );
    em.set_fault(
        "/identity/conditionalAccess/policies",
        FaultKind::NextLinkLoop,
    );
    let (_, page) = get(&em, "/v1.0/roleManagement/directory/roleAssignments").await;
    let next = page["@odata.nextLink"].as_str().unwrap().to_owned();
    assert!(next.starts_with(em.foreign_base_url()), "{next}");
    assert!(em.foreign_requests().is_empty());
    // A careless client that follows it is caught carrying the bearer.
    let _ = client()
        .get(&next)
        .bearer_auth(em.token())
        .send()
        .await
        .unwrap();
    let foreign = em.foreign_requests();
    assert_eq!(foreign.len(), 1);
    assert_eq!(foreign[0].listener, Listener::Foreign);
    assert_eq!(
        foreign[0].authorization.as_deref(),
        Some(format!("Bearer {}", em.token()).as_str())
    );
    let (_, looped) = get(&em, "/v1.0/identity/conditionalAccess/policies").await;
    assert_eq!(looped["value"].as_array().unwrap().len(), 0);
    assert_eq!(
        looped["@odata.nextLink"].as_str().unwrap(),
        format!("{}/v1.0/identity/conditionalAccess/policies", em.base_url())
    );
}

#[tokio::test]
async fn token_bucket_throttling_counts_rejections() {
    let em = Emulator::start_named("contoso-e5").await.unwrap();
    em.set_throttling(Some(Throttling {
        rate_per_second: 1.0,
        burst: 3,
    }));
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(get(&em, "/v1.0/organization").await.0);
    }
    assert_eq!(&statuses[..3], &[200, 200, 200]);
    assert!(statuses[3..].contains(&429));
    assert!(em.throttled_count() >= 1);
    em.set_throttling(None);
    assert_eq!(get(&em, "/v1.0/organization").await.0, 200);
}

/// The token bucket answers as Graph documents: identity and access answers say when more
/// than 80 % of the limit is used (`x-ms-throttle-limit-percentage`) and their 429s carry
/// `Retry-After` and `x-ms-throttle-scope`; Conditional Access's 429s carry neither
/// (https://learn.microsoft.com/graph/throttling-limits).
#[tokio::test]
async fn token_bucket_headers_follow_graph() {
    let em = Emulator::start_named("contoso-e5").await.unwrap();
    em.set_throttling(Some(Throttling {
        rate_per_second: 0.01,
        burst: 5,
    }));
    let header = |h: &reqwest::header::HeaderMap, name: &str| {
        h.get(name).map(|v| v.to_str().unwrap().to_owned())
    };
    let mut used = Vec::new();
    for _ in 0..5 {
        let (status, headers, _) = send(
            &em,
            client().get(format!("{}/v1.0/organization", em.base_url())),
        )
        .await;
        assert_eq!(status, 200);
        used.push(header(&headers, "x-ms-throttle-limit-percentage"));
    }
    assert_eq!(used[..3], [None, None, None], "{used:?}");
    assert_eq!(used[4].as_deref(), Some("1.00"), "{used:?}");
    let (status, headers, _) = send(
        &em,
        client().get(format!("{}/v1.0/organization", em.base_url())),
    )
    .await;
    assert_eq!(status, 429);
    assert!(header(&headers, "retry-after").is_some());
    assert!(
        header(&headers, "x-ms-throttle-scope")
            .is_some_and(|s| s.starts_with("Tenant_Application/ReadWrite/")),
        "{headers:?}"
    );
    let (status, headers, _) = send(
        &em,
        client().get(format!(
            "{}/v1.0/identity/conditionalAccess/policies",
            em.base_url()
        )),
    )
    .await;
    assert_eq!(status, 429);
    assert_eq!(
        (
            header(&headers, "retry-after"),
            header(&headers, "x-ms-throttle-scope")
        ),
        (None, None)
    );
}
