"""Clusters and industrial chains: definitions, aggregates, specialisation, gaps, relatedness."""
