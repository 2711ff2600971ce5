//! The remediation pack's scripts: a change-set rendered as Microsoft Graph PowerShell.
//!
//! `remediate` sends each applicable change's requests with `Invoke-MgGraphRequest`, the
//! bodies copied from the change-set as single-quoted here-strings (nothing interpolated).
//! It runs as `-WhatIf` unless `-Apply` is given, asks before each change
//! (`ConfirmImpact = 'High'`) unless `-Confirm:$false`, stops at the first error, refuses a
//! sign-in to another tenant, and records what it applied (with the ids Graph gave new
//! objects) in `…-applied.json` beside itself. `rollback` reads that record and sends the
//! undo requests of what was applied, newest first. Changes that are unticked or whose
//! preconditions are unmet are comments only.
//!
//! Pure: the same change-set gives the same bytes. Tenant text (names, titles) reaches the
//! script only inside single-quoted strings (every PowerShell single-quote character
//! doubled) or comments (line breaks removed), and bodies are ASCII JSON, so no name can
//! end a string, a comment or a here-string.

use std::fmt::Write as _;

use pimready_core::remediation::{CREATED_ID, Change, ChangeSet, GraphCall};
use serde_json::Value;

/// The Graph version every change-set path lives under.
const VERSION: &str = "v1.0";

/// `remediate.ps1` for `change_set`.
pub fn remediate(change_set: &ChangeSet) -> String {
    let applicable: Vec<&Change> = change_set.apply_order(None);
    let mut s = preamble(change_set, Script::Remediate);
    s.push_str("\n# ----- Changes that are not applied (comments only) -----\n");
    let mut skipped = 0;
    for c in change_set.changes.iter().filter(|c| !c.applicable()) {
        skipped += 1;
        let _ = writeln!(s, "#\n# {}: {}", comment(&c.id), comment(&c.title));
        if !c.selected {
            s.push_str("#   not selected\n");
        }
        for p in c.unmet() {
            let _ = writeln!(
                s,
                "#   unmet precondition {}: {}",
                p.id,
                comment(&p.description)
            );
        }
        for r in &c.requests {
            let _ = writeln!(
                s,
                "#   would send {} {}",
                r.method.as_str(),
                comment(&r.path)
            );
        }
    }
    if skipped == 0 {
        s.push_str("# (none)\n");
    }
    for g in &change_set.guidance {
        let _ = writeln!(
            s,
            "#\n# Guidance, not a change: {} ({}): {}",
            comment(&g.target.name),
            comment(g.target.role.as_deref().unwrap_or("")),
            comment(&g.advice)
        );
    }

    s.push_str("\n# ----- The changes, in dependency order -----\n$Changes = @(\n");
    for c in &applicable {
        let _ = writeln!(s, "    [pscustomobject]@{{");
        let _ = writeln!(s, "        Id = {}", quote(&c.id));
        let _ = writeln!(s, "        Title = {}", quote(&c.title));
        let _ = writeln!(s, "        Target = {}", quote(&target_label(c)));
        let _ = writeln!(
            s,
            "        Account = {}",
            quote(c.target.principal_name.as_deref().unwrap_or(""))
        );
        let _ = writeln!(s, "        # Fixes: {}", comment(&c.fixes.join(", ")));
        s.push_str("        Run = {\n            param($Created)\n");
        for r in &c.requests {
            s.push_str("            $response = ");
            invoke(&mut s, r, None);
            s.push_str("            $Created.Add((Get-PimCreatedId $response))\n");
        }
        s.push_str("        }\n    }\n");
    }
    s.push_str(")\n");
    s.push_str(REMEDIATE_BODY);
    s
}

/// `rollback.ps1` for `change_set`: undoes what `remediate` recorded as applied.
pub fn rollback(change_set: &ChangeSet) -> String {
    let mut s = preamble(change_set, Script::Rollback);
    s.push_str("\n# ----- How to undo each change (requests in reverse order) -----\n$Undo = @{\n");
    for c in change_set.apply_order(None) {
        let _ = writeln!(s, "    # {}", comment(&c.title));
        let _ = writeln!(s, "    {} = {{", quote(&c.id));
        s.push_str("        param($Created)\n");
        for (i, u) in c.undo.iter().enumerate().rev() {
            let _ = writeln!(s, "        if ($Created.Count -gt {i}) {{");
            s.push_str("            $null = ");
            invoke(&mut s, u, Some(i));
            s.push_str("        }\n");
        }
        s.push_str("    }\n");
    }
    s.push_str("}\n");
    s.push_str(ROLLBACK_BODY);
    s
}

#[derive(Clone, Copy, PartialEq)]
enum Script {
    Remediate,
    Rollback,
}

