//! One credential check per HTTP request. GraphQL lets one request hold
//! many root fields (aliases) and a batch many operations, all run
//! together: without a limit, one request could try hundreds of passwords
//! or tokens, or send as many mails. Before anything runs, the handler
//! counts the root fields below across the whole request and refuses a
//! request with more than one.

use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{BatchRequest, Name};
use std::collections::HashMap;

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
    "requestDataExport",
    // subscriptions
    "subscribeToNewsletter",
    "confirmNewsletterSubscription",
    "unsubscribeFromNewsletter",
    "sendContactRequest",
    // admin: mails every subscriber of an item
    "notifyBackInStock",
];

/// The root fields a request would run, over every operation of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RootFields {
    /// Fields of `CREDENTIAL_FIELDS`.
    pub credential: usize,
    /// Root fields of mutations (`__typename` aside): writes.
    pub mutation: usize,
}

/// How many credential fields and mutation fields the request would run,
/// over every operation of a batch. An operation that does not parse counts
/// nothing here (the executor refuses it); a document whose operation
/// cannot be told apart counts every operation's fields, which errs on the
/// side of refusing; so do a fragment cycle and a document whose fragments
/// expand past `MAX_EXPANDED` selections (nothing unseen is ever taken for
/// zero).
pub fn count(batch: &BatchRequest) -> RootFields {
    batch.iter().map(|r| count_in(&r.query, r.operation_name.as_deref())).fold(
        RootFields { credential: 0, mutation: 0 },
        |a, b| RootFields {
            credential: a.credential.saturating_add(b.credential),
            mutation: a.mutation.saturating_add(b.mutation),
        },
    )
}

/// Selections a document may expand to through its fragments. Far above
/// what the complexity limit lets run; a document past it (fragments
/// spread twice at each of many levels double every time) is refused here,
/// before the executor would expand it.
const MAX_EXPANDED: usize = 10_000;

/// Deeper nesting of fragments than the executor runs
/// (`http::MAX_RECURSIVE_DEPTH`) counts as too many, and keeps this walk's
/// recursion bounded.
const MAX_NESTING: usize = super::http::MAX_RECURSIVE_DEPTH;

/// What a selection set holds: its credential fields and other fields at
/// its own level (through fragments), and the selections it expands to.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    credential: usize,
    fields: usize,
    size: usize,
}

impl Tally {
    /// Too many of everything: what cannot be counted is refused.
    const UNCOUNTABLE: Tally = Tally { credential: usize::MAX, fields: usize::MAX, size: usize::MAX };

    fn add(self, other: Tally) -> Tally {
        Tally {
            credential: self.credential.saturating_add(other.credential),
            fields: self.fields.saturating_add(other.fields),
            size: self.size.saturating_add(other.size),
        }
    }
}

fn count_in(query: &str, operation_name: Option<&str>) -> RootFields {
    let mut counted = RootFields { credential: 0, mutation: 0 };
    let Ok(doc) = async_graphql::parser::parse_query(query) else { return counted };
    let mut walk = Walk { doc: &doc, fragments: HashMap::new() };
    let mut size = 0usize;
    // The executor expands the fragments of every operation of the
    // document, not only the one it runs: every operation counts for size,
    // the one to run for root fields.
    for (name, op) in doc.operations.iter() {
        let tally = walk.selection(&op.node.selection_set.node, 0);
        size = size.saturating_add(tally.size);
        let runs = operation_name.is_none() || name.map(|n| n.as_str()) == operation_name;
        if runs && op.node.ty != OperationType::Subscription {
            counted.credential = counted.credential.saturating_add(tally.credential);
        }
        if runs && op.node.ty == OperationType::Mutation {
            counted.mutation = counted.mutation.saturating_add(tally.fields);
        }
    }
    if size > MAX_EXPANDED {
        RootFields { credential: usize::MAX, mutation: usize::MAX }
    } else {
        counted
    }
}

/// What a fragment holds: `None` while it is being walked (a cycle), else
/// its tally. Each fragment is walked once, however often it is spread.
struct Walk<'a> {
    doc: &'a ExecutableDocument,
    fragments: HashMap<&'a str, Option<Tally>>,
}

impl<'a> Walk<'a> {
    /// The tally of a selection set, through inline fragments and fragment
    /// spreads: its own fields count as root fields, theirs only for size.
    fn selection(&mut self, set: &'a SelectionSet, depth: usize) -> Tally {
        if depth > MAX_NESTING {
            return Tally::UNCOUNTABLE;
        }
        let mut tally = Tally::default();
        for item in &set.items {
            let found = match &item.node {
                // A field's own selections count for size (a fragment bomb
                // can hide below any field), never as root fields.
                Selection::Field(f) => {
                    let below = self.selection(&f.node.selection_set.node, depth + 1);
                    let name = f.node.name.node.as_str();
                    Tally {
                        credential: usize::from(CREDENTIAL_FIELDS.contains(&name)),
                        fields: usize::from(name != "__typename"),
                        size: below.size.saturating_add(1),
                    }
                }
                Selection::InlineFragment(frag) => self.selection(&frag.node.selection_set.node, depth + 1),
                Selection::FragmentSpread(spread) => self.fragment(&spread.node.fragment_name.node, depth + 1),
            };
            tally = tally.add(found);
        }
        tally
    }

