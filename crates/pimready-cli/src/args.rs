//! Command-line arguments. Flag names are a contract: scripts depend on them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use pimready_core::cloud::Cloud;
use pimready_graph::auth::RedirectHost;

#[derive(Debug, Parser)]
#[command(
    name = "pimready",
    version,
    about = "How far is an Entra ID tenant from just-in-time admin through PIM, and what do the licences cost?",
    long_about = None,
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Print nothing but errors.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    /// Also print diagnostic log lines on stderr (as `RUST_LOG=info` does).
    #[arg(long, short, global = true, conflicts_with = "quiet")]
    pub verbose: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Assess the built-in demo tenant (no network, no sign-in) and write its reports.
    Demo(DemoArgs),
    /// Sign in, collect, assess and write the reports for a tenant (or a batch of tenants).
    Assess(AssessArgs),
    /// Sign in and collect a tenant snapshot into a file, for offline assessment.
    Collect(CollectArgs),
    /// Assess a saved snapshot file and write the reports.
    Report(ReportArgs),
    /// List saved tenant profiles.
    Tenants,
    /// Remove cached sign-ins.
    Signout(SignoutArgs),
    /// List stored assessments.
    History(HistoryArgs),
    /// Compare two stored assessments of one tenant.
    Diff(DiffArgs),
    /// Delete a tenant's stored assessments and cached sign-in.
    Forget(ForgetArgs),
    /// Print the check catalog.
    Checks,
    /// Turn the findings into a reviewed change-set with a remediation script and a
    /// rollback script (nothing is sent to the tenant).
    Remediate(RemediateArgs),
    /// Apply a change-set to its tenant (the only command that writes), or undo the changes
    /// a journal records (--rollback). Exit 6 when a change fails.
    Apply(ApplyArgs),
    /// Sign in and read each dataset once: what is readable, which permission or
    /// directory role is missing, and what to ask the tenant's admin (exit 4 if one is).
    Preflight(PreflightArgs),
}

#[derive(Debug, Args, Clone)]
pub struct ConnectionArgs {
    /// Tenant: a verified domain (contoso.com, contoso.onmicrosoft.com) or the tenant id.
    #[arg(long)]
    pub tenant: Option<String>,
    /// Microsoft cloud.
    #[arg(long, default_value_t = Cloud::Global, value_parser = cloud_parser())]
    pub cloud: Cloud,
    /// Override the sign-in authority host (private endpoints, the tenant emulator).
    #[arg(long, env = "PIMREADY_AUTHORITY_HOST")]
    pub authority_host: Option<String>,
    /// Override the Microsoft Graph host (private endpoints, the tenant emulator).
    #[arg(long, env = "PIMREADY_GRAPH_HOST")]
    pub graph_host: Option<String>,
    /// Override the Azure Resource Manager host (the tenant emulator, a national cloud's own).
    #[arg(long, env = "PIMREADY_ARM_HOST")]
    pub arm_host: Option<String>,
    /// Application (client) id to sign in with; see the README for registering your own.
    #[arg(long)]
    pub client_id: Option<String>,
    /// Sign in with a device code instead of opening a browser.
    #[arg(long)]
    pub device_code: bool,
    /// Host of the browser sign-in's redirect URI: `localhost` (what the default client
    /// registers), or `127.0.0.1` for your own app registration that lists http://127.0.0.1.
    #[arg(long, value_name = "localhost|127.0.0.1", default_value = "localhost", value_parser = parse_redirect_host)]
    pub redirect_host: RedirectHost,
    /// Skip the second sign-in, to Azure Resource Manager (Azure CLI's client, or yours
    /// with --client-id): Azure resource roles are then reported as not assessed.
    #[arg(long)]
    pub no_azure: bool,
}

fn parse_redirect_host(s: &str) -> Result<RedirectHost, String> {
    s.parse()
}

/// `--cloud`: the clouds' wire names, listed by `--help` as possible values.
fn cloud_parser() -> impl clap::builder::TypedValueParser<Value = Cloud> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(Cloud::ALL.map(Cloud::as_str))
        .map(|name| name.parse::<Cloud>().expect("a listed cloud name parses"))
}

