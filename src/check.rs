//! Step 2: checking a request and reporting every problem.
