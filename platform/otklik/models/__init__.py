"""SQLAlchemy models, one module per aggregate. Import models from here."""

from .analysis import Analysis, ReleasedPeriod
from .appeal import Appeal
from .due import DueWork
from .intake import ClassifierEntry, ImportBatch, ImportMapping
from .mail import OutboundMessage
from .painmap import Evidence, Measure, Pain, PainEvent, PainmapVersion, Process, Suggestion
from .publication import Publication
from .survey import Questionnaire, QuestionnaireVersion, Survey, SurveyAnswer, SurveyResponse
from .tenant import Tenant
from .user import ApiToken, Membership, User, UserSession

__all__ = ["Analysis", "ApiToken", "Appeal", "ClassifierEntry", "DueWork", "Evidence", "ImportBatch", "ImportMapping",
           "Measure", "OutboundMessage",
           "Membership", "Pain", "PainEvent", "PainmapVersion", "Process", "Publication", "Questionnaire", "QuestionnaireVersion",
           "ReleasedPeriod", "Suggestion", "Survey", "SurveyAnswer", "SurveyResponse", "Tenant", "User", "UserSession"]
