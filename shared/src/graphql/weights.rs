//! What a field weighs towards a query's complexity budget (`MAX_COMPLEXITY`,
//! 500 by default, per operation). Every field counts 1; the fields below
//! cause store work (a query, or a read-apply-write), so they weigh what
//! they cost: aliasing them, or asking them of every customer of a page,
//! cannot multiply one request past what it should cost.

/// A field that reads one more item (`emailDeliverable`).
pub const STORE_READ: usize = 5;

/// A field that queries the store once more: a history (`orders`), a ledger
/// (`transactions`, `redemptions`), `subscriptionContracts`.
pub const STORE_QUERY: usize = 20;

/// A back-office write of an order, a loyalty change, a contract or a
/// promotion: a read-apply-write of the customer's (or tenant's) data.
pub const RECORD_WRITE: usize = 20;

/// A wishlist change: a read and a transaction, tried again under
/// contention (up to 32 times), so one request holds only a few.
pub const WISHLIST_CHANGE: usize = 50;

/// `Customer.wishlists`: every list of the customer read, each time asked.
pub const WISHLISTS: usize = 100;

/// A page of `customers` (or of `customerImports`): 5, and what is asked of each customer as many
/// times as the page holds customers, in tenths (a page of 100 customers'
/// order histories is 100 queries, and weighs like it).
pub fn customers_page(first: Option<i32>, child_complexity: usize) -> usize {
    5 + super::pages::clamped(first, super::pages::LISTING) * child_complexity / 10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_of_customers_weighs_what_it_asks_of_each_customer_per_ten_of_them() {
        assert_eq!(customers_page(Some(100), 20), 205);
        assert_eq!(customers_page(None, 20), 105, "the default page of 50");
        assert_eq!(customers_page(Some(1000), 20), 205, "clamped like the page");
        assert_eq!(customers_page(Some(-5), 20), 5);
    }
}