fn preamble(cs: &ChangeSet, script: Script) -> String {
    let mut s = String::from("\u{feff}");
    let domain = cs.tenant.default_domain.as_deref().unwrap_or("");
    let what = match script {
        Script::Remediate => "remediation",
        Script::Rollback => "rollback",
    };
    let _ = writeln!(
        s,
        "# PIM Ready {what} script for {} {} (tenant {}).",
        comment(&cs.tenant.display_name),
        comment(domain),
        comment(&cs.tenant.id)
    );
    let _ = writeln!(
        s,
        "# Computed by {} {} from the snapshot collected {} (change_set_version {}).",
        comment(&cs.generator.name),
        comment(&cs.generator.version),
        cs.based_on.format("%Y-%m-%dT%H:%M:%SZ"),
        cs.change_set_version
    );
    s.push_str(match script {
        Script::Remediate => REMEDIATE_HELP,
        Script::Rollback => ROLLBACK_HELP,
    });
    s.push_str(
        "[CmdletBinding(SupportsShouldProcess, ConfirmImpact = 'High')]\nparam(\n    # Send the requests. Without it the script runs as -WhatIf and sends nothing.\n    [switch] $Apply,\n    # The Microsoft Graph environment: Global, USGov, USGovDoD or China.\n    [string] $Environment = 'Global',\n    # The record of applied changes (default: beside this script).\n    [string] $AppliedLog\n)\nSet-StrictMode -Version 3.0\n$ErrorActionPreference = 'Stop'\nif (-not $Apply) { $WhatIfPreference = $true }\n\n",
    );
    let _ = writeln!(s, "$TenantId = {}", quote(&cs.tenant.id));
    let scopes: Vec<String> = cs.sign_in_scopes().iter().map(|x| quote(x)).collect();
    let _ = writeln!(
        s,
        "# Only the write permissions these changes need (and the reads their routes name).\n$Scopes = @({})",
        scopes.join(", ")
    );
    s.push_str(COMMON);
    s
}

const REMEDIATE_HELP: &str = r"#
# Safe by default:
#   - Without -Apply it runs as -WhatIf: it shows each change and sends nothing (no sign-in).
#   - With -Apply it asks before each change; add -Confirm:$false to skip the questions.
#   - It stops at the first error and refuses a sign-in to any other tenant.
#   - Emergency-access accounts are not in the change-set: nothing here touches them.
#   - Unticked changes and changes with an unmet precondition are comments only.
#   - Every applied change is recorded in the -applied.json file beside this script,
#     which the rollback script reads; a change recorded there is not sent twice.
#   - The signed-in account's own conversions run last.
#
# Usage (Microsoft Graph PowerShell, module Microsoft.Graph.Authentication):
#   ./this-script.ps1                          # dry run: what would change
#   ./this-script.ps1 -Apply                   # sign in, confirm and apply each change
#   ./this-script.ps1 -Apply -Confirm:$false   # sign in and apply without questions
";

const ROLLBACK_HELP: &str = r"#
# Undoes, newest first, the changes the remediation script recorded as applied in the
# -applied.json file beside it (a change applied in part is undone in part).
# Safe by default, like the remediation script: -WhatIf unless -Apply, a question before
# each change unless -Confirm:$false, stops at the first error, refuses any other tenant.
#
# Usage:
#   ./this-script.ps1                          # dry run: what would be undone
#   ./this-script.ps1 -Apply                   # sign in, confirm and undo each change
";

/// Shared by both scripts: the record's path, sign-in and the tenant check.
const COMMON: &str = r#"
if (-not $AppliedLog) {
    $leaf = (Split-Path -Leaf $PSCommandPath) -replace '-(remediate|rollback)(-\d+)?\.ps1$', '-applied$2.json'
    $AppliedLog = Join-Path $PSScriptRoot $leaf
}

function Get-PimCreatedId($Response) {
    if ($null -ne $Response -and $Response.PSObject.Properties['id']) { return [string]$Response.id }
    return $null
}

function Get-PimRecordedId($Created, [int] $Index) {
    $id = @($Created)[$Index]
    if (-not $id) { throw "The id of the object this change created was not recorded; undo it by hand." }
    return [string]$id
}

function Read-PimAppliedLog {
    if (-not (Test-Path -LiteralPath $AppliedLog)) { return @() }
    $log = Get-Content -Raw -LiteralPath $AppliedLog | ConvertFrom-Json
    if ($log.tenant_id -ne $TenantId) { throw "$AppliedLog records changes of tenant $($log.tenant_id), not $TenantId." }
    return @($log.applied)
}

function Write-PimAppliedLog($Entries) {
    $json = ConvertTo-Json -Depth 6 -InputObject ([ordered]@{ tenant_id = $TenantId; applied = @($Entries) })
    [System.IO.File]::WriteAllText($AppliedLog, $json)
}

