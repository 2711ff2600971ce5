#!/usr/bin/env python3
"""Writes src-tauri/dev-fixtures/demo-assessment.json: a hand-written Contoso assessment in the
`pimready_core::assessment::Assessment` serde shape. TEMPORARY: replaced by
`assessment::assess(&demo::snapshot(), ..)` at integration. Score/grade/coverage follow issue 5."""
import json, os

GA = "Global Administrator"; PRA = "Privileged Role Administrator"
PS_ELIG = """Connect-MgGraph -Scopes 'RoleManagement.ReadWrite.Directory'
$params = @{
  action = 'adminAssign'; principalId = '<user-object-id>'
  roleDefinitionId = '62e90394-69f5-4237-9190-012177145e10'; directoryScopeId = '/'
  justification = 'Convert standing access to eligible'
  scheduleInfo = @{ startDateTime = (Get-Date); expiration = @{ type = 'afterDuration'; duration = 'P365D' } }
}
New-MgRoleManagementDirectoryRoleEligibilityScheduleRequest -BodyParameter $params"""
PS_POLICY = """Connect-MgGraph -Scopes 'RoleManagementPolicy.ReadWrite.Directory'
$policy = Get-MgPolicyRoleManagementPolicyAssignment -Filter "scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '62e90394-69f5-4237-9190-012177145e10'"
Update-MgPolicyRoleManagementPolicyRule -UnifiedRoleManagementPolicyId $policy.PolicyId `
  -UnifiedRoleManagementPolicyRuleId 'Approval_EndUser_Assignment' -BodyParameter $rule"""
PS_CA = """Connect-MgGraph -Scopes 'Policy.ReadWrite.ConditionalAccess'
New-MgIdentityConditionalAccessPolicy -BodyParameter @{
  displayName = 'Require phishing-resistant MFA for admins'; state = 'enabledForReportingButNotEnforced'
  conditions = @{ applications = @{ includeApplications = @('All') }; users = @{ includeRoles = @('62e90394-69f5-4237-9190-012177145e10') } }
  grantControls = @{ operator = 'OR'; authenticationStrength = @{ id = '00000000-0000-0000-0000-000000000004' } }
}"""
PIM_SETTINGS = "Identity governance > Privileged Identity Management > Microsoft Entra roles > Settings"

def ref(fw, id_, ver, url=None):
    r = {"framework": fw, "id": id_, "version": ver}
    if url: r["url"] = url
    return r
CIS = lambda i: ref("CIS M365", i, "5.0.0", "https://www.cisecurity.org/benchmark/microsoft_365")
SCUBA = lambda i: ref("CISA SCuBA", i, "1.5.0", "https://github.com/cisagov/ScubaGear/blob/main/PowerShell/ScubaGear/baselines/aad.md")
MS = lambda i: ref("Microsoft", i, "", "https://learn.microsoft.com/entra/id-governance/privileged-identity-management/pim-deployment-plan")
ZTA = lambda i: ref("ZTA", i, "")

def ev(name, upn=None, typ="user", role=None, at=None, start=None, end=None, detail=""):
    e = {"display_name": name, "object_type": typ, "detail": detail}
    if upn: e["principal_name"] = upn
    if role: e["role"] = role
    if at: e["assignment_type"] = at
    if start: e["start"] = start
    if end: e["end"] = end
    return e

def rem(steps, path, ps):
    return {"steps": steps, "portal_path": path, "powershell": ps}

checks = []
def check(id_, title, cat, sev, status, summary, refs, lic, rationale, evidence, remediation, missing=None):
    f = {"id": id_, "title": title, "category": cat, "severity": sev, "status": status, "summary": summary,
         "references": refs, "minimum_licence": lic, "rationale": rationale, "evidence": evidence,
         "remediation": remediation}
    if missing: f["missing_data"] = missing
    checks.append(f)

