"""Publishing: the tenant policy decides, the worker writes snapshots, small cells are suppressed."""
