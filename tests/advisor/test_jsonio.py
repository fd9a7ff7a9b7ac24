"""How an assessment's rows and archive are written as JSON (advisor.jsonio)."""

import json

from advisor.jsonio import json_text, json_value, pack_document, unpack_document


def test_a_packed_document_unpacks_to_the_same_document():
    document = {
        "organization": "Café Ölfeld",
        "products": [{"name": "Zahlungen", "what_would_change": [{"from": 0.5, "to": 2}]}],
        "people": [{"name": "Åsa", "findings": [], "scope_votes": None}],
        "flag": True,
    }

    packed = pack_document(document)

    assert isinstance(packed, bytes)
    assert unpack_document(packed) == document
    assert unpack_document(memoryview(packed)) == document


def test_a_large_document_is_archived_in_a_fraction_of_its_json():
    people = [{"name": f"Engineer {n}", "role": "engineer", "findings": []} for n in range(2000)]
    document = {"people": people}

    assert len(pack_document(document)) * 10 < len(json.dumps(document))


def test_json_text_is_compact_json_that_reads_back_the_same():
    value = {"backlog_share": 45, "markets": ["EU", "US"], "ratio": 0.25, "unknown": None}

    text = json_text(value)

    assert text == '{"backlog_share":45,"markets":["EU","US"],"ratio":0.25,"unknown":null}'
    assert json.loads(text) == value


def test_json_text_writes_what_orjson_refuses_through_the_standard_library():
    value = {"engineers": 2**70, "name": "Ölfeld"}

    assert json.loads(json_text(value)) == value


def test_json_text_writes_a_read_only_mapping_as_an_object():
    from types import MappingProxyType

    assert json_text({"facts": MappingProxyType({"squads": 3})}) == '{"facts":{"squads":3}}'
    assert json.loads(json_text({"n": 2**70, "m": MappingProxyType({"a": 1})})) == {
        "n": 2**70,
        "m": {"a": 1},
    }


def test_an_integer_past_64_bits_is_read_back_exactly():
    big = 2**70 + 1
    document = {"engineers": big, "names": ["a" * 3, "1" * 25]}
    assert unpack_document(pack_document(document)) == document
    assert json_value(json_text([big, 1.5])) == [big, 1.5]
    assert type(json_value(json_text([big]))[0]) is int
