//! `tenant-emulator --fixture NAME|FILE [--port N] [--latency-ms N]`: serves a fixture
//! tenant as a Graph look-alike until Ctrl-C.

use std::time::Duration;

use clap::Parser;
use pimready_tests::Fixture;

#[derive(Parser)]
#[command(
    name = "tenant-emulator",
    about = "Serves a fixture tenant as a local Microsoft Graph look-alike"
)]
struct Args {
    /// A fixture name (contoso-e5, fabrikam-bp, northwind-p2, large, large-100) or a JSON file.
    #[arg(long)]
    fixture: String,
    /// Port for the Graph listener (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Delay before every answer, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let fixture = match Fixture::load(&args.fixture) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let emulator = match pimready_tests::start_with_sign_in(
        fixture,
        Duration::from_millis(args.latency_ms),
        args.port,
    )
    .await
    {
        Ok((e, _oauth)) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(1);
        }
    };
    println!("base_url  {}", emulator.base_url());
    println!("token     {}", emulator.token());
    println!("tenant_id {}", emulator.tenant_id());
    println!("now       {}", emulator.now());
    println!();
    println!(
        "try: pimready collect --tenant {} --device-code --authority-host {} --graph-host {} --snapshot-out snapshot.json",
        emulator.tenant_id(),
        emulator.base_url(),
        emulator.base_url()
    );
    println!(
        " or: PIMREADY_GRAPH_HOST={} PIMREADY_ACCESS_TOKEN={} pimready collect --tenant {} --snapshot-out snapshot.json",
        emulator.base_url(),
        emulator.token(),
        emulator.tenant_id()
    );
    let _ = tokio::signal::ctrl_c().await;
    std::process::ExitCode::SUCCESS
}
