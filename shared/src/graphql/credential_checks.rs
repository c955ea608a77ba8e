//! One credential check per HTTP request. GraphQL lets one request hold
//! many root fields (aliases) and a batch many operations, all run
//! together: without a limit, one request could try hundreds of passwords
//! or tokens, or send as many mails. Before anything runs, the handler
//! counts the root fields below across the whole request and refuses a
//! request with more than one.

use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::BatchRequest;

/// The root fields that check a password, spend (or test) a one-time or
/// refresh token, or send mail. The one place that says which fields count.
pub const CREDENTIAL_FIELDS: &[&str] = &[
    // auth
    "registerCustomer",
    "login",
    "refreshSession",
    "logout",
    "confirmEmail",
    "resendEmailConfirmation",
    "requestPasswordReset",
    "verifyPasswordResetToken",
    "resetPassword",
    "confirmEmailChange",
    "cancelEmailChange",
    // account
    "changePassword",
    "requestEmailChange",
    "deleteAccount",
    // subscriptions
    "subscribeToNewsletter",
    "confirmNewsletterSubscription",
    "unsubscribeFromNewsletter",
    "sendContactRequest",
    // admin: mails every subscriber of an item
    "notifyBackInStock",
];

/// How many credential fields the request would run, over every operation
/// of a batch. An operation that does not parse counts nothing here (the
/// executor refuses it); a document whose operation cannot be told apart
/// counts every operation's fields, which errs on the side of refusing; so
/// does a selection nested deeper than the executor would run.
pub fn count(batch: &BatchRequest) -> usize {
    batch.iter().map(|r| count_in(&r.query, r.operation_name.as_deref())).fold(0, usize::saturating_add)
}

/// Deeper fragment nesting than this is refused by the executor
/// (`limit_recursive_depth`); the counter treats it as too many.
const MAX_NESTING: usize = 64;

fn count_in(query: &str, operation_name: Option<&str>) -> usize {
    let Ok(doc) = async_graphql::parser::parse_query(query) else { return 0 };
    doc.operations
        .iter()
        .filter(|(name, _)| operation_name.is_none() || name.map(|n| n.as_str()) == operation_name)
        .filter(|(_, op)| op.node.ty != OperationType::Subscription)
        .map(|(_, op)| count_selection(&doc, &op.node.selection_set.node, &mut Vec::new(), 0))
        .fold(0, usize::saturating_add)
}

/// Root fields of a selection set, through inline fragments and fragment
/// spreads at any depth. A fragment already on the path (a cycle, which the
/// executor refuses) or nesting past `MAX_NESTING` counts as too many:
/// nothing unseen is ever taken for zero.
fn count_selection<'a>(
    doc: &'a ExecutableDocument,
    set: &'a SelectionSet,
    path: &mut Vec<&'a str>,
    depth: usize,
) -> usize {
    if depth > MAX_NESTING {
        return usize::MAX;
    }
    let mut total = 0usize;
    for item in &set.items {
        let n = match &item.node {
            Selection::Field(f) => usize::from(CREDENTIAL_FIELDS.contains(&f.node.name.node.as_str())),
            Selection::InlineFragment(frag) => count_selection(doc, &frag.node.selection_set.node, path, depth + 1),
            Selection::FragmentSpread(spread) => {
                let name = spread.node.fragment_name.node.as_str();
                match doc.fragments.get(&spread.node.fragment_name.node) {
                    _ if path.contains(&name) => usize::MAX,
                    Some(frag) => {
                        path.push(name);
                        let n = count_selection(doc, &frag.node.selection_set.node, path, depth + 1);
                        path.pop();
                        n
                    }
                    None => 0,
                }
            }
        };
        total = total.saturating_add(n);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn single(query: &str) -> BatchRequest {
        BatchRequest::Single(async_graphql::Request::new(query))
    }

    #[test]
    fn aliases_fragments_and_batches_all_count() {
        assert_eq!(count(&single("mutation { login(email: \"a\", password: \"b\") { userErrors { code } } }")), 1);
        assert_eq!(count(&single("mutation { a: login(email: \"a\", password: \"b\") { __typename } b: login(email: \"a\", password: \"c\") { __typename } }")), 2);
        let fragments = "mutation { ...F ... on Mutation { requestPasswordReset(email: \"a\") { requested } } } \
                         fragment F on Mutation { x: login(email: \"a\", password: \"b\") { __typename } }";
        assert_eq!(count(&single(fragments)), 2);
        // However deep the fragments nest.
        let nested = format!(
            "mutation {{ {} a: login(email: \"a\", password: \"b\") {{ __typename }} b: login(email: \"a\", password: \"c\") {{ __typename }} {} }}",
            "... { ".repeat(20),
            "} ".repeat(20)
        );
        assert_eq!(count(&single(&nested)), 2);
        let chain: String = (1..12).map(|i| format!("fragment F{i} on Mutation {{ ...F{} }} ", i + 1)).collect();
        let chained = format!("mutation {{ ...F1 }} {chain} fragment F12 on Mutation {{ login(email: \"a\", password: \"b\") {{ __typename }} x: login(email: \"a\", password: \"b\") {{ __typename }} }}");
        assert_eq!(count(&single(&chained)), 2);
        // A cycle counts as too many rather than nothing.
        let cycle = "mutation { ...A } fragment A on Mutation { ...B } fragment B on Mutation { ...A }";
        assert!(count(&single(cycle)) > 1);
        let batch = BatchRequest::Batch(vec![
            async_graphql::Request::new("mutation { resetPassword(token: \"t\", newPassword: \"p\") { changed } }"),
            async_graphql::Request::new("mutation { confirmEmail(token: \"t\") { confirmed } }"),
        ]);
        assert_eq!(count(&batch), 2);
    }

    #[test]
    fn other_fields_and_other_operations_do_not_count() {
        assert_eq!(count(&single("{ passwordPolicy { minLength } }")), 0);
        assert_eq!(count(&single("mutation { updateCustomer(input: {}) { userErrors { code } } }")), 0);
        // Only the operation that runs counts.
        let two = "mutation A { login(email: \"a\", password: \"b\") { __typename } } \
                   mutation B { login(email: \"a\", password: \"c\") { __typename } }";
        let named = BatchRequest::Single(async_graphql::Request::new(two).operation_name("A"));
        assert_eq!(count(&named), 1);
        // A nested field of the same name is not a root field.
        assert_eq!(count(&single("{ customer { login: email } }")), 0);
        assert_eq!(count(&single("not graphql")), 0);
    }
}
