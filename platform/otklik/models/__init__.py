"""SQLAlchemy models, one module per aggregate. Import models from here."""

from .analysis import Analysis
from .appeal import Appeal
from .tenant import Tenant
from .user import ApiToken, Membership, User

__all__ = ["Analysis", "Appeal", "ApiToken", "Membership", "Tenant", "User"]
