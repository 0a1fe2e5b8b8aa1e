"""Bad input on organisations and accounts: a clear error naming the field, and nothing saved."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from scoring.core.actors import SYSTEM
from scoring.core.credit_code import make_credit_code
from scoring.core.errors import Conflict, ValidationFailed
from scoring.services.admin.accounts import OrganisationIn, UserIn, create_organisation, create_user
from tests.conftest import PASSWORD, count

GOOD_CODE = make_credit_code("1", "1", "130100", "00000012")


def _zh(exc: ValidationFailed | Conflict) -> dict[str, str]:
    return {k: v.render("zh_CN") for k, v in exc.fields.items()}


def _en(exc: ValidationFailed | Conflict) -> dict[str, str]:
    return {k: v.render("en") for k, v in exc.fields.items()}


def test_valid_organisation_is_saved_and_audited(session: Session) -> None:
    before = count(session, "audit_events")
    org = create_organisation(
        session,
        actor=SYSTEM,
        data=OrganisationIn(
            name="正定县人民政府", credit_code=GOOD_CODE.lower(), kind="government", district="正定县"
        ),
    )
    assert org.credit_code == GOOD_CODE
    assert count(session, "audit_events") == before + 1


def test_wrong_check_character_is_refused(session: Session) -> None:
    last = GOOD_CODE[-1]
    bad = GOOD_CODE[:-1] + ("0" if last != "0" else "1")
    before = count(session, "organisations")
    with pytest.raises(ValidationFailed) as err:
        create_organisation(
            session,
            actor=SYSTEM,
            data=OrganisationIn(name="某单位", credit_code=bad, kind="enterprise", district="长安区"),
        )
    assert _en(err.value) == {"credit_code": "the check character (the 18th) does not match (GB 32100-2015)"}
    assert "校验码" in _zh(err.value)["credit_code"]
    assert count(session, "organisations") == before


def test_unknown_district_is_refused(session: Session) -> None:
    with pytest.raises(ValidationFailed) as err:
        create_organisation(
            session,
            actor=SYSTEM,
            data=OrganisationIn(name="某单位", credit_code=GOOD_CODE, kind="enterprise", district="海淀区"),
        )
    assert list(err.value.fields) == ["district"]


@pytest.mark.parametrize(
    ("changes", "field", "english"),
    [
        (
            {"role": "superuser"},
            "role",
            "must be one of: applicant, county, expert, evaluator, staff, admin, auditor",
        ),
        ({"password": "short1A"}, "password", "must be at least 8 characters long"),
        (
            {"password": "alllowercase1"},
            "password",
            "must contain at least 3 of these 4: upper-case letters, lower-case letters, digits, symbols",
        ),
        ({"username": "a b"}, "username", "must be 3 to 64 letters, digits, dots, hyphens or underscores"),
        (
            {"role": "county", "district": None},
            "district",
            "a county recommender account must belong to a district",
        ),
        (
            {"role": "county", "district": "朝阳区"},
            "district",
            "must be one of the districts of Shijiazhuang",
        ),
        ({"role": "applicant"}, "organisation", "an applicant account must belong to an organisation"),
    ],
)
def test_bad_user_input_names_the_field(session: Session, changes, field, english) -> None:
    data = {"username": "new.user", "password": PASSWORD, "role": "expert", **changes}
    before = count(session, "users")
    with pytest.raises(ValidationFailed) as err:
        create_user(session, actor=SYSTEM, data=UserIn(**data))
    assert _en(err.value)[field] == english
    assert _zh(err.value)[field] != english  # translated
    assert count(session, "users") == before


def test_duplicate_username_is_a_conflict(session: Session, make_person) -> None:
    person = make_person("expert")
    before = count(session, "users")
    with pytest.raises(Conflict) as err:
        create_user(
            session, actor=SYSTEM, data=UserIn(username=person.username, password=PASSWORD, role="staff")
        )
    assert _en(err.value) == {"username": "this username is taken"}
    assert count(session, "users") == before
