from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION scoring_refuse_result_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'scoring results are immutable: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS scoring_results_immutable ON scoring_unitresult;
CREATE TRIGGER scoring_results_immutable BEFORE UPDATE OR DELETE ON scoring_unitresult
    FOR EACH ROW EXECUTE FUNCTION scoring_refuse_result_change();

CREATE OR REPLACE FUNCTION scoring_guard_run() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'scoring runs are never deleted';
    END IF;
    IF OLD.published_at IS NOT NULL THEN
        RAISE EXCEPTION 'a published scoring run cannot change';
    END IF;
    IF NEW.input_hash <> OLD.input_hash OR NEW.result_hash <> OLD.result_hash
       OR NEW.inputs::text <> OLD.inputs::text OR NEW.cycle_id <> OLD.cycle_id THEN
        RAISE EXCEPTION 'only publication may change a scoring run';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS scoring_run_guard ON scoring_scoringrun;
CREATE TRIGGER scoring_run_guard BEFORE UPDATE OR DELETE ON scoring_scoringrun
    FOR EACH ROW EXECUTE FUNCTION scoring_guard_run();
"""
DROP = """
DROP TRIGGER IF EXISTS scoring_results_immutable ON scoring_unitresult;
DROP TRIGGER IF EXISTS scoring_run_guard ON scoring_scoringrun;
DROP FUNCTION IF EXISTS scoring_refuse_result_change();
DROP FUNCTION IF EXISTS scoring_guard_run();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("scoring", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
