//! The whole legacy AWS PrivateLink workflow, with the generated waiters:
//! create a connection → wait until it is ready → add the interface endpoint you created in
//! AWS → wait until it is available → remove it → wait until it is gone → delete the
//! connection → wait until it is gone.
//!
//! ```sh
//! ATLAS_PUBLIC_KEY=... ATLAS_PRIVATE_KEY=... ATLAS_GROUP_ID=... \
//!     cargo run -p atlas-admin --example private_endpoint_lifecycle -- us-east-1 vpce-0b9c5701325cb15dd
//! ```
//!
//! `ATLAS_BASE_URL` overrides the Atlas URL (e.g. `atlas-test-server`), and
//! `ATLAS_POLL_INTERVAL_MS` a fixed pause between polls (default: the spec's, 5 s doubling up
//! to 10 s).
//! Exits with code 1 and a readable message on any error.

use std::process::ExitCode;
use std::time::Duration;

use atlas_admin::Client;
use atlas_admin::types::{
    CreateInterfaceEndpointRequest, CreatePrivateEndpointRequest, ProviderName, Region,
};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: private_endpoint_lifecycle <REGION> <VPC-ENDPOINT-ID>, e.g. us-east-1 vpce-0b9c5701325cb15dd";
    let region = Region::from(args.next().ok_or(usage)?.as_str());
    let vpc_endpoint_id = args.next().ok_or(usage)?;
    let group_id = required_env("ATLAS_GROUP_ID")?;
    let mut builder = Client::builder().digest_auth(
        required_env("ATLAS_PUBLIC_KEY")?,
        required_env("ATLAS_PRIVATE_KEY")?,
    );
    if let Ok(base_url) = std::env::var("ATLAS_BASE_URL") {
        builder = builder.base_url(base_url);
    }
    let client = builder.build().map_err(|error| error.to_string())?;
    let interval = match std::env::var("ATLAS_POLL_INTERVAL_MS") {
        Ok(value) => Some(Duration::from_millis(value.parse().map_err(|_| {
            format!("ATLAS_POLL_INTERVAL_MS={value} is not a number of milliseconds")
        })?)),
        Err(_) => None,
    };

    let request = CreatePrivateEndpointRequest::new(ProviderName::Aws, region);
    let connection = client
        .create_private_endpoint(&group_id, request)
        .await
        .map_err(fail("create the connection"))?;
    println!(
        "created connection {} ({})",
        connection.id, connection.status
    );

    let mut ready = client.wait_until_private_endpoint_ready(&group_id, &connection.id);
    if let Some(interval) = interval {
        ready = ready.interval(interval).max_interval(interval);
    }
    let connection = ready.await.map_err(fail("wait for the connection"))?;
    println!(
        "connection ready ({}): endpoint service {}",
        connection.status,
        connection
            .endpoint_service_name
            .as_deref()
            .unwrap_or("unknown")
    );

    let request = CreateInterfaceEndpointRequest::new(vpc_endpoint_id.clone());
    let endpoint = client
        .create_interface_endpoint(&group_id, &connection.id, request)
        .await
        .map_err(fail("add the interface endpoint"))?;
    println!(
        "added interface endpoint {} ({})",
        endpoint.interface_endpoint_id, endpoint.connection_status
    );

    let mut available =
        client.wait_until_interface_endpoint_available(&group_id, &connection.id, &vpc_endpoint_id);
    if let Some(interval) = interval {
        available = available.interval(interval).max_interval(interval);
    }
    let endpoint = available
        .await
        .map_err(fail("wait for the interface endpoint"))?;
    println!("interface endpoint {}", endpoint.connection_status);

    client
        .delete_interface_endpoint(&group_id, &connection.id, &vpc_endpoint_id)
        .await
        .map_err(fail("remove the interface endpoint"))?;
    let mut removed =
        client.wait_until_interface_endpoint_deleted(&group_id, &connection.id, &vpc_endpoint_id);
    if let Some(interval) = interval {
        removed = removed.interval(interval).max_interval(interval);
    }
    removed
        .await
        .map_err(fail("wait for the interface endpoint removal"))?;
    println!("interface endpoint removed");

    client
        .delete_private_endpoint(&group_id, &connection.id)
        .await
        .map_err(fail("delete the connection"))?;
    let mut deleted = client.wait_until_private_endpoint_deleted(&group_id, &connection.id);
    if let Some(interval) = interval {
        deleted = deleted.interval(interval).max_interval(interval);
    }
    deleted
        .await
        .map_err(fail("wait for the connection deletion"))?;
    println!("connection deleted");
    Ok(())
}

/// Turns an error into a message naming the step that failed.
fn fail(step: &'static str) -> impl Fn(atlas_admin::Error) -> String {
    move |error| format!("{step}: {error}")
}

fn required_env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name}"))
}
