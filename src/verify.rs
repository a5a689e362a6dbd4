//! Step 7: check the live display.