LIC_REM = rem(["Buy Entra ID P2 seats for every user in PIM scope, or move them to a bundle that includes it."],
              "Microsoft 365 admin center > Billing > Purchase services", "Get-MgSubscribedSku | Select-Object SkuPartNumber, ConsumedUnits, @{n='Enabled';e={$_.PrepaidUnits.Enabled}}")
check("LIC-01", "Entra ID P2 or Entra ID Governance is available for PIM", "licensing", "critical", "pass",
      "Entra ID P2 is available through 10 Entra ID P2 seats.", [MS("PIM licensing")], "free",
      "PIM needs Entra ID P2 or Entra ID Governance; without it, privileged access cannot be made just-in-time.",
      [ev("Microsoft Entra ID P2", "AAD_PREMIUM_P2", "licence", detail="10 seats enabled, 9 consumed")], LIC_REM)
check("LIC-02", "PIM seats cover every user in PIM scope", "licensing", "medium", "fail",
      "14 users are in PIM scope but only 10 P2 seats are available: 4 seats short.", [MS("PIM licensing")], "free",
      "Every user who is eligible for, approves or reviews a PIM role needs a P2 or Governance licence.",
      [ev("Microsoft Entra ID P2", "AAD_PREMIUM_P2", "licence", detail="10 available, 14 in scope, shortfall 4")], LIC_REM)
check("ADM-01", "Between two and four Global Administrators", "privileged_accounts", "high", "warning",
      "6 distinct users hold Global Administrator (active or eligible); 2 to 4 is recommended.",
      [CIS("1.1.3"), SCUBA("MS.AAD.7.1v1")], "free",
      "Too many Global Administrators widen the blast radius of one compromised account.",
      [ev("Adele Vance", "adele@contoso.com", role=GA, at="permanent active", start="2023-03-14T09:12:00Z", detail="Global Administrator"),
       ev("Alex Wilber", "alexw@contoso.com", role=GA, at="permanent active", start="2022-11-02T16:40:00Z", detail="Global Administrator"),
       ev("Megan Bowen", "meganb@contoso.com", role=GA, at="eligible", start="2025-06-01T08:00:00Z", end="2026-06-01T08:00:00Z", detail="Global Administrator"),
       ev("Nestor Wilke", "nestorw@contoso.com", role=GA, at="via group Tier0 Admins", detail="Global Administrator through a role-assignable group"),
       ev("BreakGlass 01", "bg01@contoso.onmicrosoft.com", role=GA, at="permanent active", start="2021-01-10T10:00:00Z", detail="Emergency account"),
       ev("BreakGlass 02", "bg02@contoso.onmicrosoft.com", role=GA, at="permanent active", start="2021-01-10T10:00:00Z", detail="Emergency account")],
      rem(["Remove Global Administrator from users who can do their work with a narrower role.", "Keep 2 to 4 Global Administrators, emergency accounts included."],
          "Identity > Roles & admins > Global Administrator > Assignments",
          "Get-MgDirectoryRoleMemberByRef -DirectoryRoleId (Get-MgDirectoryRole -Filter \"displayName eq 'Global Administrator'\").Id"))
check("ADM-02", "Two emergency-access accounts exist", "privileged_accounts", "high", "pass",
      "2 emergency-access accounts were detected (cloud-only, permanent Global Administrator).", [CIS("1.1.2")], "free",
      "Emergency accounts keep the tenant reachable when Conditional Access or MFA fail.",
      [ev("BreakGlass 01", "bg01@contoso.onmicrosoft.com", role=GA, at="permanent active", detail="Detected (a guess): cloud-only, no licence, excluded from CA"),
       ev("BreakGlass 02", "bg02@contoso.onmicrosoft.com", role=GA, at="permanent active", detail="Detected (a guess): cloud-only, no licence, excluded from CA")],
      rem(["Designate the two accounts in Settings so the assessment does not have to guess."], "Identity > Users > All users",
          "Get-MgUser -Filter \"endswith(userPrincipalName,'onmicrosoft.com')\" -ConsistencyLevel eventual -CountVariable c"))
