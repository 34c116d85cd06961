//! Bringing a city's existing spreadsheets in (issue 11): a file read into a table of text
//! (`table`), and the columns mapped to the fields an import fills (`mapping`), confirmed by the
//! person importing before any row is read.

pub mod ledger;
pub mod mapping;
pub mod table;
