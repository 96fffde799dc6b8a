//! Creates one private endpoint connection and prints it as JSON.
//!
//! ```sh
//! ATLAS_PUBLIC_KEY=... ATLAS_PRIVATE_KEY=... ATLAS_GROUP_ID=... \
//!     cargo run -p atlas-admin --example create_private_endpoint -- us-east-1
//! ```
//!
//! `ATLAS_BASE_URL` overrides the Atlas URL, e.g. to try it against `atlas-test-server`.
//! Exits with code 1 and a readable message on any error.

use std::process::ExitCode;

use atlas_admin::types::{CreatePrivateEndpointRequest, ProviderName, Region};
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

async fn run() -> Result<(), String> {
    let region = std::env::args()
        .nth(1)
        .ok_or("usage: create_private_endpoint <REGION>, e.g. us-east-1")?;
    let region = Region::from(region.as_str());
    if !region.is_known() {
        eprintln!("warning: `{region}` is not a region this client knows; sending it anyway");
    }
    let public_key = required_env("ATLAS_PUBLIC_KEY")?;
    let private_key = required_env("ATLAS_PRIVATE_KEY")?;
    let group_id = required_env("ATLAS_GROUP_ID")?;

    let mut builder = Client::builder().digest_auth(public_key, private_key);
    if let Ok(base_url) = std::env::var("ATLAS_BASE_URL") {
        builder = builder.base_url(base_url);
    }
    let client = builder.build().map_err(|error| error.to_string())?;

    let request = CreatePrivateEndpointRequest::new(ProviderName::Aws, region);
    let endpoint = client
        .create_private_endpoint(group_id, request)
        .await
        .map_err(describe)?;
    let json = serde_json::to_string_pretty(&endpoint).map_err(|error| error.to_string())?;
    println!("{json}");
    Ok(())
}

fn required_env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name}"))
}

/// One line a person can act on.
fn describe(error: Error) -> String {
    match error {
        Error::Api(api) if api.status == 401 => {
            format!(
                "Atlas refused the API key (HTTP 401): check ATLAS_PUBLIC_KEY and ATLAS_PRIVATE_KEY ({api})"
            )
        }
        Error::Api(api) => api.to_string(),
        other => other.to_string(),
    }
}
