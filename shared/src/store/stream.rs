//! The table's change stream read with the store's own grammar: what a
//! record's keys name (`keys::ItemKey`) and its images as domain records.
//! The `events` function reads stream records through this module only, so
//! neither a key format nor an attribute name is written twice.

use super::keys::ItemKey;
use super::table::{PARTITION_KEY, SORT_KEY};
use crate::domain::Credentials;
use anyhow::{bail, Context};
use serde::de::DeserializeOwned;

/// An item's attributes as a stream record carries them (its keys, or its
/// old or new image).
pub type Image = serde_dynamo::Item;

/// What the item of a record with these `keys` is.
pub fn item_key(keys: &Image) -> ItemKey {
    let text = |name: &str| match keys.get(name) {
        Some(serde_dynamo::AttributeValue::S(value)) => Some(value.as_str()),
        _ => None,
    };
    match (text(PARTITION_KEY), text(SORT_KEY)) {
        (Some(pk), Some(sk)) => ItemKey::parse(pk, sk),
        _ => ItemKey::Other,
    }
}

/// The stream's two readers, each an event source mapping of the `events`
/// function with a filter of its own (template.yaml), and each a relay
/// locally. Mail has a reader of its own so that it never waits behind a
/// burst of changes: an import writes a million profiles, whose records
/// the changes' reader works off in order, while a password reset's mail
/// goes out within seconds. The search index (`IX#`) is written from the
/// stream and never read back from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamPath {
    /// The tenants' items: profiles (customer events, the search index,
    /// erasures), orders, ledgers, newsletter subscriptions, suppressions.
    Changes,
    /// The outbox: every mail.
    Mail,
}

impl StreamPath {
    pub const ALL: [StreamPath; 2] = [StreamPath::Changes, StreamPath::Mail];

    /// The partition key prefix its filter passes.
    pub fn prefix(self) -> &'static str {
        match self {
            StreamPath::Changes => "T#",
            StreamPath::Mail => "OUTBOX#",
        }
    }

    /// Whether a record with these `keys` passes its filter.
    pub fn carries(self, keys: &Image) -> bool {
        match keys.get(PARTITION_KEY) {
            Some(serde_dynamo::AttributeValue::S(pk)) => pk.starts_with(self.prefix()),
            _ => false,
        }
    }
}

/// Whether a record with these `keys` passes one of the paths' filters.
pub fn relayed(keys: &Image) -> bool {
    StreamPath::ALL.iter().any(|p| p.carries(keys))
}

/// The record an image holds (`what`: "old" or "new", for the error). An
/// empty image is an error: the stream must carry NEW_AND_OLD_IMAGES.
pub fn decode<T: DeserializeOwned>(image: &Image, what: &str) -> anyhow::Result<T> {
    if image.is_empty() {
        bail!("the record has no {what} image (the stream must be NEW_AND_OLD_IMAGES)");
    }
    serde_dynamo::from_item(image.clone()).with_context(|| format!("the {what} image"))
}

/// Whether a customer item's password changed between its `old` and `new`
/// images (the credentials are stored beside the profile); a rehash of the
/// same password is no change.
pub fn password_changed(old: &Image, new: &Image) -> anyhow::Result<bool> {
    let old: Credentials = decode(old, "old")?;
    let new: Credentials = decode(new, "new")?;
    Ok(new.password_changed_since(&old))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_dynamo::AttributeValue as A;

    fn image(pairs: &[(&str, A)]) -> Image {
        pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect::<std::collections::HashMap<_, _>>().into()
    }

    #[test]
    fn a_record_is_named_by_its_keys() {
        let keys = image(&[("pk", A::S("OUTBOX#01A".into())), ("sk", A::S("MAIL".into()))]);
        assert_eq!(item_key(&keys), ItemKey::Mail { id: "01A".into() });
        assert_eq!(item_key(&image(&[("pk", A::S("OUTBOX#01A".into()))])), ItemKey::Other, "no sort key");
        assert_eq!(item_key(&image(&[("pk", A::N("1".into())), ("sk", A::S("MAIL".into()))])), ItemKey::Other);
    }

    #[test]
    fn a_password_change_is_a_new_hash_and_a_removed_one_counts_as_none() {
        let hash = |h: &str| image(&[("passwordHash", A::S(h.into())), ("tokenVersion", A::N("0".into()))]);
        let none = image(&[("passwordHash", A::Null(true)), ("tokenVersion", A::N("0".into()))]);
        let absent = image(&[("tokenVersion", A::N("1".into()))]);
        assert!(password_changed(&hash("a"), &hash("b")).unwrap());
        assert!(!password_changed(&hash("a"), &hash("a")).unwrap());
        assert!(password_changed(&hash("a"), &none).unwrap());
        assert!(!password_changed(&none, &absent).unwrap(), "NULL and absent are both no hash");
        assert!(password_changed(&Image::default(), &hash("a")).is_err(), "no old image");
        // A rehash marks its own step: no change. Any later step is one, even
        // back to the imported hash and on (the mark stays on the item).
        let rehashed = |from: &str, to: &str, mark: (&str, &str)| {
            let mark = Credentials::rehash_mark_of(mark.0, mark.1);
            let new =
                [("passwordHash", A::S(to.into())), ("tokenVersion", A::N("0".into())), ("rehashMark", A::S(mark))];
            (hash(from), image(&new))
        };
        let (a, b) = rehashed("$P$old", "$argon2id$new", ("$P$old", "$argon2id$new"));
        assert!(!password_changed(&a, &b).unwrap());
        let (a, b) = rehashed("$argon2id$new", "$argon2id$newer", ("$P$old", "$argon2id$new"));
        assert!(password_changed(&a, &b).unwrap());
        let (a, b) = rehashed("$P$old", "$argon2id$chosen", ("$P$old", "$argon2id$new"));
        assert!(password_changed(&a, &b).unwrap(), "the imported hash planted again, then a reset");
    }
}
