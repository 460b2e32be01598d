from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION scoring_refuse_result_into_published() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM scoring_scoringrun
               WHERE id = NEW.run_id AND published_at IS NOT NULL) THEN
        RAISE EXCEPTION 'a published scoring run cannot change';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS scoring_results_into_published ON scoring_unitresult;
CREATE TRIGGER scoring_results_into_published BEFORE INSERT ON scoring_unitresult
    FOR EACH ROW EXECUTE FUNCTION scoring_refuse_result_into_published();
"""
DROP = """
DROP TRIGGER IF EXISTS scoring_results_into_published ON scoring_unitresult;
DROP FUNCTION IF EXISTS scoring_refuse_result_into_published();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("scoring", "0002_immutable_runs_trigger")]
    operations = [migrations.RunPython(forwards, backwards)]