check("ADM-03", "Privileged accounts are cloud-only", "privileged_accounts", "high", "fail",
      "1 privileged account is synchronised from on-premises Active Directory.", [CIS("1.1.1"), SCUBA("MS.AAD.7.3v1")], "free",
      "A synchronised admin can be taken over from the on-premises directory.",
      [ev("Alex Wilber", "alexw@contoso.com", role=GA, at="permanent active", detail="onPremisesSyncEnabled = true")],
      rem(["Create a separate cloud-only admin account for Alex Wilber and move the role to it."], "Identity > Users > New user",
          "New-MgUser -DisplayName 'Alex Wilber (admin)' -UserPrincipalName 'adm-alexw@contoso.onmicrosoft.com' -AccountEnabled -MailNickname 'adm-alexw' -PasswordProfile @{ForceChangePasswordNextSignIn=$true; Password='<generated>'}"))
check("ADM-04", "Privileged accounts hold no productivity licences", "privileged_accounts", "medium", "fail",
      "2 privileged accounts hold Microsoft 365 productivity licences.", [CIS("1.1.4")], "free",
      "A mailbox on an admin account is an easy phishing target.",
      [ev("Adele Vance", "adele@contoso.com", role=GA, detail="Microsoft 365 E3"),
       ev("Alex Wilber", "alexw@contoso.com", role=GA, detail="Microsoft 365 E3")],
      rem(["Use separate, unlicensed admin accounts."], "Identity > Users > (user) > Licenses",
          "Set-MgUserLicense -UserId adele@contoso.com -RemoveLicenses @('05e9a617-0261-4cee-bb44-138d3ef5d965') -AddLicenses @()"))
check("ADM-05", "Finer-grained roles are used instead of Global Administrator", "privileged_accounts", "medium", "pass",
      "8 users hold other privileged roles against 6 Global Administrators.", [SCUBA("MS.AAD.7.2v1")], "free",
      "Least privilege: most admin work does not need Global Administrator.", [],
      rem(["Keep assigning task-specific roles."], "Identity > Roles & admins", "Get-MgRoleManagementDirectoryRoleAssignment -All"))
check("ADM-06", "No guest or external accounts hold privileged roles", "privileged_accounts", "high", "fail",
      "1 guest account holds a highly privileged role.", [ZTA("22128")], "free",
      "Guests are governed by another organisation's identity controls.",
      [ev("Lee Gu (Fabrikam)", "lee_fabrikam.com#EXT#@contoso.onmicrosoft.com", role="Security Administrator", at="permanent active", start="2024-02-19T11:30:00Z", detail="userType = Guest")],
      rem(["Remove the role from the guest, or give the person a member account governed by Contoso."], "Identity > Roles & admins > Security Administrator",
          "Remove-MgRoleManagementDirectoryRoleAssignment -UnifiedRoleAssignmentId '<assignment-id>'"))
check("ADM-07", "No stale privileged accounts", "privileged_accounts", "medium", "not_assessed",
      "Sign-in activity could not be read: the AuditLog.Read.All permission was not granted.", [MS("PIM alert StaleSignInAlert")], "p1",
      "Unused admin accounts are standing risk with nobody watching them.", [],
      rem(["Grant AuditLog.Read.All (admin consent) and assess again."], "Identity > Applications > Enterprise applications > PIM Ready > Permissions",
          "Connect-MgGraph -Scopes 'AuditLog.Read.All'"),
      [{"dataset": "sign_in_activity", "reason": "permission_denied", "detail": "Graph answered 403 Authorization_RequestDenied for signInActivity.", "missing_scope": "AuditLog.Read.All"}])
