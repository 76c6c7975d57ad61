"""Sample size for an additional collection: kept here for the escalation plugin and older imports; the formula
lives in the core (`otklik.prevalence`), where the pain map reaches it too."""

from ..prevalence import sample_size, z_of

__all__ = ["sample_size", "z_of"]
