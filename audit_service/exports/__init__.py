"""Exporters: write a summary table to a file format. Built-in ``csv`` and ``xlsx``;
plugins add more through the ``register_exporters`` hook."""
