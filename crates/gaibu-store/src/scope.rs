//! S1.2: the ledger and the usage register filtered by whether a service falls within the scope
//! of the city's security policy, in the database.

use crate::ServiceRow;
use crate::codec::reads;

reads! {
    services_by_scope(in_scope: i64) -> list ServiceRow = "SELECT * FROM services WHERE in_scope = $1 ORDER BY id DESC";
}
