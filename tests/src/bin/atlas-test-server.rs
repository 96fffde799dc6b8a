//! `atlas-test-server`: runs the Atlas-like test server until Ctrl-C.
//!
//! ```text
//! atlas-test-server [--port N]
//! ```
//!
//! The port comes from `--port N` (or `--port=N`), else the `ATLAS_TEST_SERVER_PORT`
//! environment variable, else 0 (a random free port). The server binds `127.0.0.1` with the
//! default configuration and prints one line with its root URL (the v1.0 operations are under
//! `/api/atlas/v1.0`, the v2 ones under `/api/atlas/v2`), the test keys and the test
//! Service Account credentials (token endpoint `/api/oauth/token`).

use atlas_test_server::{
    OAUTH_TOKEN_PATH, ServerConfig, TEST_CLIENT_ID, TEST_CLIENT_SECRET, TEST_GROUP_ID,
    TEST_PRIVATE_KEY, TEST_PUBLIC_KEY, TestServer, V1_PATH, V2_PATH,
};
use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

const USAGE: &str =
    "usage: atlas-test-server [--port N]  (or ATLAS_TEST_SERVER_PORT=N; default 0 = random)";

/// The port to listen on, from the arguments or the environment.
fn port_from(args: &[String], env: Option<String>) -> Result<u16, String> {
    let mut port: Option<String> = None;
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--port" {
            port = Some(iter.next().ok_or("--port needs a value")?.clone());
        } else if let Some(value) = arg.strip_prefix("--port=") {
            port = Some(value.to_owned());
        } else if arg == "-h" || arg == "--help" {
            return Err(String::new());
        } else {
            return Err(format!("unexpected argument `{arg}`"));
        }
    }
    match port.or(env) {
        Some(value) => value
            .trim()
            .parse()
            .map_err(|_| format!("invalid port `{value}`")),
        None => Ok(0),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let port = match port_from(&args, std::env::var("ATLAS_TEST_SERVER_PORT").ok()) {
        Ok(port) => port,
        Err(message) => {
            if message.is_empty() {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            eprintln!("atlas-test-server: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let server = match TestServer::start_on(addr, ServerConfig::default()).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("atlas-test-server: cannot listen on {addr}: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "atlas-test-server listening on {} ({V1_PATH}, {V2_PATH}; public key {TEST_PUBLIC_KEY}, private key {TEST_PRIVATE_KEY}, group {TEST_GROUP_ID}; {OAUTH_TOKEN_PATH} client id {TEST_CLIENT_ID}, secret {TEST_CLIENT_SECRET})",
        server.base_url()
    );
    let _ = std::io::stdout().flush();
    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("atlas-test-server: cannot wait for Ctrl-C: {error}");
        return ExitCode::FAILURE;
    }
    drop(server);
    ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::port_from;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn port_selection() {
        assert_eq!(port_from(&args(&[]), None), Ok(0));
        assert_eq!(port_from(&args(&[]), Some("8080".into())), Ok(8080));
        assert_eq!(
            port_from(&args(&["--port", "9000"]), Some("8080".into())),
            Ok(9000)
        );
        assert_eq!(port_from(&args(&["--port=9001"]), None), Ok(9001));
        assert!(port_from(&args(&["--port"]), None).is_err());
        assert!(port_from(&args(&["--port", "x"]), None).is_err());
        assert!(port_from(&args(&["--bogus"]), None).is_err());
        assert!(port_from(&args(&[]), Some("70000".into())).is_err());
    }
}
