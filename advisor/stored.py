"""Reading part of a stored assessment's facts without decoding all of them.

The facts of a thousand-squad organization are a JSON document of a few MB, and
decoding it into Python is most of what a page showing the assessment costs
(docs/performance.md). The assessment page needs the facts of a few dozen people
only, so the database picks them out of the stored JSON and Python decodes those.
"""

import json
from collections.abc import Collection
from typing import Any

from django.db import connection

from advisor.models import Assessment


def stored_people_facts(assessment: Assessment, places: Collection[int]) -> list[dict[str, Any]]:
    """The entries of the stored facts' `people` list at these places (from 0), in order of
    place, in one query. Places past the end are left out."""
    places = sorted({int(place) for place in places})
    if not places:
        return []
    table = connection.ops.quote_name(Assessment._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The places are integers, so the path is safe to build; one path query reads the
            # stored value once however many people it picks.
            path = f"$.people[{', '.join(map(str, places))}]"
            cursor.execute(
                f"SELECT jsonb_path_query_array(facts, %s::jsonpath) FROM {table} WHERE id = %s",
                [path, assessment.pk],
            )
            row = cursor.fetchone()
            return json.loads(row[0]) if row else []
        if connection.vendor == "sqlite":
            marks = ", ".join(["%s"] * len(places))
            cursor.execute(
                f"SELECT people.value FROM {table}, json_each({table}.facts, '$.people') AS people "
                f"WHERE {table}.id = %s AND people.key IN ({marks}) ORDER BY people.key",
                [assessment.pk, *places],
            )
            return [json.loads(value) for (value,) in cursor.fetchall()]
    people = Assessment.objects.values_list("facts", flat=True).get(pk=assessment.pk)["people"]
    return [people[place] for place in places if place < len(people)]
