"""Running checked cards over tables with Polars: plan, collect, summarise, examples, explain.

The stage below the public API (`engine.api`) and above the Polars backend: it takes `Card`
values (a checked program with its file and trust settings), never the API's objects, so the
reports (`engine.evaluate`) and the API both build on it.
"""
