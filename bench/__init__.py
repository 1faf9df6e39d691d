"""Benchmarks: each module has ``main(argv)`` and prints JSON, the result object last."""
