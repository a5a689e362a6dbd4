//! Step 1: reading a publicity request from `requests/`.
