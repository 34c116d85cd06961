//! Flows that several scenarios take: an application through its steps, signed-in posts.
