"""Frame loaders by name: SQL that filters by tenant and period in the database, read into pandas.

Each kind's module contributes its loaders (`name -> function(ctx) -> DataFrame`); every SQL function behind
them takes `tenant_id` as a required argument (Core SQL and pandas.read_sql bypass the ORM's tenant scoping).
"""

from . import appeals, surveys

LOADERS: dict = {**appeals.LOADERS, **surveys.LOADERS}