#[derive(Debug, Args, Clone)]
pub struct EvaluationArgs {
    /// Designate an emergency-access (break-glass) account by UPN or object id
    /// (case-insensitive); repeat for each. Only designated accounts are exempted.
    #[arg(long = "emergency-account", value_name = "UPN|OBJECT-ID")]
    pub emergency_accounts: Vec<String>,
    /// Treat another role (template id or name) as highly privileged; repeatable.
    #[arg(long = "privileged-role", value_name = "ROLE")]
    pub privileged_roles: Vec<String>,
    /// Days without sign-in after which a privileged account is stale.
    #[arg(long, value_name = "DAYS")]
    pub stale_days: Option<u32>,
    /// A price book (TOML) replacing the built-in list prices.
    #[arg(long, value_name = "FILE")]
    pub price_book: Option<PathBuf>,
}

#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Folder for the reports.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out: PathBuf,
    /// Formats to write, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "pdf,json,csv")]
    pub format: Vec<FormatArg>,
    /// White-label settings (TOML: consultant_name, logo, client_display_name, confidentiality).
    #[arg(long, value_name = "FILE")]
    pub brand: Option<PathBuf>,
    /// Mask user names and UPNs in the reports (for reports that travel).
    #[arg(long)]
    pub mask_names: bool,
    /// Paper size of the PDF.
    #[arg(long, value_enum, default_value_t = PaperArg::A4)]
    pub paper: PaperArg,
    /// Do not store this assessment in the history.
    #[arg(long)]
    pub no_save: bool,
    /// Replace existing files of the same name (else a report is written as `name-2.pdf`, …).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Pdf,
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PaperArg {
    A4,
    Letter,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub evaluation: EvaluationArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Also write the demo tenant's snapshot JSON here.
    #[arg(long, value_name = "FILE")]
    pub snapshot_out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AssessArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// A file of tenants, one per line: `tenant [cloud] [client-id]`; `#` starts a comment. Hosts come from the command line only.
    #[arg(long, value_name = "FILE", conflicts_with = "tenant")]
    pub tenants: Option<PathBuf>,
    #[command(flatten)]
    pub evaluation: EvaluationArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Also write the collected snapshot JSON here.
    #[arg(long, value_name = "FILE")]
    pub snapshot_out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// Where to write the snapshot JSON.
    #[arg(long, value_name = "FILE")]
    pub snapshot_out: PathBuf,
    /// Replace an existing file (else the snapshot is written as `name-2.json`, …).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct PreflightArgs {
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A snapshot written by `pimready collect` (or `--snapshot-out`).
    #[arg(long, value_name = "FILE")]
    pub snapshot: PathBuf,
    #[command(flatten)]
    pub evaluation: EvaluationArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("source").required(true).args(["snapshot", "demo"]))]
pub struct RemediateArgs {
    /// A snapshot written by `pimready collect` (or `--snapshot-out`).
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Use the built-in demo tenant.
    #[arg(long)]
    pub demo: bool,
    /// Folder for the change-set and its scripts.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Approver of Global Administrator and Privileged Role Administrator activations
    /// (UPN or object id of a user in the snapshot); repeatable.
    #[arg(long = "approver", value_name = "UPN")]
    pub approvers: Vec<String>,
    /// Reviewer of the access review (UPN or object id); repeatable. Default: the approvers.
    #[arg(long = "reviewer", value_name = "UPN")]
    pub reviewers: Vec<String>,
    /// Email address notified of assignments and activations; repeatable.
    #[arg(long = "notify", value_name = "ADDRESS")]
    pub notify: Vec<String>,
    #[command(flatten)]
    pub evaluation: EvaluationArgs,
    /// Replace existing files (else the pack is written as `name-2.json`, …).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// The change-set `pimready remediate` wrote (…-changes.json).
    #[arg(value_name = "CHANGES.json", required_unless_present = "rollback")]
    pub changes: Option<PathBuf>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// The tenant's id or default domain, given in advance instead of typed (for scripts).
    #[arg(long, value_name = "TENANT")]
    pub confirm: Option<String>,
    /// Undo every change this journal (…-journal.json) records as applied, newest first.
    #[arg(long, value_name = "JOURNAL", conflicts_with = "changes")]
    pub rollback: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SignoutArgs {
    /// The tenant to sign out of.
    #[arg(long, required_unless_present = "all")]
    pub tenant: Option<String>,
    /// Sign out of every tenant.
    #[arg(long, conflicts_with = "tenant")]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Only this tenant (id, domain or name).
    #[arg(long)]
    pub tenant: Option<String>,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The earlier assessment id.
    pub old: i64,
    /// The later assessment id.
    pub new: i64,
}

#[derive(Debug, Args)]
pub struct ForgetArgs {
    /// The tenant to forget (id, domain or name).
    #[arg(long)]
    pub tenant: String,
}
