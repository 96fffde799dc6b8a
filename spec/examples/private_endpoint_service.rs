//! The v2 private endpoint workflow for AWS, Azure or GCP, with the generated waiters:
//! create an endpoint service → wait until it is ready → connect the private endpoint you
//! created in your cloud account → wait until it is available → remove it → wait until it is
//! gone → delete the service → wait until it is gone.
//!
//! ```sh
//! ATLAS_PUBLIC_KEY=... ATLAS_PRIVATE_KEY=... ATLAS_GROUP_ID=... \
//!     cargo run -p atlas-admin --example private_endpoint_service -- \
//!     --provider aws --endpoint vpce-0b9c5701325cb15dd
//! # Azure: --provider azure --endpoint /subscriptions/…/privateEndpoints/<name> --ip 10.0.0.4
//! # GCP:   --provider gcp --endpoint <group-name> --gcp-project <project-id> --ip 10.0.0.4
//! ```
//!
//! `--region` picks the region (default `us-east-1`, `US_EAST_2` or `us-central1` by
//! provider). `ATLAS_BASE_URL` overrides the Atlas URL (e.g. `atlas-test-server`), and
//! `ATLAS_POLL_INTERVAL_MS` a fixed pause between polls (default: the spec's). Exits with
//! code 1 and a readable message on any error.

use std::process::ExitCode;
use std::time::Duration;

use atlas_admin::types::{
    CloudProvider, CloudProviderEndpointServiceRequest, CreateAwsEndpointRequest,
    CreateAzureEndpointRequest, CreateEndpointRequest, CreateGcpEndpointGroupRequest,
    CreateGcpForwardingRuleRequest,
};
use atlas_admin::{Client, Error};

const USAGE: &str = "usage: private_endpoint_service --provider aws|azure|gcp --endpoint ID \
    [--ip ADDRESS] [--gcp-project ID] [--region REGION]";

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

/// The command line.
struct Args {
    provider: CloudProvider,
    endpoint: String,
    ip: Option<String>,
    gcp_project: Option<String>,
    region: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut provider = None;
    let mut endpoint = None;
    let mut ip = None;
    let mut gcp_project = None;
    let mut region = None;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let slot = match flag.as_str() {
            "--provider" => &mut provider,
            "--endpoint" => &mut endpoint,
            "--ip" => &mut ip,
            "--gcp-project" => &mut gcp_project,
            "--region" => &mut region,
            other => return Err(format!("unexpected argument `{other}`; {USAGE}")),
        };
        *slot = Some(args.next().ok_or_else(|| format!("{flag} needs a value"))?);
    }
    let provider = match provider.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("aws") => CloudProvider::Aws,
        Some("azure") => CloudProvider::Azure,
        Some("gcp") => CloudProvider::Gcp,
        Some(other) => return Err(format!("unknown provider `{other}`; {USAGE}")),
        None => return Err(USAGE.to_owned()),
    };
    Ok(Args {
        provider,
        endpoint: endpoint.ok_or(USAGE)?,
        ip,
        gcp_project,
        region,
    })
}

/// The body that connects `args.endpoint`, in the provider's shape.
fn endpoint_request(args: &Args) -> Result<CreateEndpointRequest, String> {
    let ip = || {
        args.ip
            .clone()
            .ok_or_else(|| format!("--ip is required for {}", args.provider))
    };
    Ok(match args.provider {
        CloudProvider::Azure => CreateEndpointRequest::Azure(CreateAzureEndpointRequest::new(
            args.endpoint.clone(),
            ip()?,
        )),
        CloudProvider::Gcp => {
            let project = args
                .gcp_project
                .clone()
                .ok_or("--gcp-project is required for GCP")?;
            let rule = CreateGcpForwardingRuleRequest::new()
                .with_endpoint_name(format!("{}-0", args.endpoint))
                .with_ip_address(ip()?);
            CreateEndpointRequest::Gcp(
                CreateGcpEndpointGroupRequest::new(args.endpoint.clone(), project)
                    .with_endpoints(vec![rule]),
            )
        }
        _ => CreateEndpointRequest::Aws(CreateAwsEndpointRequest::new(args.endpoint.clone())),
    })
}

