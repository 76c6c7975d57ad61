"""The Analytical Centre: authorities compared on comparable indicators, from stored results, aggregates only."""
