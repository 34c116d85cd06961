//! S1.2: the ledger and the usage register filtered by whether a service falls within the scope
//! of the city's security policy, in the database.

use crate::codec::reads;
use crate::{RegisterRow, ServiceRow};

reads! {
    services_by_scope(in_scope: i64) -> list ServiceRow = "SELECT * FROM services WHERE in_scope = $1 ORDER BY id DESC";
    register_entries_by_scope(in_scope: i64) -> list RegisterRow = "SELECT r.* FROM usage_register r JOIN services s ON s.id = r.service_id WHERE s.in_scope = $1 ORDER BY r.id DESC";
}
