"""SQLAlchemy models, one module per aggregate. Import models from here."""

from .analysis import Analysis
from .appeal import Appeal
from .intake import ClassifierEntry, ImportBatch, ImportMapping
from .survey import Questionnaire, QuestionnaireVersion, Survey, SurveyAnswer, SurveyResponse
from .tenant import Tenant
from .user import ApiToken, Membership, User

__all__ = ["Analysis", "ApiToken", "Appeal", "ClassifierEntry", "ImportBatch", "ImportMapping", "Membership",
           "Questionnaire", "QuestionnaireVersion", "Survey", "SurveyAnswer", "SurveyResponse", "Tenant", "User"]
