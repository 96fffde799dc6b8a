//! The programs a newcomer runs: the `create_private_endpoint` example of the generated crate
//! and the `atlas-test-server` binary, driven as processes.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use atlas_admin::Client;
use atlas_admin::types::{CreatePrivateEndpointRequest, ProviderName, Region};
use atlas_test_server::{TEST_GROUP_ID, TEST_PRIVATE_KEY, TEST_PUBLIC_KEY, TestServer};

/// Builds (if needed) and locates an example of the generated crate.
fn example_binary(name: &str) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .args(["build", "--quiet", "-p", "atlas-admin", "--example", name])
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building example {name} failed");
    // This test runs from target/<profile>/deps/; examples live in target/<profile>/examples/.
    let exe = std::env::current_exe().expect("test executable path");
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>");
    profile_dir
        .join("examples")
        .join(format!("{name}{}", std::env::consts::EXE_SUFFIX))
}

async fn run_example(envs: Vec<(&'static str, String)>, args: Vec<&'static str>) -> Output {
    run_named_example("create_private_endpoint", envs, args).await
}

async fn run_named_example(
    name: &'static str,
    envs: Vec<(&'static str, String)>,
    args: Vec<&'static str>,
) -> Output {
    let binary = example_binary(name);
    tokio::task::spawn_blocking(move || {
        Command::new(binary)
            .env_remove("ATLAS_BASE_URL")
            .env_remove("ATLAS_CLIENT_ID")
            .env_remove("ATLAS_CLIENT_SECRET")
            .env_remove("ATLAS_PUBLIC_KEY")
            .env_remove("ATLAS_PRIVATE_KEY")
            .envs(envs)
            .args(args)
            .output()
            .expect("example runs")
    })
    .await
    .expect("joined")
}

fn env_for(server: &TestServer, private_key: &str) -> Vec<(&'static str, String)> {
    vec![
        ("ATLAS_PUBLIC_KEY", TEST_PUBLIC_KEY.to_owned()),
        ("ATLAS_PRIVATE_KEY", private_key.to_owned()),
        ("ATLAS_GROUP_ID", TEST_GROUP_ID.to_owned()),
        ("ATLAS_BASE_URL", server.base_url()),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn the_example_creates_and_prints_a_connection() {
    let server = TestServer::start().await;
    let output = run_example(env_for(&server, TEST_PRIVATE_KEY), vec!["eu-west-1"]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let printed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("prints JSON");
    assert_eq!(printed["status"], "INITIATING");
    assert_eq!(printed["endpointServiceName"], serde_json::Value::Null);
    let created = server.connections(TEST_GROUP_ID);
    assert_eq!(created.len(), 1);
    assert_eq!(created[0]["id"], printed["id"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_example_explains_failures_and_exits_1() {
    let server = TestServer::start().await;

    let output = run_example(env_for(&server, "wrong-private-key"), vec!["us-east-1"]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr.contains("Atlas refused the API key (HTTP 401)"),
        "{stderr}"
    );
    assert!(!stderr.contains("wrong-private-key"), "{stderr}");

    let output = run_example(env_for(&server, TEST_PRIVATE_KEY), vec![]).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("usage: create_private_endpoint <REGION>")
    );

    let output = run_example(
        vec![("ATLAS_BASE_URL", server.base_url())],
        vec!["us-east-1"],
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("set ATLAS_PUBLIC_KEY"));

    let mut bad_group = env_for(&server, TEST_PRIVATE_KEY);
    bad_group[2].1 = "not-a-group".to_owned();
    let output = run_example(bad_group, vec!["us-east-1"]).await;
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("invalid argument `group_id`"));
    assert!(server.connections(TEST_GROUP_ID).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_lifecycle_example_runs_the_whole_workflow() {
    let server = TestServer::start().await;
    let mut envs = env_for(&server, TEST_PRIVATE_KEY);
    envs.push(("ATLAS_POLL_INTERVAL_MS", "10".to_owned()));
    let output = run_named_example(
        "private_endpoint_lifecycle",
        envs,
        vec!["us-west-2", "vpce-0b9c5701325cb15dd"],
    )
    .await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let steps: Vec<&str> = stdout.lines().collect();
    assert_eq!(steps.len(), 6, "{stdout}");
    assert!(
        steps[0].starts_with("created connection ") && steps[0].ends_with("(INITIATING)"),
        "{stdout}"
    );
    assert!(steps[1].starts_with(
        "connection ready (WAITING_FOR_USER): endpoint service com.amazonaws.vpce.us-west-2."
    ));
    assert_eq!(
        steps[2],
        "added interface endpoint vpce-0b9c5701325cb15dd (PENDING_ACCEPTANCE)"
    );
    assert_eq!(
        steps[3..],
        [
            "interface endpoint AVAILABLE",
            "interface endpoint removed",
            "connection deleted"
        ]
    );
    assert!(server.connections(TEST_GROUP_ID).is_empty());

    let output = run_named_example(
        "private_endpoint_lifecycle",
        env_for(&server, TEST_PRIVATE_KEY),
        vec!["us-west-2"],
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("usage: private_endpoint_lifecycle <REGION> <VPC-ENDPOINT-ID>")
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_credentials_example_uses_a_service_account_or_the_digest_keys_and_says_which() {
    use atlas_admin::types::{CloudProvider, CloudProviderEndpointServiceRequest};
    use atlas_test_server::{TEST_CLIENT_ID, TEST_CLIENT_SECRET};

    let server = TestServer::start().await;
    let client = Client::builder()
        .base_url(server.base_url())
        .digest_auth(TEST_PUBLIC_KEY, TEST_PRIVATE_KEY)
        .build()
        .expect("valid");
    let service = client
        .create_private_endpoint_service(
            TEST_GROUP_ID,
            CloudProviderEndpointServiceRequest::new(CloudProvider::Gcp, "CENTRAL_US"),
        )
        .await
        .expect("created");
    let id = service.id().expect("an id").to_owned();
    let common = vec![
        ("ATLAS_GROUP_ID", TEST_GROUP_ID.to_owned()),
        ("ATLAS_BASE_URL", server.base_url()),
    ];
    let service_account = [
        ("ATLAS_CLIENT_ID", TEST_CLIENT_ID.to_owned()),
        ("ATLAS_CLIENT_SECRET", TEST_CLIENT_SECRET.to_owned()),
    ];
    let output = run_named_example(
        "list_endpoint_services",
        common.iter().cloned().chain(service_account).collect(),
        vec![],
    )
    .await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert!(
        stdout.starts_with(&format!(
            "authenticating with the service account {TEST_CLIENT_ID}\n"
        )),
        "{stdout}"
    );
    assert!(stdout.contains("AWS: 0 endpoint service(s)"), "{stdout}");
    assert!(stdout.contains("GCP: 1 endpoint service(s)"), "{stdout}");
    assert!(
        stdout.contains(&format!("  {id} INITIATING CENTRAL_US")),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("revoked the service account's token\n"),
        "{stdout}"
    );
    assert_eq!((server.tokens_issued(), server.revocations()), (1, 1));

    let digest = [
        ("ATLAS_PUBLIC_KEY", TEST_PUBLIC_KEY.to_owned()),
        ("ATLAS_PRIVATE_KEY", TEST_PRIVATE_KEY.to_owned()),
    ];
    let output = run_named_example(
        "list_endpoint_services",
        common.iter().cloned().chain(digest).collect(),
        vec![],
    )
    .await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert!(
        stdout.starts_with(&format!(
            "authenticating with the API key {TEST_PUBLIC_KEY}\n"
        )),
        "{stdout}"
    );
    assert_eq!(server.tokens_issued(), 1, "Digest needs no token");

    let wrong = [
        ("ATLAS_CLIENT_ID", TEST_CLIENT_ID.to_owned()),
        ("ATLAS_CLIENT_SECRET", "mdb_sa_sk_wrong".to_owned()),
    ];
    let output = run_named_example(
        "list_endpoint_services",
        common.iter().cloned().chain(wrong).collect(),
        vec![],
    )
    .await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr.contains("the service account's id or secret was refused")
            && stderr.contains("invalid_client"),
        "{stderr}"
    );
    assert!(!stderr.contains("mdb_sa_sk_wrong"), "{stderr}");

    let output = run_named_example("list_endpoint_services", common.clone(), vec![]).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr.contains("set ATLAS_CLIENT_ID and ATLAS_CLIENT_SECRET"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_service_example_runs_the_v2_workflow_for_every_provider() {
    let server = TestServer::start().await;
    let azure_endpoint = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe1";
    let runs: [(&str, Vec<&'static str>, &str); 3] = [
        (
            "AWS",
            vec!["--provider", "aws", "--endpoint", "vpce-0b9c5701325cb15dd"],
            "WAITING_FOR_USER",
        ),
        (
            "AZURE",
            vec![
                "--provider",
                "azure",
                "--endpoint",
                azure_endpoint,
                "--ip",
                "10.0.0.4",
            ],
            "AVAILABLE",
        ),
        (
            "GCP",
            vec![
                "--provider",
                "gcp",
                "--endpoint",
                "group-1",
                "--gcp-project",
                "p-dkfgoioogdksjei",
                "--ip",
                "10.0.0.4",
            ],
            "AVAILABLE",
        ),
    ];
    for (provider, args, ready) in runs {
        let endpoint = args[3];
        let mut envs = env_for(&server, TEST_PRIVATE_KEY);
        envs.push(("ATLAS_POLL_INTERVAL_MS", "10".to_owned()));
        let output = run_named_example("private_endpoint_service", envs, args).await;
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{provider}: {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let steps: Vec<&str> = stdout.lines().collect();
        assert_eq!(steps.len(), 6, "{stdout}");
        assert!(
            steps[0].starts_with(&format!("created {provider} endpoint service "))
                && steps[0].ends_with("(INITIATING)"),
            "{stdout}"
        );
        assert_eq!(steps[1], format!("endpoint service ready ({ready})"));
        assert_eq!(steps[2], format!("connected private endpoint {endpoint}"));
        assert_eq!(
            steps[3..],
            [
                "private endpoint AVAILABLE",
                "private endpoint removed",
                "endpoint service deleted"
            ]
        );
        assert!(
            server.endpoint_services(TEST_GROUP_ID, provider).is_empty(),
            "{provider}"
        );
    }

    let output = run_named_example(
        "private_endpoint_service",
        env_for(&server, TEST_PRIVATE_KEY),
        vec!["--provider", "oracle", "--endpoint", "x"],
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown provider `oracle`"), "{stderr}");
    let output = run_named_example(
        "private_endpoint_service",
        env_for(&server, TEST_PRIVATE_KEY),
        vec!["--provider", "azure", "--endpoint", azure_endpoint],
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--ip is required for AZURE"), "{stderr}");
}

/// Kills the server process even when an assertion fails.
struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_test_server_binary_serves_the_generated_client() {
    let child = Command::new(env!("CARGO_BIN_EXE_atlas-test-server"))
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("server starts");
    let mut child = Killed(child);
    let stdout = child.0.stdout.take().expect("piped stdout");
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("reads the banner");
        line
    })
    .await
    .expect("joined");
    assert!(
        line.starts_with("atlas-test-server listening on http://127.0.0.1:"),
        "{line}"
    );
    let base_url = line
        .split_whitespace()
        .find(|word| word.starts_with("http://"))
        .expect("banner names the URL");
    assert!(
        line.contains(TEST_PUBLIC_KEY)
            && line.contains(TEST_PRIVATE_KEY)
            && line.contains(TEST_GROUP_ID)
    );

    let client = Client::builder()
        .base_url(base_url)
        .digest_auth(TEST_PUBLIC_KEY, TEST_PRIVATE_KEY)
        .build()
        .expect("valid configuration");
    let endpoint = client
        .create_private_endpoint(
            TEST_GROUP_ID,
            CreatePrivateEndpointRequest::new(ProviderName::Aws, Region::ApEast1),
        )
        .await
        .expect("created through the binary");
    assert_eq!(endpoint.status.as_str(), "INITIATING");
}
