//! One address, one identity: Unicode compatibility forms and case do not
//! make a second account, and mail goes to the address in NFKC form.

use super::*;
use crate::support::{codes, email, mail};

#[tokio::test]
async fn a_kelvin_sign_spelling_is_the_same_address_and_the_owner_can_recover_it() {
    let app = app(&[]).await;
    let ascii = email("kate");
    // U+212A KELVIN SIGN in place of the K.
    let kelvin = ascii.replacen('k', "\u{212A}", 1);
    assert_ne!(kelvin, ascii);

    let squatter = register(&app, &kelvin, &[]).await;
    assert!(codes(&squatter).is_empty(), "{squatter}");
    // Stored (and mailed) in NFKC form: the real mailbox, not a look-alike.
    let stored = squatter["customer"]["email"].as_str().unwrap().to_string();
    assert_eq!(stored.to_lowercase(), ascii);
    assert!(!stored.contains('\u{212A}'));
    mail::nth_to(&ascii, 1).await;
    crate::support::settle(app.services()).await;
    assert!(mail::sent_to(&kelvin).await.is_empty(), "no mail to the look-alike spelling: only Kate's mailbox");

    // The ASCII spelling is the same account, not a second one.
    assert_eq!(codes(&register(&app, &ascii, &[]).await), ["TAKEN"]);
    let again = register(&app, &ascii.to_uppercase(), &[]).await;
    assert_eq!(codes(&again), ["TAKEN"]);

    // Kate asks for a reset with her spelling: the link reaches her mailbox.
    let resp = gql(
        &app,
        "mutation($e: String!) { requestPasswordReset(email: $e) { requested } }",
        json!({ "e": ascii }),
        &[],
    )
    .await;
    assert_eq!(resp["data"]["requestPasswordReset"]["requested"], true);
    let reset = mail::nth_to(&ascii, 2).await;
    assert!(reset.link().contains("token="), "{}", reset.text);
    let set = gql(
        &app,
        "mutation($t: String!) { resetPassword(token: $t, newPassword: \"violet tractor sings at dawn\") { changed userErrors { code } } }",
        json!({ "t": reset.token() }),
        &[],
    )
    .await;
    assert_eq!(set["data"]["resetPassword"]["changed"], true, "{set}");
    // The squatter's password is gone; Kate's works with either spelling.
    assert_eq!(codes(&login(&app, &kelvin, PASSWORD, &[]).await), ["INVALID_CREDENTIALS"]);
    assert!(codes(&login(&app, &kelvin, "violet tractor sings at dawn", &[]).await).is_empty());
    assert!(codes(&login(&app, &ascii, "violet tractor sings at dawn", &[]).await).is_empty());
}
