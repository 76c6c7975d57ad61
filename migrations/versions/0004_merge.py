"""merge intake and surveys

Revision ID: 0004_merge
Revises: 0003_intake, 0003_surveys
Create Date: 2026-11-22 22:08:21.279188

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004_merge'
down_revision = ('0003_intake', '0003_surveys')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
