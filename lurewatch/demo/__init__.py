"""Demo job board: fictional multilingual job ads served locally for tests and `lurewatch demo`."""
