"""Benchmarks, run with `make bench` or `python -m benchmarks [name ...]`.

Each runs against its own throwaway PostgreSQL database (`dc_bench`, created and dropped through Django's
test-database utilities, see `benchmarks/settings.py`), never the development database.

Adding one: create `benchmarks/bench_<name>.py` with a one-line `DESCRIPTION` and
`run(*, scale: float) -> list[Figure]`; the runner finds it by its file name, gives it an empty database,
and prints its figures. `scale` (default 1.0, `--scale`) multiplies the sizes for quick or long runs.
"""
