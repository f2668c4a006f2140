import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("query", "field", "english", "spanish"),
    [
        ("?country=PE&sector=1410&on=yesterday", "on", "Use YYYY-MM-DD.", "AAAA-MM-DD"),
        ("?country=PE&sector=1410&page=x", "page", "Give a page number.", "número de página"),
        ("?country=ZZ&sector=9999", "detail", "known country code", "código de país"),
    ],
)
def test_binding_api_refuses_bad_questions_clearly_in_both_languages(
    client, query, field, english, spanish
):
    response = client.get(f"/api/v1/criteria/binding/{query}")
    assert response.status_code == 400
    body = response.json()
    assert (body["status"], body["code"]) == (400, "invalid")
    assert english in body["errors"][field][0]
    response = client.get(f"/api/v1/criteria/binding/{query}", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 400
    assert spanish in response.json()["errors"][field][0]
