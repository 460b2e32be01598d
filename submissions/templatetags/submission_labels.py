"""``{% load submission_labels %}``: ``{{ issue.rule_code|rule_title }}`` and
``{{ transition.action|action_label }}``, the words of ``submissions/labels.py``."""

from __future__ import annotations

from django import template

from submissions import labels

register = template.Library()

register.filter("rule_title", labels.rule_title)
register.filter("action_label", labels.action_label)
