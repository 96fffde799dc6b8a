//! How fast the generated client talks to the in-process Atlas-like server (loopback only,
//! real HTTP Digest with nonce reuse):
//!
//! - `client/create_private_endpoint/warm`: one `create_private_endpoint` on a client that
//!   already holds a nonce and a connection (one HTTP exchange per call; a fresh 24-hex group
//!   id per call, since a second create in the same group and region is a 409);
//! - `client/get_private_endpoint/warm`: one `get_private_endpoint` of an existing connection;
//! - `client/create_private_endpoint/64_concurrent_8_tasks`: a batch of 64 creates from
//!   clones of one client, spread over 8 tasks (8 each, sequential within a task).
//!
//! Each criterion sample starts a fresh server and client (warmed with one request outside
//! the timing), so server state and recorded requests stay bounded. Before measuring, the
//! number of HTTP exchanges the server saw per request is printed for the warm create and the
//! concurrent batch. Run with
//!
//! ```sh
//! cargo bench -p atlas-admin-tests --bench client
//! ```
//!
//! Warm-up and measurement times are set in code (1 s / 3 s, 20 samples).

use std::future::Future;
use std::hint::black_box;
use std::time::{Duration, Instant};

use atlas_admin::Client;
use atlas_admin::types::{CreatePrivateEndpointRequest, Region};
use atlas_test_server::{TEST_GROUP_ID, TestServer};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tokio::runtime::Runtime;

const TASKS: usize = 8;
const BATCH: usize = 64;
/// Requests used to count exchanges per request for the warm sequential case.
const SEQUENTIAL_PROBE: usize = 100;

#[path = "../tests/common/mod.rs"]
mod common;

use common::client_for;

fn body() -> CreatePrivateEndpointRequest {
    common::body(Region::EuWest1)
}

/// A distinct valid group id per index (group 0 is reserved for warming up).
fn group_id(index: usize) -> String {
    format!("{:024x}", index + 1)
}

/// A fresh server and a client that has already authenticated once (nonce and connection
/// held), with the warm-up request forgotten by the server.
async fn warm_pair() -> (TestServer, Client) {
    let server = TestServer::start().await;
    let client = client_for(&server);
    client
        .create_private_endpoint(format!("{:024x}", 0), body())
        .await
        .expect("warm-up create");
    server.clear_requests();
    (server, client)
}

async fn create(client: &Client, index: usize) {
    let endpoint = client
        .create_private_endpoint(group_id(index), body())
        .await
        .expect("created");
    black_box(endpoint);
}

/// 64 creates from clones of `client` over 8 tasks; group ids `first..first + 64`.
async fn concurrent_batch(client: &Client, first: usize) {
    let mut tasks = Vec::with_capacity(TASKS);
    for task in 0..TASKS {
        let client = client.clone();
        tasks.push(tokio::spawn(async move {
            for index in (task..BATCH).step_by(TASKS) {
                create(&client, first + index).await;
            }
        }));
    }
    for task in tasks {
        task.await.expect("task finished");
    }
}

/// Times `iters` runs of `run(client, iteration)` on a fresh warm server and client.
async fn timed<F, Fut>(iters: u64, mut run: F) -> Duration
where
    F: FnMut(Client, usize) -> Fut,
    Fut: Future<Output = ()>,
{
    let (server, client) = warm_pair().await;
    let start = Instant::now();
    for iteration in 0..iters {
        run(client.clone(), usize::try_from(iteration).expect("fits")).await;
    }
    let elapsed = start.elapsed();
    drop(server);
    elapsed
}

/// Prints the HTTP exchanges per request the server saw, once, before measuring.
fn print_exchanges(runtime: &Runtime) {
    runtime.block_on(async {
        let (server, client) = warm_pair().await;
        for index in 0..SEQUENTIAL_PROBE {
            create(&client, index).await;
        }
        let sequential = server.request_count();

        let (server, client) = warm_pair().await;
        concurrent_batch(&client, 0).await;
        let concurrent = server.request_count();

        println!(
            "exchanges per request (warm client): sequential creates {sequential}/{SEQUENTIAL_PROBE} = {:.2}; \
             {BATCH} concurrent creates over {TASKS} tasks {concurrent}/{BATCH} = {:.2}",
            sequential as f64 / SEQUENTIAL_PROBE as f64,
            concurrent as f64 / BATCH as f64,
        );
    });
}

fn bench_client(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    print_exchanges(&runtime);

    let mut group = c.benchmark_group("client");
    group.throughput(Throughput::Elements(1));
    group.bench_function("create_private_endpoint/warm", |b| {
        b.to_async(&runtime)
            .iter_custom(|iters| timed(iters, |client, i| async move { create(&client, i).await }));
    });
    group.bench_function("get_private_endpoint/warm", |b| {
        b.to_async(&runtime).iter_custom(|iters| async move {
            let (server, client) = warm_pair().await;
            let created = client
                .create_private_endpoint(TEST_GROUP_ID, body())
                .await
                .expect("created");
            server.clear_requests();
            let start = Instant::now();
            for _ in 0..iters {
                let endpoint = client
                    .get_private_endpoint(TEST_GROUP_ID, &created.id)
                    .await
                    .expect("got");
                black_box(endpoint);
            }
            start.elapsed()
        });
    });
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("create_private_endpoint/64_concurrent_8_tasks", |b| {
        b.to_async(&runtime).iter_custom(|iters| {
            timed(iters, |client, i| async move {
                concurrent_batch(&client, i * BATCH).await;
            })
        });
    });
    group.finish();
}

fn criterion() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .sample_size(20)
}

criterion_group! {
    name = benches;
    config = criterion();
    targets = bench_client
}
criterion_main!(benches);
