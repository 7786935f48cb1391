"""The HTTP app, settings and the `gridgraph` command line."""
