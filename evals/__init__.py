"""Gold sets, `lotse eval` and benchmarks. Gold data measures the product; it never feeds it."""
