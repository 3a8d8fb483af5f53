"""The vocabulary document and the schemas agree: every code it lists is one the API accepts."""

from common.validation import load
from contracts import applications, postings
from contracts.reference import VocabularySchema, vocabulary_document


def test_the_schema_documents_every_key_of_the_document():
    document = vocabulary_document()
    assert set(VocabularySchema().fields) == set(document)
    assert VocabularySchema().dump(document) == document


def test_listed_codes_are_the_ones_the_request_schemas_accept():
    document = vocabulary_document()
    for status in document["application_statuses"]:
        assert load(applications.MyApplicationsQuery(), {"status": status})["status"] == status
    for kind in document["attachment_kinds"]:
        assert load(applications.AttachmentFormSchema(), {"kind": kind}) == {"kind": kind}
    for level in document["education_requirements"]:
        assert load(postings.SearchQuery(), {"education": level})["education"] == level
    for category, kinds in document["required_attachment_kinds"].items():
        assert category in document["categories"] and set(kinds) <= set(document["attachment_kinds"])
