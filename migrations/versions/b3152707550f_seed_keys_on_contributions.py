"""seed keys on contributions: re-seeding updates seeded rows in place instead of duplicating them

Revision ID: b3152707550f
Revises: 70246d9e8de8
Create Date: 2026-12-04 16:52:56.612047

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3152707550f'
down_revision = '70246d9e8de8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('action_point', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seed_key', sa.String(length=80), nullable=True))

    with op.batch_alter_table('design_element', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seed_key', sa.String(length=80), nullable=True))

    with op.batch_alter_table('example', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seed_key', sa.String(length=80), nullable=True))

    with op.batch_alter_table('mission_statement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seed_key', sa.String(length=80), nullable=True))

    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seed_key', sa.String(length=80), nullable=True))


def downgrade():
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.drop_column('seed_key')

    with op.batch_alter_table('mission_statement', schema=None) as batch_op:
        batch_op.drop_column('seed_key')

    with op.batch_alter_table('example', schema=None) as batch_op:
        batch_op.drop_column('seed_key')

    with op.batch_alter_table('design_element', schema=None) as batch_op:
        batch_op.drop_column('seed_key')

    with op.batch_alter_table('action_point', schema=None) as batch_op:
        batch_op.drop_column('seed_key')
