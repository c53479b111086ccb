//! Harness for the end-to-end tests (server process, chromedriver, browser sessions).
