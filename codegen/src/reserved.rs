//! Names the generated code and the runtime crate define themselves, so a spec name must not
//! become one of them. The one list of them: validation reads it, and the test
//! `codegen/tests/reserved.rs` checks it against what the emitted code and the runtime really
//! define (so a builder method added to either without a line here fails it).
//!
//! The rule for spec authors: a parameter whose Rust name would be a builder's own name is
//! escaped with a trailing `_` (`send` → `send_`, as keywords are: `self` → `self_`), like
//! smithy-rs renames; its wire name is unchanged. An operation id that would become a method
//! `Client` or the mock server already has, and a type named like one the `types` module
//! re-exports, are errors at the spec's own location (renaming an operation or a type changes
//! what users call, so the spec author chooses the name).

/// Type names the generated `types` module re-exports from the runtime.
pub const TYPE_NAMES: &[&str] = &["UnknownValue", "UnknownObject"];

/// Methods the generated `Client` has besides the operations and waiters.
pub const CLIENT_METHODS: &[&str] = &["builder", "base_url", "retry_policy", "revoke_token"];

/// Names a parameter meets in an operation's request: the methods of the generic
/// `Request<E>` besides the setters of parameters (`new` and `with` for the generated code,
/// `timeout`, `send`, `send_with_metadata`), and `body`, the `Client` method's argument.
pub const REQUEST_BUILDER_NAMES: &[&str] = &[
    "new",
    "with",
    "timeout",
    "send",
    "send_with_metadata",
    "body",
];

/// Methods of the generated mock server besides one per operation.
pub const MOCK_SERVER_METHODS: &[&str] = &["start", "uri", "base_url", "take_failures", "verify"];

/// Methods of the generic typed mock `Mock<'a, E>` besides its parameter matchers: `new` and
/// `with` for the generated code, `body` and the answers.
pub const MOCK_BUILDER_NAMES: &[&str] = &[
    "new",
    "with",
    "body",
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
/// own names never meet a parameter). Such a parameter is renamed with a trailing `_`.
pub fn is_builder_name(name: &str) -> bool {
    REQUEST_BUILDER_NAMES.contains(&name) || MOCK_BUILDER_NAMES.contains(&name)
}
