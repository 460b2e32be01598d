"""The API's shapes: input checked here, output rendered through the same classes so that the
documented field names are the ones sent (stable: renaming one is a new API version)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.services import SentValue

ELEMENT_CODE_MAX = 20
NOTE_MAX = 2000
VALUES_MAX = 1000
VALUE_TYPE = _("值应为数值、文本或 null")

# --- published data ---------------------------------------------------------------------------


class PublicationSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    publication_number = serializers.IntegerField()
    run_id = serializers.IntegerField()
    published_at = serializers.DateTimeField()
    revision_of = serializers.IntegerField(allow_null=True,
                                           help_text="the publication number it revises")
    note = serializers.CharField(allow_blank=True)
    model_version = serializers.CharField()
    partial = serializers.BooleanField(
        help_text="true when the publication covers fewer than all ranked regions")
    covered = serializers.IntegerField(help_text="ranked regions the publication covers")
    of = serializers.IntegerField(help_text="ranked regions in all (31)")


class YearSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    model_version = serializers.CharField()
    publications = PublicationSerializer(many=True, help_text="the latest first")


class RankingRowSerializer(serializers.Serializer):
    """A row of ``export_rankings --format json`` (``rank``, ``region_code``, ``region_name``,
    one key per dimension code with its points, ``total``, ``rank_<dimension>``), with the
    year, the rank interval, the tier and completeness."""

    year = serializers.IntegerField()
    rank = serializers.IntegerField(allow_null=True)
    region_code = serializers.CharField()
    region_name = serializers.CharField()
    total = serializers.FloatField(allow_null=True)
    rank_p05 = serializers.FloatField(allow_null=True)
    rank_median = serializers.FloatField(allow_null=True)
    rank_p95 = serializers.FloatField(allow_null=True)
    rank_low = serializers.IntegerField(
        allow_null=True, help_text="rank_p05 as a whole rank, the column of export_rankings")
    rank_high = serializers.IntegerField(
        allow_null=True, help_text="rank_p95 as a whole rank, the column of export_rankings")
    tier = serializers.CharField(allow_blank=True)
    tier_label = serializers.CharField(allow_blank=True)
    incomplete = serializers.BooleanField()
    previous_rank = serializers.IntegerField(
        allow_null=True,
        help_text="null unless this and the previous publication are both complete")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = dict(super().to_representation(instance))
        # The dimensions' points and ranks, under the dimension codes of the run's model.
        for key, value in instance.items():
            if key not in data:
                data[key] = float(value) if value is not None and not isinstance(
                    value, (int, str)) else value
        return data


class RankingSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    publication = PublicationSerializer()
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = RankingRowSerializer(many=True)


class DimensionResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    max_points = serializers.FloatField()
    points = serializers.FloatField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True)


class IndicatorResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    dimension = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    score_percent = serializers.FloatField(allow_null=True)


class RegionResultSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    publication_number = serializers.IntegerField()
    region_code = serializers.CharField()
    region_name = serializers.CharField()
    ranked = serializers.BooleanField()
    rank = serializers.IntegerField(allow_null=True)
    total = serializers.FloatField(allow_null=True)
    tier = serializers.CharField(allow_blank=True)
    tier_label = serializers.CharField(allow_blank=True)
    incomplete = serializers.BooleanField()
    rank_p05 = serializers.FloatField(allow_null=True)
    rank_median = serializers.FloatField(allow_null=True)
    rank_p95 = serializers.FloatField(allow_null=True)
    previous_rank = serializers.IntegerField(
        allow_null=True,
        help_text="null unless this and the previous publication are both complete")
    rank_change = serializers.IntegerField(allow_null=True)
    dimensions = DimensionResultSerializer(many=True)
    indicators = IndicatorResultSerializer(many=True)


class RegionSerializer(serializers.Serializer):
    region_code = serializers.CharField(source="code")
    name = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    short_name = serializers.CharField()
    macro_region = serializers.CharField()
    ranked = serializers.BooleanField()


class ModelVersionSerializer(serializers.Serializer):
    code = serializers.CharField()
    year = serializers.IntegerField()
    state = serializers.CharField()
    title = serializers.CharField(allow_blank=True)


class ModelVersionDetailSerializer(ModelVersionSerializer):
    cycles = serializers.ListField(child=serializers.IntegerField())
    document = serializers.DictField(
        help_text="the model as export_model writes it and import_model reads it")


class TargetSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    unit = serializers.CharField()
    group = serializers.CharField()
    target = serializers.DictField()
    values = serializers.DictField(help_text="by year")
    growth = serializers.DictField(help_text="by year")
    met = serializers.DictField(help_text="by year")


# --- one region's submission ------------------------------------------------------------------


class VersionSummarySerializer(serializers.Serializer):
    number = serializers.IntegerField()
    source = serializers.CharField()
    validation = serializers.CharField(help_text="pending, running, valid, invalid, rejected")
    error_count = serializers.IntegerField()
    warning_count = serializers.IntegerField()
    unexplained_warning_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    validated_at = serializers.DateTimeField(allow_null=True)
    created_by = serializers.CharField(allow_blank=True)


class SubmissionSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    region_code = serializers.CharField()
    region_name = serializers.CharField()
    model_version = serializers.CharField()
    cycle_state = serializers.CharField()
    deadline = serializers.DateField()
    state = serializers.CharField()
    state_label = serializers.CharField()
    editable = serializers.BooleanField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)
    next_step = serializers.CharField()
    current_version = VersionSummarySerializer(allow_null=True)
    latest_version = VersionSummarySerializer(allow_null=True)


class TemplateElementSerializer(serializers.Serializer):
    element_code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    kind = serializers.CharField()
    minimum = serializers.FloatField(allow_null=True)
    minimum_exclusive = serializers.BooleanField()
    maximum = serializers.FloatField(allow_null=True)
    max_level = serializers.IntegerField(allow_null=True)
    range_note = serializers.CharField(allow_blank=True)
    last_value = serializers.FloatField(allow_null=True)
    value = serializers.FloatField(allow_null=True)
    note = serializers.CharField(allow_blank=True)


class TemplateSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    region_code = serializers.CharField()
    model_version = serializers.CharField()
    elements = TemplateElementSerializer(many=True)


class IssueSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    region_code = serializers.CharField()
    element_code = serializers.CharField(allow_blank=True)
    severity = serializers.CharField(help_text="error or warning")
    rule_code = serializers.CharField()
    message = serializers.CharField(help_text="in the language of the request")
    message_zh = serializers.CharField()
    message_en = serializers.CharField()
    sheet = serializers.CharField(allow_blank=True)
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_blank=True)


class StoredValueSerializer(serializers.Serializer):
    element_code = serializers.CharField()
    value = serializers.FloatField(allow_null=True)
    raw = serializers.CharField(allow_blank=True)
    note = serializers.CharField(allow_blank=True)


class VersionReportSerializer(VersionSummarySerializer):
    year = serializers.IntegerField()
    region_code = serializers.CharField()
    current = serializers.BooleanField()
    values = StoredValueSerializer(many=True)
    issues = IssueSerializer(many=True)


class AcceptedVersionSerializer(VersionSummarySerializer):
    year = serializers.IntegerField()
    region_code = serializers.CharField()
    report = serializers.CharField(help_text="where the validation report will be")


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string"}],
                      "nullable": True,
                      "description": "a number, a text as an officer would type it "
                                     "(\"1,234.5\", \"12.5%\"), or null for no value"})
class ValueField(serializers.Field):
    def to_internal_value(self, data: Any) -> Any:
        if data is not None and not isinstance(data, (int, float, str)):
            raise serializers.ValidationError(str(VALUE_TYPE), code="invalid")
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class ValueEntrySerializer(serializers.Serializer):
    element_code = serializers.CharField(max_length=ELEMENT_CODE_MAX)
    value = ValueField(allow_null=True)
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True,
                                 allow_null=True, default=None,
                                 help_text="omitted or null: the current note is kept")


class ValuesSerializer(serializers.Serializer):
    values = ValueEntrySerializer(many=True, allow_empty=False, max_length=VALUES_MAX)

    def sent(self) -> list[SentValue]:
        return [SentValue(v["element_code"], v["value"], v["note"])
                for v in self.validated_data["values"]]


class ExplanationSerializer(serializers.Serializer):
    element_code = serializers.CharField(max_length=ELEMENT_CODE_MAX)
    note = serializers.CharField(max_length=NOTE_MAX)


class ExplanationsSerializer(serializers.Serializer):
    explanations = ExplanationSerializer(many=True, allow_empty=False, max_length=VALUES_MAX)

    def notes(self) -> list[tuple[str, str]]:
        return [(e["element_code"], e["note"]) for e in self.validated_data["explanations"]]


class FileSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="the filled template (xlsx, xls, ods or csv)")


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, with the platform's stable code."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField(help_text="stable: programs may rely on it")
    field = serializers.CharField(required=False)
    place = serializers.CharField(required=False)
    errors = serializers.ListField(child=serializers.DictField(), required=False)


@extend_schema_field(OpenApiTypes.BINARY)
class BinaryField(serializers.Field):
    pass