check("ADM-08", "Service principals do not hold highly privileged roles", "privileged_accounts", "medium", "warning",
      "1 service principal holds a highly privileged role.", [ZTA("21836")], "free",
      "An app secret with a directory role is an admin that never signs in interactively.",
      [ev("Contoso HR Sync", "8f2c1d7e-3b4a-4c55-9a1e-2f0d6b7c8e91", "service_principal", role="User Administrator", at="permanent active", detail="App holds User Administrator")],
      rem(["Replace the directory role with the narrowest Graph application permission."], "Identity > Roles & admins > User Administrator",
          "Get-MgServicePrincipal -Filter \"appId eq '8f2c1d7e-3b4a-4c55-9a1e-2f0d6b7c8e91'\""))
check("PIM-01", "No permanent active assignments to highly privileged roles (emergency accounts excepted)", "pim_assignments", "critical", "fail",
      "4 permanent active assignments to highly privileged roles exist outside the emergency accounts.",
      [CIS("5.3.1"), SCUBA("MS.AAD.7.4v1")], "free",
      "Standing admin access is what PIM removes: every permanent assignment is always exploitable.",
      [ev("Adele Vance", "adele@contoso.com", role=GA, at="permanent active", start="2023-03-14T09:12:00Z", detail="No end date"),
       ev("Alex Wilber", "alexw@contoso.com", role=GA, at="permanent active", start="2022-11-02T16:40:00Z", detail="No end date"),
       ev("Lee Gu (Fabrikam)", "lee_fabrikam.com#EXT#@contoso.onmicrosoft.com", role="Security Administrator", at="permanent active", start="2024-02-19T11:30:00Z", detail="No end date"),
       ev("Diego Siciliani", "diegos@contoso.com", role="Exchange Administrator", at="permanent active", start="2024-09-05T13:05:00Z", detail="No end date")],
      rem(["Make each assignment eligible in PIM, then remove the active assignment."], "Identity governance > Privileged Identity Management > Microsoft Entra roles > Assignments", PS_ELIG))
check("PIM-02", "Highly privileged roles are not assigned outside PIM", "pim_assignments", "high", "fail",
      "2 active assignments were made outside PIM (no start date, not created by PIM).", [SCUBA("MS.AAD.7.5v1")], "p2",
      "Assignments made outside PIM bypass its approval, expiry and alerts.",
      [ev("Diego Siciliani", "diegos@contoso.com", role="Exchange Administrator", at="permanent active", detail="createdUsing is null"),
       ev("Contoso HR Sync", "8f2c1d7e-3b4a-4c55-9a1e-2f0d6b7c8e91", "service_principal", role="User Administrator", at="permanent active", detail="startDateTime is null")],
      rem(["Re-create these assignments through PIM."], "Identity governance > Privileged Identity Management > Microsoft Entra roles > Assignments", PS_ELIG))
check("PIM-03", "Groups holding privileged roles are governed by PIM for Groups", "pim_assignments", "medium", "fail",
      "The role-assignable group Tier0 Admins has permanent members not managed by PIM for Groups.", [SCUBA("MS.AAD.7.4v1")], "p2",
      "A permanent group member is a permanent admin, whatever the role assignment says.",
      [ev("Tier0 Admins", "4b1d9c3a-0f2e-4d8b-9c7a-6e5f4d3c2b1a", "group", role=GA, at="permanent active", detail="1 permanent member: Nestor Wilke")],
      rem(["Enable PIM for Groups on Tier0 Admins and make its members eligible."], "Identity governance > Privileged Identity Management > Groups",
          "New-MgIdentityGovernancePrivilegedAccessGroupEligibilityScheduleRequest -BodyParameter $params"))
check("PIM-04", "Global Administrator activation requires approval", "pim_role_settings", "critical", "fail",
      "Activating Global Administrator does not require approval.", [CIS("5.3.4"), SCUBA("MS.AAD.7.6v1")], "p2",
      "Approval puts a second person between a stolen eligible account and tenant control.",
      [ev("Global Administrator role setting", typ="role_setting", role=GA, detail="isApprovalRequired = false")],
      rem(["Require approval for Global Administrator and name at least two approvers."], PIM_SETTINGS + " > Global Administrator", PS_POLICY))
