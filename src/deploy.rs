//! Step 6: upload to the server.