async fn run() -> Result<(), String> {
    let args = parse_args()?;
    let provider = args.provider.clone();
    let region = args.region.clone().unwrap_or_else(|| {
        match provider {
            CloudProvider::Azure => "US_EAST_2",
            CloudProvider::Gcp => "us-central1",
            _ => "us-east-1",
        }
        .to_owned()
    });
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
    let body = endpoint_request(&args)?;

    let request = CloudProviderEndpointServiceRequest::new(provider.clone(), region);
    let service = client
        .create_private_endpoint_service(&group_id, request)
        .await
        .map_err(fail("create the endpoint service"))?;
    let service_id = service
        .id()
        .ok_or("Atlas answered without a service id")?
        .to_owned();
    println!(
        "created {provider} endpoint service {service_id} ({})",
        state(service.status())
    );

    let mut ready =
        client.wait_until_private_endpoint_service_ready(&group_id, provider.clone(), &service_id);
    if let Some(interval) = interval {
        ready = ready.interval(interval).max_interval(interval);
    }
    let service = ready.await.map_err(fail("wait for the endpoint service"))?;
    println!("endpoint service ready ({})", state(service.status()));

    client
        .create_private_endpoint_service_endpoint(&group_id, provider.clone(), &service_id, body)
        .await
        .map_err(fail("connect the private endpoint"))?;
    println!("connected private endpoint {}", args.endpoint);

    let mut available = client.wait_until_private_endpoint_service_endpoint_available(
        &group_id,
        provider.clone(),
        &service_id,
        &args.endpoint,
    );
    if let Some(interval) = interval {
        available = available.interval(interval).max_interval(interval);
    }
    available
        .await
        .map_err(fail("wait for the private endpoint"))?;
    println!("private endpoint AVAILABLE");

    client
        .delete_private_endpoint_service_endpoint(
            &group_id,
            provider.clone(),
            &service_id,
            &args.endpoint,
        )
        .await
        .map_err(fail("remove the private endpoint"))?;
    let mut removed = client.wait_until_private_endpoint_service_endpoint_deleted(
        &group_id,
        provider.clone(),
        &service_id,
        &args.endpoint,
    );
    if let Some(interval) = interval {
        removed = removed.interval(interval).max_interval(interval);
    }
    removed
        .await
        .map_err(fail("wait for the private endpoint removal"))?;
    println!("private endpoint removed");

    // Removing the last endpoint of a service removes the service too: a 404 here is fine.
    match client
        .delete_private_endpoint_service(&group_id, provider.clone(), &service_id)
        .await
    {
        Ok(()) => {}
        Err(error) if error.status() == Some(404) => {}
        Err(error) => return Err(fail("delete the endpoint service")(error)),
    }
    let mut deleted =
        client.wait_until_private_endpoint_service_deleted(&group_id, provider, &service_id);
    if let Some(interval) = interval {
        deleted = deleted.interval(interval).max_interval(interval);
    }
    deleted
        .await
        .map_err(fail("wait for the endpoint service deletion"))?;
    println!("endpoint service deleted");
    Ok(())
}

/// A status for display: the value, or `unknown` for a provider this crate does not know.
fn state(status: Option<&atlas_admin::types::EndpointServiceStatus>) -> String {
    status.map_or_else(|| "unknown".to_owned(), ToString::to_string)
}

/// Turns an error into a message naming the step that failed.
fn fail(step: &'static str) -> impl Fn(Error) -> String {
    move |error| format!("{step}: {error}")
}

fn required_env(name: &str) -> Result<String, String> {
    std::env::var(name).map_err(|_| format!("set {name}"))
}
