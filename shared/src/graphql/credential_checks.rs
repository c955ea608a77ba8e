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
];

/// How many credential fields the request would run, over every operation
/// of a batch. An operation that does not parse counts nothing here (the
/// executor refuses it); a document whose operation cannot be told apart
/// counts every operation's fields, which errs on the side of refusing.
pub fn count(batch: &BatchRequest) -> usize {
    batch.iter().map(|r| count_in(&r.query, r.operation_name.as_deref())).sum()
}

fn count_in(query: &str, operation_name: Option<&str>) -> usize {
    let Ok(doc) = async_graphql::parser::parse_query(query) else { return 0 };
    let operations: Vec<_> = doc
        .operations
        .iter()
        .filter(|(name, _)| operation_name.is_none() || name.map(|n| n.as_str()) == operation_name)
        .map(|(_, op)| op)
        .collect();
    operations
        .iter()
        .filter(|op| op.node.ty != OperationType::Subscription)
        .map(|op| count_selection(&doc, &op.node.selection_set.node, 0))
        .sum()
}

/// Root fields of a selection set, through inline fragments and fragment
/// spreads (a depth bound keeps cyclic fragments, which the executor refuses
/// anyway, from looping here).
fn count_selection(doc: &ExecutableDocument, set: &SelectionSet, depth: usize) -> usize {
    if depth > 8 {
        return 0;
    }
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(f) => usize::from(CREDENTIAL_FIELDS.contains(&f.node.name.node.as_str())),
            Selection::InlineFragment(frag) => count_selection(doc, &frag.node.selection_set.node, depth + 1),
            Selection::FragmentSpread(spread) => doc
                .fragments
                .get(&spread.node.fragment_name.node)
                .map_or(0, |frag| count_selection(doc, &frag.node.selection_set.node, depth + 1)),
        })
        .sum()
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
