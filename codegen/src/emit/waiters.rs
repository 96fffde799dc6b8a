//! `src/waiters.rs`: per waiter, its type (the runtime's generic `Waiter` of the operation it
//! polls), its matcher function (what one answer means) and the `Client::wait_until_*` method
//! that creates it with its default schedule. The waiter itself and its polling loop are the
//! runtime's `polling.rs`.

use proc_macro2::TokenStream;
use quote::quote;

use super::operations::path_arg_type;
use super::{Chunk, RustFile, docs, ident};
use crate::model::{Api, StateField, Waiter, WaiterState, WaiterSubject};
use crate::naming::unraw;

/// The message of the `WARN` event of `polling.rs` for a state a waiter does not list.
const UNLISTED_EVENT: &str = "unlisted waiter state; polling on";

/// Emits the waiter builders and their `Client` methods, one waiter per chunk.
pub fn generate(api: &Api) -> RustFile<'_> {
    let lib = ident(&api.crate_info.lib);
    let module_warn = docs::inner(&format!(
        "A state in none of a waiter's lists does not end the wait: it is logged as a `WARN` event `{UNLISTED_EVENT}` (target `codegen_runtime::polling`, the runtime crate's polling loop; fields `waiter` and `state`) and polling goes on."
    ));
    RustFile::new(
        quote! {
            //! Waiters: poll an operation until a resource reaches a final state.
            //!
            //! Create them with the `wait_until_*` methods of [`Client`](crate::Client); adjust
            //! `interval`, `max_interval` and `max_wait`; then `.await` them. Dropping the future
            //! stops polling.
            //!
            #module_warn
        },
        api.waiters.iter().map(move |waiter| {
            let method = client_method(waiter, &lib);
            let builder = builder(api, waiter);
            Chunk::new(quote! {
                impl crate::Client {
                    #method
                }

                #builder
            })
        }),
    )
}

