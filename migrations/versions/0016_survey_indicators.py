"""survey indicators and comparison settings

Revision ID: 0016_survey_indicators
Revises: 0015_people
Create Date: 2026-11-30 20:40:00

Reserved in the chain so that parallel work adds its tables without two heads; filled by its owner.
"""

revision = '0016_survey_indicators'
down_revision = '0015_people'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
