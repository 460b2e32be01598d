#!/usr/bin/env bash
# Update the English catalogue (locale/en/LC_MESSAGES/django.po) and compile it (django.mo).
#
# Usage, from anywhere in the repository:
#     scripts/update_translations.sh           # extract new strings, then compile
#     scripts/update_translations.sh --check   # also fail if any entry is untranslated or fuzzy
#
# The source strings are Chinese (zh-hans is the default language), so only "en" has a
# catalogue. The workflow after adding or changing a translatable string:
#   1. run this script: makemessages adds the new msgids to the .po with an empty msgstr
#      (a changed string may come back marked "#, fuzzy" with a guess);
#   2. translate every empty msgstr and remove each "#, fuzzy" flag after checking its guess;
#   3. run this script again to compile, and commit both django.po and django.mo
#      (the .mo is shipped so that no one needs gettext at run time).
# tests/test_translations.py fails while an entry is untranslated or fuzzy, or the .mo is stale.
# Needs GNU gettext (apt-get install gettext) and the project's virtualenv (make install).
set -euo pipefail

cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
PO=locale/en/LC_MESSAGES/django.po
export DEBUG="${DEBUG:-1}"  # settings need a SECRET_KEY otherwise

mkdir -p locale
# --add-location=file: references without line numbers, so the .po does not change each time
# someone edits a line above a string. --no-obsolete: strings gone from the code are dropped.
"$PY" manage.py makemessages --locale=en --add-location=file --no-obsolete \
    --ignore=.venv --ignore=var --ignore=tests --ignore=benchmarks --ignore=node_modules \
    --ignore=staticfiles --ignore=docs
"$PY" manage.py compilemessages --locale=en --ignore=.venv
# The Chinese of Django's and third-party apps' English strings that their own catalogues
# lack (written by hand, never extracted): compiled only.
"$PY" manage.py compilemessages --locale=zh_Hans --ignore=.venv

untranslated=$(msgattrib --untranslated --no-obsolete "$PO" | grep -c '^msgid ' || true)
fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$PO" | grep -c '^msgid ' || true)
# msgattrib prints the header entry too when anything matched.
untranslated=$(( untranslated > 0 ? untranslated - 1 : 0 ))
fuzzy=$(( fuzzy > 0 ? fuzzy - 1 : 0 ))
echo "$PO: $untranslated untranslated, $fuzzy fuzzy"
if [[ "${1:-}" == "--check" ]] && (( untranslated + fuzzy > 0 )); then
    echo "Translate the entries above (msgattrib --untranslated / --only-fuzzy $PO lists them)." >&2
    exit 1
fi