check("PIM-05", "Privileged Role Administrator activation requires approval", "pim_role_settings", "high", "pass",
      "Activating Privileged Role Administrator requires approval by 2 approvers.", [CIS("5.3.5")], "p2",
      "Privileged Role Administrator can grant any role, including Global Administrator.", [],
      rem(["Keep approval enabled with named approvers."], PIM_SETTINGS + " > Privileged Role Administrator", PS_POLICY))
check("PIM-06", "Activation lasts at most 8 hours", "pim_role_settings", "high", "warning",
      "Global Administrator activations last up to 8 hours; 1 to 4 hours is recommended for it.", [MS("PIM deployment plan")], "p2",
      "Short activations limit how long a hijacked session stays privileged.",
      [ev("Global Administrator role setting", typ="role_setting", role=GA, detail="maximumDuration = PT8H (over PT4H)")],
      rem(["Set the Global Administrator activation maximum to 4 hours or less."], PIM_SETTINGS + " > Global Administrator", PS_POLICY))
check("PIM-07", "Activation requires MFA or an authentication context", "pim_role_settings", "high", "pass",
      "Every highly privileged role requires MFA on activation.", [MS("PIM deployment plan")], "p2",
      "Activation is the moment an eligible account becomes an admin.", [],
      rem(["Keep MFA on activation."], PIM_SETTINGS, PS_POLICY))
check("PIM-08", "Activation requires a justification", "pim_role_settings", "medium", "pass",
      "Every highly privileged role requires a justification on activation.", [MS("PIM deployment plan")], "p2",
      "Justifications make the audit trail meaningful.", [],
      rem(["Keep justification required."], PIM_SETTINGS, PS_POLICY))
check("PIM-09", "Role settings forbid permanent active assignment", "pim_role_settings", "high", "fail",
      "3 highly privileged roles allow permanent active assignment.", [MS("PIM deployment plan")], "p2",
      "If the setting allows it, someone will make a permanent assignment again.",
      [ev("Global Administrator role setting", typ="role_setting", role=GA, detail="isExpirationRequired = false"),
       ev("Security Administrator role setting", typ="role_setting", role="Security Administrator", detail="isExpirationRequired = false"),
       ev("Exchange Administrator role setting", typ="role_setting", role="Exchange Administrator", detail="isExpirationRequired = false")],
      rem(["Require an expiry on active assignments for every highly privileged role."], PIM_SETTINGS, PS_POLICY))
check("PIM-10", "Assigning a highly privileged role triggers an alert", "pim_role_settings", "medium", "fail",
      "No additional recipients are notified when highly privileged roles are assigned.", [SCUBA("MS.AAD.7.7v1")], "p2",
      "A security team that is not told about new admins cannot question them.",
      [ev("Global Administrator role setting", typ="role_setting", role=GA, detail="notificationRecipients is empty")],
      rem(["Add the security team's mailbox as an additional recipient for assignment notifications."], PIM_SETTINGS, PS_POLICY))
check("PIM-11", "Activating Global Administrator triggers an alert", "pim_role_settings", "medium", "fail",
      "No additional recipients are notified when Global Administrator is activated.", [SCUBA("MS.AAD.7.8v1")], "p2",
      "Every Global Administrator activation deserves a second pair of eyes.",
      [ev("Global Administrator role setting", typ="role_setting", role=GA, detail="notificationRecipients is empty")],
      rem(["Add the security team's mailbox for Global Administrator activations."], PIM_SETTINGS + " > Global Administrator", PS_POLICY))