fn output_type(waiter: &Waiter) -> TokenStream {
    if waiter.not_found_is_success {
        quote! { () }
    } else {
        let response = ident(&waiter.response_ident);
        quote! { crate::types::#response }
    }
}

fn quoted(values: &[String]) -> String {
    values
        .iter()
        .map(|value| format!("`{value}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Which field the waiter reads, for docs: `` `status` `` or, for a union whose variants
/// differ, `` `status` (`connectionStatus` for `Aws`) ``.
fn fields_read(waiter: &Waiter) -> String {
    match &waiter.subject {
        WaiterSubject::Field(field) => format!("`{}`", field.wire),
        WaiterSubject::Union {
            variants,
            default_field_wire,
        } => {
            let exceptions: Vec<String> = variants
                .iter()
                .filter(|(_, field)| field.wire != *default_field_wire)
                .map(|(variant, field)| {
                    format!(
                        "`{}` for [`{variant}`](crate::types::{}::{variant})",
                        field.wire, waiter.response_ident
                    )
                })
                .collect();
            if exceptions.is_empty() {
                format!("`{default_field_wire}`")
            } else {
                format!("`{default_field_wire}` ({})", exceptions.join(", "))
            }
        }
    }
}

fn client_method(waiter: &Waiter, lib: &syn::Ident) -> TokenStream {
    let method = ident(&waiter.method_ident);
    let builder = ident(&waiter.builder_ident);
    let mut text = format!("{}\n\n", docs::escape(&waiter.description));
    let builder_path = builder_path(waiter);
    text.push_str(&format!(
        "Polls {} (`{}`) and reads {}:\n\n",
        docs::member_link("crate::Client", "method", &waiter.operation_method),
        waiter.operation_http,
        fields_read(waiter),
    ));
    if !waiter.success.is_empty() {
        text.push_str(&format!(
            "- {}: done, returns the object;\n",
            quoted(&waiter.success)
        ));
    }
    if waiter.not_found_is_success {
        text.push_str("- HTTP 404: done (the resource is gone), returns `()`;\n");
    }
    if !waiter.pending.is_empty() {
        text.push_str(&format!("- {}: keep polling;\n", quoted(&waiter.pending)));
    }
    if !waiter.failure.is_empty() {
        text.push_str(&format!(
            "- {}: [`Error::WaiterFailed`](crate::Error::WaiterFailed) with that state;\n",
            quoted(&waiter.failure)
        ));
    }
    text.push_str(&format!(
        "- any other value (one this crate does not know, or one this waiter does not list): a `WARN` tracing event `{UNLISTED_EVENT}` with the fields `waiter` and `state` (once each time the resource enters that state), then keep polling.\n",
    ));
    text.push_str(&format!(
        "\nThe first pause is {} s (see [`interval`]({builder_path}::interval)); each following pause doubles, up to {} s (see [`max_interval`]({builder_path}::max_interval); an interval longer than that is kept). It gives up after {} s (see [`max_wait`]({builder_path}::max_wait)) with [`Error::WaiterTimedOut`](crate::Error::WaiterTimedOut), which carries the last state seen; the last poll happens at that deadline. A 429 answer waits for its `Retry-After` (at least the pause due) and polls again; any other error of the poll is returned as is. Dropping the future stops polling.\n",
        waiter.interval_seconds, waiter.max_interval_seconds, waiter.max_wait_seconds,
    ));
    let args = docs::example_arguments(&waiter.path_params);
    text.push_str(&format!(
        "\n# Example\n\n```no_run\n# async fn example(client: {lib}::Client) -> Result<(), {lib}::Error> {{\nlet result = client\n    .{}({})\n    .interval(std::time::Duration::from_secs(10))\n    .max_interval(std::time::Duration::from_secs(60))\n    .max_wait(std::time::Duration::from_secs(30 * 60))\n    .await?;\n# let _ = result;\n# Ok(())\n# }}\n```\n",
        unraw(&waiter.method_ident),
        args.join(", "),
    ));
    let method_docs = docs::outer(&text);
    let params = waiter.path_params.iter().map(|param| {
        let name = ident(&param.ident);
        let ty = path_arg_type(param);
        quote! { #name: #ty }
    });
    let args = waiter.path_params.iter().map(|param| ident(&param.ident));
    let name = unraw(&waiter.method_ident);
    let operation = ident(&waiter.operation_method);
    let matcher = matcher_name(waiter);
    let interval = waiter.interval_seconds;
    let max_interval = waiter.max_interval_seconds;
    let max_wait = waiter.max_wait_seconds;
    quote! {
        #method_docs
        pub fn #method(&self, #( #params ),*) -> crate::waiters::#builder {
            ::codegen_runtime::polling::Waiter::new(
                #name,
                self.#operation(#( #args ),*),
                crate::waiters::#matcher,
                ::std::time::Duration::from_secs(#interval),
                ::std::time::Duration::from_secs(#max_interval),
                ::std::time::Duration::from_secs(#max_wait),
            )
        }
    }
}

fn builder_path(waiter: &Waiter) -> String {
    format!("crate::waiters::{}", waiter.builder_ident)
}

/// The waiter's matcher function: a name of its own, from the waiter's id.
fn matcher_name(waiter: &Waiter) -> syn::Ident {
    ident(&format!(
        "{}_matcher",
        unraw(&waiter.method_ident).trim_start_matches("wait_until_")
    ))
}

/// The waiter's type (the runtime's generic waiter of the operation it polls) and its matcher.
fn builder(api: &Api, waiter: &Waiter) -> TokenStream {
    let builder = ident(&waiter.builder_ident);
    let output = output_type(waiter);
    let polled = api
        .operations
        .iter()
        .find(|operation| operation.method_ident == waiter.operation_method)
        .map(|operation| ident(&operation.builder_ident))
        .unwrap_or_else(|| ident("invalid_identifier"));
    let response = ident(&waiter.response_ident);
    let matcher = matcher_name(waiter);
    let builder_docs = docs::outer(&format!(
        "Waiter created by {}: a [`Waiter`](codegen_runtime::polling::Waiter) polling {}.\n\nSet `interval`, `max_interval` and `max_wait`, then `.await` it (or call `send`).",
        docs::member_link("crate::Client", "method", &waiter.method_ident),
        docs::member_link("crate::Client", "method", &waiter.operation_method),
    ));
    let matcher_docs = docs::outer(&format!(
        "What {} makes of one answer of {}.",
        docs::member_link("crate::Client", "method", &waiter.method_ident),
        docs::member_link("crate::Client", "method", &waiter.operation_method),
    ));
    let classify = match &waiter.subject {
        WaiterSubject::Field(field) => {
            let verdict = verdict(field);
            quote! {
                let object = &value;
                #verdict
            }
        }
        WaiterSubject::Union {
            variants,
            default_field_wire,
        } => {
            let union = ident(&waiter.response_ident);
            let arms = variants.iter().map(|(variant, field)| {
                let variant = ident(variant);
                let verdict = verdict(field);
                quote! { crate::types::#union::#variant(object) => { #verdict } }
            });
            quote! {
                match &value {
                    #( #arms )*
                    crate::types::#union::Unknown(object) => ::codegen_runtime::polling::Poll::Unlisted(
                        ::std::string::ToString::to_string(
                            object
                                .get(#default_field_wire)
                                .and_then(::serde_json::Value::as_str)
                                .unwrap_or_default(),
                        ),
                    ),
                }
            }
        }
    };
    // A waiter for deletion returns nothing, and takes a 404 for done.
    let (done_value, value) = if waiter.not_found_is_success {
        (
            quote! { () },
            quote! {
                let value = match answer {
                    ::std::result::Result::Err(crate::Error::Api(api)) if api.status == 404 => {
                        return ::std::result::Result::Ok(::codegen_runtime::polling::Poll::Done(()));
                    }
                    answer => answer?,
                };
            },
        )
    } else {
        (quote! { value }, quote! { let value = answer?; })
    };

    quote! {
        #builder_docs
        pub type #builder = ::codegen_runtime::polling::Waiter<crate::Request<crate::operations::#polled>, #output>;

        #matcher_docs
        pub(crate) fn #matcher(
            answer: ::std::result::Result<crate::types::#response, crate::Error>,
        ) -> ::std::result::Result<::codegen_runtime::polling::Poll<#output>, crate::Error> {
            #value
            let poll: ::codegen_runtime::polling::Poll<()> = { #classify };
            ::std::result::Result::Ok(poll.done_with(#done_value))
        }
    }
}

/// How the state in `object.<field>` ends the wait: a `Poll<()>` expression. Enum fields
/// match on the variants, so the compiler checks every listed state (validation guarantees
/// each state of an enum field names one of its variants).
fn verdict(field: &StateField) -> TokenStream {
    let member = ident(&field.ident);
    let arm = |states: &[WaiterState], outcome: TokenStream| {
        if states.is_empty() {
            return quote! {};
        }
        let patterns: Vec<TokenStream> = match &field.enum_ident {
            Some(name) => {
                let name = ident(name);
                states
                    .iter()
                    .filter_map(|state| state.variant.as_deref())
                    .map(|variant| {
                        let variant = ident(variant);
                        if field.optional {
                            quote! { ::std::option::Option::Some(crate::types::#name::#variant) }
                        } else {
                            quote! { crate::types::#name::#variant }
                        }
                    })
                    .collect()
            }
            None => states
                .iter()
                .map(|state| {
                    let wire = state.wire.as_str();
                    quote! { #wire }
                })
                .collect(),
        };
        quote! { #( #patterns )|* => #outcome, }
    };
    let success = arm(
        &field.success,
        quote! { ::codegen_runtime::polling::Poll::Done(()) },
    );
    let failure = arm(
        &field.failure,
        quote! { ::codegen_runtime::polling::Poll::Failed(state) },
    );
    let pending = arm(
        &field.pending,
        quote! { ::codegen_runtime::polling::Poll::Pending(state) },
    );
    let scrutinee = match (&field.enum_ident, field.optional) {
        (Some(_), false) => quote! { object.#member },
        (Some(_), true) => quote! { object.#member.as_ref() },
        (None, _) => quote! { state.as_str() },
    };
    let state = if field.optional {
        quote! { object.#member.as_ref().map_or("", |value| value.as_str()) }
    } else {
        quote! { object.#member.as_str() }
    };
    quote! {
        let state = ::std::string::ToString::to_string(#state);
        match #scrutinee {
            #success
            #failure
            #pending
            _ => ::codegen_runtime::polling::Poll::Unlisted(state),
        }
    }
}

#[cfg(test)]
mod tests {
    /// The waiter docs quote the event the runtime's polling loop logs; they must say the same.
    #[test]
    fn the_documented_warn_event_is_the_one_the_polling_loop_logs() {
        let polling = include_str!("../../runtime/src/polling.rs");
        assert!(
            polling.contains(&format!("{:?}", super::UNLISTED_EVENT)),
            "codegen/runtime/src/polling.rs no longer logs {:?}",
            super::UNLISTED_EVENT
        );
    }
}