$Me = $null
if ($WhatIfPreference) {
    Write-Host 'Dry run (-WhatIf): nothing is sent. Run again with -Apply to sign in and apply.'
} elseif ($Scopes.Count -gt 0) {
    Import-Module Microsoft.Graph.Authentication
    Connect-MgGraph -TenantId $TenantId -Scopes $Scopes -Environment $Environment -NoWelcome
    $context = Get-MgContext
    if ($null -eq $context -or $context.TenantId -ne $TenantId) {
        throw "Signed in to tenant $($context.TenantId), but this change-set is for tenant $TenantId. Nothing was changed."
    }
    $Me = $context.Account
}
"#;

const REMEDIATE_BODY: &str = r#"
# ----- Apply -----
$isOwn = { param($c) $Me -and $c.Account -and $c.Account -eq $Me }
$ordered = @($Changes | Where-Object { -not (& $isOwn $_) }) + @($Changes | Where-Object { & $isOwn $_ })
$applied = [System.Collections.Generic.List[object]]::new()
foreach ($entry in (Read-PimAppliedLog)) { $applied.Add($entry) }
foreach ($change in $ordered) {
    if (@($applied | Where-Object { $_.id -eq $change.Id }).Count -gt 0) {
        Write-Host "Already applied (recorded in $AppliedLog): $($change.Title)"
        continue
    }
    if ($WhatIfPreference) { Write-Host "What if: $($change.Title) [$($change.Target)]"; continue }
    if (-not $PSCmdlet.ShouldProcess($change.Target, $change.Title)) { continue }
    $created = [System.Collections.Generic.List[object]]::new()
    try {
        & $change.Run $created
    } finally {
        # A change sent in part is recorded in part, so the rollback undoes what was sent.
        if ($created.Count -gt 0) {
            $applied.Add([ordered]@{ id = $change.Id; created = @($created) })
            Write-PimAppliedLog $applied
        }
    }
    Write-Host "Applied: $($change.Title)"
}
"#;

const ROLLBACK_BODY: &str = r#"
# ----- Undo, newest first -----
$applied = [System.Collections.Generic.List[object]]::new()
foreach ($entry in (Read-PimAppliedLog)) { $applied.Add($entry) }
if ($applied.Count -eq 0) { Write-Host "Nothing recorded as applied in $AppliedLog." }
for ($i = $applied.Count - 1; $i -ge 0; $i--) {
    $entry = $applied[$i]
    if (-not $Undo.ContainsKey($entry.id)) { throw "$AppliedLog names change $($entry.id), which is not in this change-set." }
    if ($WhatIfPreference) { Write-Host "What if: undo $($entry.id)"; continue }
    if (-not $PSCmdlet.ShouldProcess($TenantId, "Undo $($entry.id)")) { continue }
    & $Undo[$entry.id] @($entry.created)
    $applied.RemoveAt($i)
    Write-PimAppliedLog $applied
    Write-Host "Undone: $($entry.id)"
}
"#;

/// One `Invoke-MgGraphRequest` line (and its here-string body). `created`: in an undo, the
/// index of the request whose created object's id replaces [`CREATED_ID`] in the path.
fn invoke(s: &mut String, call: &GraphCall, created: Option<usize>) {
    let uri = format!("{VERSION}{}", call.path);
    let uri = match created {
        Some(i) if call.needs_created_id() => format!(
            "({}.Replace({}, (Get-PimRecordedId $Created {i})))",
            quote(&uri),
            quote(CREATED_ID)
        ),
        _ => quote(&uri),
    };
    let _ = write!(
        s,
        "Invoke-MgGraphRequest -Method {} -Uri {uri} -OutputType PSObject",
        call.method.as_str()
    );
    match &call.body {
        Some(body) => {
            let _ = write!(
                s,
                " -ContentType 'application/json' -Body @'\n{}\n'@\n",
                ascii_json(body)
            );
        }
        None => s.push('\n'),
    }
}

fn target_label(c: &Change) -> String {
    let name = c.target.principal_name.as_deref().unwrap_or(&c.target.name);
    match c.target.role.as_deref() {
        Some(role) if role != name => format!("{name} ({role})"),
        _ => name.to_owned(),
    }
}

/// A PowerShell single-quoted string on one line: every character PowerShell reads as a
/// single quote (`'`, `‘`, `’`, `‚`, `‛`) is doubled, which is its escape; line breaks
/// become spaces.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('\'');
    for c in comment(text).chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// Text safe inside a `#` comment: no character that ends a line.
pub fn comment(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

/// Pretty JSON with every non-ASCII character escaped: the same value, and no line of it
/// can end the here-string (its lines start with a space or a bracket).
pub fn ascii_json(value: &Value) -> String {
    let text = serde_json::to_string_pretty(value).expect("JSON values always serialise");
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                let _ = write!(out, "\\u{u:04x}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