check("PIM-12", "Activating other highly privileged roles triggers an alert", "pim_role_settings", "low", "warning",
      "4 of 10 other highly privileged roles notify additional recipients on activation.", [SCUBA("MS.AAD.7.9v1")], "p2",
      "Activation alerts for all admin roles catch misuse early.",
      [ev("User Administrator role setting", typ="role_setting", role="User Administrator", detail="notificationRecipients is empty")],
      rem(["Add the security team's mailbox for the remaining roles."], PIM_SETTINGS, PS_POLICY))
check("PIM-13", "Access reviews cover privileged roles", "pim_role_settings", "medium", "not_applicable",
      "No access review definitions exist yet; create one after eligible assignments are in place.", [CIS("5.3.3")], "p2",
      "Reviews remove eligibility nobody uses any more.", [],
      rem(["Create a monthly access review of Global Administrator and the other highly privileged roles."], "Identity governance > Access reviews",
          "New-MgIdentityGovernanceAccessReviewDefinition -BodyParameter $review"))
check("CA-01", "MFA is required for administrative roles", "conditional_access", "critical", "pass",
      "The policy \u201cRequire MFA for admins\u201d requires MFA for every highly privileged role on all cloud apps.", [CIS("5.2.2.1")], "p1",
      "Passwords alone do not protect admin accounts.",
      [ev("Require MFA for admins", "b2f6d1a0-7c3e-4e19-8d5a-1f2e3d4c5b6a", "policy", detail="enabled, all cloud apps, grant MFA")],
      rem(["Keep the policy enabled."], "Protection > Conditional Access > Policies", PS_CA))
check("CA-02", "Phishing-resistant MFA is required for administrators", "conditional_access", "high", "fail",
      "No enabled policy requires the phishing-resistant MFA authentication strength for admins.", [CIS("5.2.2.5")], "p1",
      "Admin sessions can be phished through MFA prompts and adversary-in-the-middle proxies.",
      [ev("Require MFA for admins", "b2f6d1a0-7c3e-4e19-8d5a-1f2e3d4c5b6a", "policy", detail="grants MFA, not the phishing-resistant strength")],
      rem(["Roll out FIDO2 keys or Windows Hello for admins, then require the phishing-resistant strength in report-only mode first."], "Protection > Conditional Access > Policies > New policy", PS_CA))
check("CA-03", "Admin sessions are short and not persistent", "conditional_access", "medium", "not_assessed",
      "Conditional Access policies could not be read completely: Graph answered 503 for the last page.", [CIS("5.2.2.4")], "p1",
      "Short, non-persistent sessions limit the value of a stolen cookie.", [],
      rem(["Assess again; if it persists, check the service health dashboard."], "Protection > Conditional Access > Policies", PS_CA),
      [{"dataset": "conditional_access_policies", "reason": "error", "detail": "HTTP 503 after 4 retries on the second page of policies."}])

# Score per issue 5.
W = {"critical": 10, "high": 6, "medium": 3, "low": 1}
C = {"pass": 1, "warning": 0.5, "fail": 0, "not_licensed": 0}
def score(cs):
    total = sum(W[c["severity"]] for c in cs)
    counted = [c for c in cs if c["status"] in C]
    w = sum(W[c["severity"]] for c in counted)
    cr = sum(W[c["severity"]] * C[c["status"]] for c in counted)
    pct = round(cr / w * 100, 1) if w else 0.0
    cov = round(w / total * 100, 1) if total else 0.0
    return pct, cov
pct, cov = score(checks)
grade = "A" if pct >= 90 else "B" if pct >= 80 else "C" if pct >= 70 else "D" if pct >= 60 else "F"
cats = []
for cat in ["licensing", "privileged_accounts", "pim_assignments", "pim_role_settings", "conditional_access"]:
    p, c = score([x for x in checks if x["category"] == cat])
    cats.append({"category": cat, "percent": p, "coverage": c})

def src(sku_id, part, name, path, plans, status, en, con, counted):
    return {"sku_id": sku_id, "sku_part_number": part, "product_name": name, "path": path, "plans": plans,
            "capability_status": status, "enabled_units": en, "consumed_units": con, "counted": counted}

