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

/// The partition key prefixes of the records the `events` function is
/// invoked with: the event source mapping's filter in template.yaml, and
/// the local relay's. The search index (`IX#`) is written from the stream
/// and never read back from it.
pub const RELAYED_PREFIXES: [&str; 2] = ["T#", "OUTBOX#"];

/// Whether a record with these `keys` passes the stream's filter.
pub fn relayed(keys: &Image) -> bool {
    match keys.get(PARTITION_KEY) {
        Some(serde_dynamo::AttributeValue::S(pk)) => RELAYED_PREFIXES.iter().any(|p| pk.starts_with(p)),
        _ => false,
    }
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
