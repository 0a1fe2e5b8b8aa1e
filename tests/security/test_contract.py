"""Contract mismatches schemathesis found, pinned: each answer is one the OpenAPI documents."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def test_a_body_that_is_not_utf8_is_invalid_json_not_a_bare_400(
    client: TestClient, make_person: Any, login: Any
) -> None:
    headers = {**login(make_person("staff")), "Content-Type": "application/json"}
    resp = client.post("/api/v1/campaigns", content=b"d\x12\xff", headers=headers)
    assert (resp.status_code, resp.json()["error"]["code"]) == (422, "invalid_json")


def test_a_literal_path_is_its_own_resource_not_a_malformed_id(
    client: TestClient, make_person: Any, login: Any
) -> None:
    headers = login(make_person("staff"))
    # PUT reached PUT /organisations/{organisation_id} with the id "import": the path serves POST only.
    put = client.put("/api/v1/organisations/import", headers=headers, json={})
    assert (put.status_code, put.headers["allow"], put.json()["error"]["code"]) == (
        405,
        "POST",
        "method_not_allowed",
    )
    # GET /rounds/{round_id} does not make GET a method of /rounds/setup.
    options = client.options("/api/v1/rounds/setup", headers=headers)
    assert (options.status_code, options.headers["allow"]) == (405, "POST")
    # A malformed id on a parameterised path is still a 422 naming the field.
    bad_id = client.get("/api/v1/organisations/abc", headers=headers)
    assert (bad_id.status_code, list(bad_id.json()["error"]["fields"])) == (422, ["organisation_id"])


def test_booleans_and_date_times_are_not_coerced_from_numbers(
    client: TestClient, make_person: Any, login: Any
) -> None:
    headers = login(make_person("staff"))
    prefs = client.put("/api/v1/inbox/preferences", headers=headers, json={"reminder_emails": 0})
    assert (prefs.status_code, list(prefs.json()["error"]["fields"])) == (422, ["reminder_emails"])
    campaign = client.post(
        "/api/v1/campaigns", headers=headers, json={"year": 2026, "title": "t", "deadline": 0}
    )
    assert (campaign.status_code, list(campaign.json()["error"]["fields"])) == (422, ["deadline"])
    ok = client.put("/api/v1/inbox/preferences", headers=headers, json={"reminder_emails": False})
    assert (ok.status_code, ok.json()["reminder_emails"]) == (200, False)


def test_the_attachment_download_documents_the_types_it_serves(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    content = spec["paths"]["/api/v1/attachments/{attachment_id}"]["get"]["responses"]["200"]["content"]
    assert sorted(content) == ["application/octet-stream", "application/pdf", "image/jpeg", "image/png"]


def test_a_multipart_body_without_parts_is_invalid_input(
    client: TestClient, make_person: Any, login: Any
) -> None:
    headers = {**login(make_person("staff")), "Content-Type": "multipart/form-data; boundary=b"}
    resp = client.post("/api/v1/organisations/import", content=b"--b\r\n--b--\r\n", headers=headers)
    assert (resp.status_code, resp.json()["error"]["code"]) == (422, "invalid_body")


def test_a_literal_path_answers_405_before_the_callers_permissions(
    client: TestClient, make_org: Any, make_person: Any, login: Any
) -> None:
    # An applicant's PUT reached the staff-only PUT /organisations/{organisation_id} (a 404 for it).
    applicant = login(make_person("applicant", org=make_org()))
    put = client.put("/api/v1/organisations/import-template", headers=applicant)
    assert (put.status_code, put.headers["allow"]) == (405, "GET, HEAD")
