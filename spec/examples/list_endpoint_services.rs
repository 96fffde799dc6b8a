//! Lists a project's private endpoint services for AWS, Azure and GCP, authenticating with a
//! Service Account when `ATLAS_CLIENT_ID` is set, else with an API key pair, and says which
//! it used.
//!
//! ```sh
//! ATLAS_CLIENT_ID=mdb_sa_id_... ATLAS_CLIENT_SECRET=mdb_sa_sk_... ATLAS_GROUP_ID=... \
//!     cargo run -p atlas-admin --example list_endpoint_services
//! # or: ATLAS_PUBLIC_KEY=... ATLAS_PRIVATE_KEY=... ATLAS_GROUP_ID=... cargo run ...
//! ```
//!
//! A Service Account's token is revoked before the program exits (tokens live one hour, and
//! Atlas limits how many a service account may hold). `ATLAS_BASE_URL` overrides the Atlas URL
//! (e.g. `atlas-test-server`). Exits with code 1 and a readable message on any error.

use std::process::ExitCode;

use atlas_admin::types::{CloudProvider, EndpointService};
use atlas_admin::{Client, Error};

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

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

fn required_env(name: &str) -> Result<String, String> {
    env(name).ok_or_else(|| format!("set {name}"))
}

async fn run() -> Result<(), String> {
    let group_id = required_env("ATLAS_GROUP_ID")?;
    let mut builder = Client::builder();
    let service_account = env("ATLAS_CLIENT_ID");
    let used = if let Some(client_id) = &service_account {
        builder = builder.service_account(client_id, required_env("ATLAS_CLIENT_SECRET")?);
        format!("the service account {client_id}")
    } else if let Some(public_key) = env("ATLAS_PUBLIC_KEY") {
        builder = builder.digest_auth(&public_key, required_env("ATLAS_PRIVATE_KEY")?);
        format!("the API key {public_key}")
    } else {
        return Err("set ATLAS_CLIENT_ID and ATLAS_CLIENT_SECRET (a service account), or ATLAS_PUBLIC_KEY and ATLAS_PRIVATE_KEY (an API key)".to_owned());
    };
    if let Some(base_url) = env("ATLAS_BASE_URL") {
        builder = builder.base_url(base_url);
    }
    let client = builder.build().map_err(|error| error.to_string())?;
    println!("authenticating with {used}");

    let listed = list(&client, &group_id).await;
    if service_account.is_some() {
        // Revoke even when listing failed; report the listing's error first.
        let revoked = client.revoke_token().await;
        listed.map_err(describe)?;
        revoked.map_err(describe)?;
        println!("revoked the service account's token");
    } else {
        listed.map_err(describe)?;
    }
    Ok(())
}

async fn list(client: &Client, group_id: &str) -> Result<(), Error> {
    for provider in [CloudProvider::Aws, CloudProvider::Azure, CloudProvider::Gcp] {
        let services = client
            .list_private_endpoint_services(group_id, provider.clone())
            .await?;
        println!("{provider}: {} endpoint service(s)", services.len());
        for service in &services {
            let id = service.id().unwrap_or("?");
            let status = service
                .status()
                .map_or_else(|| "?".to_owned(), ToString::to_string);
            let region = match service {
                EndpointService::Aws(aws) => aws.region_name.as_deref(),
                EndpointService::Azure(azure) => azure.region_name.as_deref(),
                EndpointService::Gcp(gcp) => gcp.region_name.as_deref(),
                _ => None,
            };
            let region = region.unwrap_or("?");
            println!("  {id} {status} {region}");
        }
    }
    Ok(())
}

fn describe(error: Error) -> String {
    match error.as_oauth_error() {
        Some(oauth) if oauth.error.as_deref() == Some("invalid_client") => {
            format!("the service account's id or secret was refused: {error}")
        }
        _ => error.to_string(),
    }
}
