"""Frame loaders by name: SQL that filters by tenant and period in the database, read into pandas.

Each capability adds its loaders here (`LOADERS[name] = function(ctx) -> DataFrame`).
"""

LOADERS: dict = {}
