from django.db import migrations

# On PostgreSQL the database itself refuses to delete audit events or change what they say. Only the links
# to an account or partnership may become empty (when those are deleted); the labels keep who and where.
CREATE = """
CREATE OR REPLACE FUNCTION audit_event_immutable() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit events cannot be deleted';
    END IF;
    IF (NEW.id, NEW.occurred_at, NEW.actor_label, NEW.source, NEW.action, NEW.object_type, NEW.object_id,
        NEW.object_repr, NEW.changes::text, NEW.detail, NEW.request_path, NEW.ip_address)
       IS DISTINCT FROM
       (OLD.id, OLD.occurred_at, OLD.actor_label, OLD.source, OLD.action, OLD.object_type, OLD.object_id,
        OLD.object_repr, OLD.changes::text, OLD.detail, OLD.request_path, OLD.ip_address)
       OR (NEW.actor_id IS NOT NULL AND NEW.actor_id IS DISTINCT FROM OLD.actor_id)
       OR (NEW.partnership_id IS NOT NULL AND NEW.partnership_id IS DISTINCT FROM OLD.partnership_id) THEN
        RAISE EXCEPTION 'audit events cannot be changed';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_immutable BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_immutable();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_event_immutable ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_immutable();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
