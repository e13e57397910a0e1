"""Dashboard internals: connections, queries, charts, formatting.

Nothing here imports a page; only `filters` and `cache` import streamlit, so
`charts` and `queries` can be reused by the PNG/PPTX export and the benchmark.
"""
