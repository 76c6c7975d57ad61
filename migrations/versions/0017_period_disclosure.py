"""period_disclosure (issue 23)

Revision ID: 0017_period_disclosure
Revises: 0016_survey_indicators
Create Date: 2026-12-07 21:15:00

Reserved in the chain so that parallel work adds its tables without two heads; filled by its owner (issue 23).
"""

revision = '0017_period_disclosure'
down_revision = '0016_survey_indicators'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