def opt(path, name, avail, reason, seats, monthly, rec, inc):
    return {"path": path, "name": name, "available": avail, "reason": reason, "seats": seats, "monthly": monthly,
            "annual": round(monthly * 12, 2), "recommended": rec, "includes": inc}

assessment = {
    "schema_version": 1,
    "generator": {"name": "pimready", "version": "0.1.0"},
    "assessed_at": "2026-11-26T09:30:00Z",
    "tenant": {"id": "7d3c2b1a-5e4f-4a6b-9c8d-0e1f2a3b4c5d", "display_name": "Contoso Ltd", "default_domain": "contoso.com", "cloud": "global"},
    "headline": {"standing_admins": 4, "eligible_admins": 3, "global_admins": 6, "emergency_accounts": 2},
    "licensing": {
        "pim_capable": True, "p2": True, "governance": False, "p1": True,
        "sources": [
            src("eec0eb4f-6444-4f95-aba0-50c24d67f998", "AAD_PREMIUM_P2", "Microsoft Entra ID P2", "entra_id_p2", ["AAD_PREMIUM", "AAD_PREMIUM_P2"], "Enabled", 10, 9, True),
            src("05e9a617-0261-4cee-bb44-138d3ef5d965", "SPE_E3", "Microsoft 365 E3", None, ["AAD_PREMIUM"], "Enabled", 250, 231, True),
        ],
        "seats": {"available": 10, "in_scope": 14, "shortfall": 4},
    },
    "cost": {
        "currency": "USD", "prices_checked_on": "2026-11-26",
        "options": [
            opt("entra_id_p2", "Microsoft Entra ID P2", True, "Add-on for any plan; covers the 4-seat shortfall.", 4, 40.0, True, "Entra ID P1 + PIM, access reviews, ID Protection"),
            opt("entra_id_governance", "Microsoft Entra ID Governance", True, "Includes P2 features plus lifecycle workflows.", 4, 48.0, False, "Entra ID P2 + lifecycle workflows, entitlement management"),
            opt("entra_suite", "Microsoft Entra Suite", True, "Needs Entra ID P1 (present through Microsoft 365 E3).", 4, 48.0, False, "Governance, Private Access, Internet Access, Verified ID"),
            opt("ems_e5", "Enterprise Mobility + Security E5", True, "Upgrades the seats' EMS plans.", 4, 65.6, False, "Entra ID P2, Intune, Defender for Cloud Apps, Defender for Identity"),
            opt("m365_e5", "Microsoft 365 E5", True, "Step-up from Microsoft 365 E3 for the 4 users.", 4, 240.0, False, "Entra ID P2, Defender XDR, Purview, Teams Phone"),
            opt("defender_suite_business_premium", "Microsoft Defender Suite for Microsoft 365 Business Premium", False, "Needs Microsoft 365 Business Premium; Contoso has Microsoft 365 E3.", 4, 40.0, False, "Entra ID P2, Defender for Identity, Endpoint P2, Office 365 P2"),
        ],
        "recommended": "entra_id_p2",
        "recommendation": "Buy 4 Microsoft Entra ID P2 seats (USD 40.00 a month, USD 480.00 a year): the cheapest way to cover every user in PIM scope.",
    },
    "score": {"percent": pct, "grade": grade, "coverage": cov, "categories": cats},
    "checks": checks,
    "plan": [
        {"order": 1, "title": "Cover every PIM user with a licence", "detail": "Buy 4 Entra ID P2 seats (the recommended path) and assign them to the users in PIM scope.", "checks": ["LIC-02"],
         "items": [{"object": "Microsoft Entra ID P2", "action": "Buy 4 seats"}]},
        {"order": 2, "title": "Designate two emergency-access accounts", "detail": "Confirm BreakGlass 01 and BreakGlass 02 in Settings so they are excluded on purpose, not by guess.", "checks": ["ADM-02"],
         "items": [{"object": "BreakGlass 01", "principal_name": "bg01@contoso.onmicrosoft.com", "action": "Designate"}, {"object": "BreakGlass 02", "principal_name": "bg02@contoso.onmicrosoft.com", "action": "Designate"}]},
        {"order": 3, "title": "Convert permanent assignments to eligible", "detail": "Make each standing assignment eligible in PIM, then remove the active one.", "checks": ["PIM-01", "PIM-02", "PIM-03"],
         "items": [{"object": "Adele Vance", "principal_name": "adele@contoso.com", "role": GA, "since": "2023-03-14T09:12:00Z", "action": "Make eligible"},
                   {"object": "Alex Wilber", "principal_name": "alexw@contoso.com", "role": GA, "since": "2022-11-02T16:40:00Z", "action": "Make eligible"},
                   {"object": "Lee Gu (Fabrikam)", "principal_name": "lee_fabrikam.com#EXT#@contoso.onmicrosoft.com", "role": "Security Administrator", "since": "2024-02-19T11:30:00Z", "action": "Remove (guest)"},
                   {"object": "Diego Siciliani", "principal_name": "diegos@contoso.com", "role": "Exchange Administrator", "since": "2024-09-05T13:05:00Z", "action": "Make eligible"},
                   {"object": "Tier0 Admins", "role": GA, "action": "Enable PIM for Groups"}]},
        {"order": 4, "title": "Harden role settings for Global Administrator and Privileged Role Administrator", "detail": "Approval with named approvers, activation of 1 to 4 hours for Global Administrator, MFA and justification; then the other highly privileged roles.", "checks": ["PIM-04", "PIM-06", "PIM-09"],
         "items": [{"object": "Global Administrator", "role": GA, "action": "Require approval (2 approvers), max 4 h, expiry on active assignments"},
                   {"object": "Security Administrator", "role": "Security Administrator", "action": "Require expiry on active assignments"},
                   {"object": "Exchange Administrator", "role": "Exchange Administrator", "action": "Require expiry on active assignments"}]},
        {"order": 5, "title": "Turn on assignment and activation alerts", "detail": "Add the security team's mailbox as an additional recipient.", "checks": ["PIM-10", "PIM-11", "PIM-12"], "items": []},
        {"order": 6, "title": "Schedule access reviews", "detail": "A monthly review of Global Administrator and the other highly privileged roles.", "checks": ["PIM-13"], "items": []},
        {"order": 7, "title": "Require phishing-resistant MFA for admins", "detail": "Roll out FIDO2 keys, then enforce the phishing-resistant authentication strength for admin roles.", "checks": ["CA-02", "CA-03"], "items": []},
    ],
    "gaps": [
        {"dataset": "sign_in_activity", "reason": "permission_denied", "detail": "Graph answered 403 Authorization_RequestDenied for signInActivity.", "missing_scope": "AuditLog.Read.All"},
        {"dataset": "conditional_access_policies", "reason": "error", "detail": "HTTP 503 after 4 retries on the second page of policies."},
    ],
    "collection": {"requests": 38, "duration_ms": 11840, "graph_host": "graph.microsoft.com",
                   "scopes": ["Directory.Read.All", "RoleManagement.Read.Directory", "Policy.Read.All", "AccessReview.Read.All"],
                   "datasets": ["organization", "subscribed_skus", "role_definitions", "role_assignments", "role_assignment_schedule_instances",
                                "role_eligibility_schedule_instances", "role_management_policies", "privileged_principals", "privileged_groups", "access_reviews"]},
}
out = os.path.join(os.path.dirname(__file__), "..", "src-tauri", "dev-fixtures", "demo-assessment.json")
with open(out, "w") as f:
    json.dump(assessment, f, indent=2, ensure_ascii=False); f.write("\n")
print(out, len(checks), "checks", pct, grade, cov)