    fn fragment(&mut self, name: &'a Name, depth: usize) -> Tally {
        match self.fragments.get(name.as_str()) {
            Some(Some(known)) => return *known,
            Some(None) => return Tally::UNCOUNTABLE, // a cycle
            None => {}
        }
        let Some(frag) = self.doc.fragments.get(name) else { return Tally::default() };
        self.fragments.insert(name.as_str(), None);
        let counted = self.selection(&frag.node.selection_set.node, depth);
        self.fragments.insert(name.as_str(), Some(counted));
        counted
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn single(query: &str) -> BatchRequest {
        BatchRequest::Single(async_graphql::Request::new(query))
    }

    #[test]
    fn aliases_fragments_and_batches_all_count() {
        assert_eq!(
            count(&single("mutation { login(email: \"a\", password: \"b\") { userErrors { code } } }")).credential,
            1
        );
        assert_eq!(count(&single("mutation { a: login(email: \"a\", password: \"b\") { __typename } b: login(email: \"a\", password: \"c\") { __typename } }")).credential, 2);
        let fragments = "mutation { ...F ... on Mutation { requestPasswordReset(email: \"a\") { requested } } } \
                         fragment F on Mutation { x: login(email: \"a\", password: \"b\") { __typename } }";
        assert_eq!(count(&single(fragments)).credential, 2);
        // However deep the fragments nest.
        let nested = format!(
            "mutation {{ {} a: login(email: \"a\", password: \"b\") {{ __typename }} b: login(email: \"a\", password: \"c\") {{ __typename }} {} }}",
            "... { ".repeat(20),
            "} ".repeat(20)
        );
        assert_eq!(count(&single(&nested)).credential, 2);
        let chain: String = (1..12).map(|i| format!("fragment F{i} on Mutation {{ ...F{} }} ", i + 1)).collect();
        let chained = format!("mutation {{ ...F1 }} {chain} fragment F12 on Mutation {{ login(email: \"a\", password: \"b\") {{ __typename }} x: login(email: \"a\", password: \"b\") {{ __typename }} }}");
        assert_eq!(count(&single(&chained)).credential, 2);
        // Fragments spread twice at each of 40 levels: counted once each,
        // and refused for the size they would expand to.
        let doubling: String =
            (1..40).map(|i| format!("fragment F{i} on Mutation {{ ...F{} ...F{} }} ", i + 1, i + 1)).collect();
        let bomb = format!("mutation {{ ...F1 }} {doubling} fragment F40 on Mutation {{ __typename }}");
        assert_eq!(count(&single(&bomb)).credential, usize::MAX);
        // The same bomb below a field, and in an operation that does not run.
        let doubling_query: String =
            (1..40).map(|i| format!("fragment F{i} on PasswordPolicy {{ ...F{} ...F{} }} ", i + 1, i + 1)).collect();
        let nested_bomb =
            format!("{{ passwordPolicy {{ ...F1 }} }} {doubling_query} fragment F40 on PasswordPolicy {{ minLength }}");
        assert_eq!(count(&single(&nested_bomb)).credential, usize::MAX);
        let hidden = format!("query Run {{ __typename }} query Idle {{ passwordPolicy {{ ...F1 }} }} {doubling_query} fragment F40 on PasswordPolicy {{ minLength }}");
        let hidden = BatchRequest::Single(async_graphql::Request::new(hidden).operation_name("Run"));
        assert_eq!(count(&hidden).credential, usize::MAX);
        // A cycle counts as too many rather than nothing.
        let cycle = "mutation { ...A } fragment A on Mutation { ...B } fragment B on Mutation { ...A }";
        assert!(count(&single(cycle)).credential > 1);
        let batch = BatchRequest::Batch(vec![
            async_graphql::Request::new("mutation { resetPassword(token: \"t\", newPassword: \"p\") { changed } }"),
            async_graphql::Request::new("mutation { confirmEmail(token: \"t\") { confirmed } }"),
        ]);
        assert_eq!(count(&batch).credential, 2);
    }

    #[test]
    fn other_fields_and_other_operations_do_not_count() {
        assert_eq!(count(&single("{ passwordPolicy { minLength } }")).credential, 0);
        assert_eq!(count(&single("mutation { updateCustomer(input: {}) { userErrors { code } } }")).credential, 0);
        // Only the operation that runs counts.
        let two = "mutation A { login(email: \"a\", password: \"b\") { __typename } } \
                   mutation B { login(email: \"a\", password: \"c\") { __typename } }";
        let named = BatchRequest::Single(async_graphql::Request::new(two).operation_name("A"));
        assert_eq!(count(&named).credential, 1);
        // A nested field of the same name is not a root field.
        assert_eq!(count(&single("{ customer { login: email } }")).credential, 0);
        assert_eq!(count(&single("not graphql")).credential, 0);
    }

    #[test]
    fn mutation_root_fields_count_through_aliases_fragments_and_batches() {
        let m = |q: &str| count(&single(q)).mutation;
        assert_eq!(m("mutation { backInStockSubscribe(input: {}) { subscribed } }"), 1);
        assert_eq!(m("mutation { a: backInStockSubscribe(input: {}) { subscribed } b: backInStockSubscribe(input: {}) { subscribed } }"), 2);
        assert_eq!(m("mutation { __typename a: x { y } }"), 1, "__typename writes nothing");
        assert_eq!(m("mutation { ...F } fragment F on Mutation { a: x b: x ... on Mutation { c: x } }"), 3);
        assert_eq!(
            m("{ a: passwordPolicy { minLength } b: passwordPolicy { minLength } }"),
            0,
            "queries write nothing"
        );
        let batch = BatchRequest::Batch(vec![
            async_graphql::Request::new("mutation { x }"),
            async_graphql::Request::new("mutation { y }"),
        ]);
        assert_eq!(count(&batch).mutation, 2);
        let cycle = "mutation { ...A } fragment A on Mutation { ...B } fragment B on Mutation { ...A }";
        assert_eq!(m(cycle), usize::MAX);
    }
}
