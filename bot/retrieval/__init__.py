"""Embeddings, the on-disk index and hybrid search. Nothing here imports discord."""
