// Every app command: `commands::NAMES` and `build.rs` (which generates one permission per
// command) both include this list, so the two cannot drift apart.
&[
    "list_tenants",
    "sign_in",
    "sign_out",
    "run_assessment",
    "check_access",
    "cancel_assessment",
    "open_demo",
    "load_snapshot",
    "export_report",
    "show_in_folder",
    "open_reference",
    "get_settings",
    "save_settings",
    "choose_reports_folder",
    "list_history",
    "open_stored_assessment",
    "compare_assessments",
    "list_portfolio",
    "export_portfolio",
    "forget_tenant",
]
