//! Names the generated code and the runtime crate define themselves, so a spec name must not
//! become one of them. The one list of them: validation reads it, and the test
//! `codegen/tests/reserved.rs` checks it against what the emitted code and the runtime really
//! define (so a builder method added to either without a line here fails it).
//!
//! The rule for spec authors: a name from the spec that would become one of these is an error
//! that names the clash and the reserved names, at the spec's own location; renaming it in the
//! spec (its Rust name, not its wire name) resolves it.

/// Type names the generated `types` module re-exports from the runtime.
pub const TYPE_NAMES: &[&str] = &["UnknownValue", "UnknownObject"];

/// Methods the generated `Client` has besides the operations and waiters.
pub const CLIENT_METHODS: &[&str] = &["builder", "base_url", "retry_policy", "revoke_token"];

/// Fields and methods of a request builder besides its parameters: the fields `client`,
/// `options` and `body`, the method `request` (emitted), and `span`, `timeout`, `send` and
/// `send_with_metadata` (the runtime's `request_builder!`).
pub const REQUEST_BUILDER_NAMES: &[&str] = &[
    "client",
    "options",
    "body",
    "request",
    "span",
    "timeout",
    "send",
    "send_with_metadata",
];

/// Methods of the generated mock server besides one per operation.
pub const MOCK_SERVER_METHODS: &[&str] = &["start", "uri", "base_url", "take_failures", "verify"];

/// Methods of a typed mock builder besides its parameter setters and `body`: the runtime's
/// `mock_answers!` answers.
pub const MOCK_BUILDER_NAMES: &[&str] = &[
    "respond",
    "respond_error",
    "respond_with",
    "respond_sequence",
];

/// Methods every generated union has besides its accessors.
pub const UNION_METHODS: &[&str] = &["is_known"];

/// Crate names Cargo refuses, or that would shadow a standard crate in generated paths.
pub const CRATE_NAMES: &[&str] = &["std", "core", "alloc", "proc_macro", "test"];

/// Whether a parameter's Rust name would clash with a name of a builder made from its
/// operation (request or mock builder; a waiter keeps its operation's request builder, so its
/// own names never meet a parameter).
pub fn is_builder_name(name: &str) -> bool {
    builder_names().any(|reserved| reserved == name)
}

/// Every builder name, for error messages, without repeats, in a stable order.
pub fn builder_names() -> impl Iterator<Item = &'static str> {
    let all = REQUEST_BUILDER_NAMES.iter().chain(MOCK_BUILDER_NAMES);
    all.clone()
        .enumerate()
        .filter(move |(index, name)| !all.clone().take(*index).any(|seen| seen == *name))
        .map(|(_, name)| *name)
}
