"""Audit events in words: what was done (the part of the action after the dot) and to what."""

from __future__ import annotations

from scoring.core.i18n import Msg, pmsg

# pmsg literals, so the message extractor (and tests/foundation/test_i18n.py) sees every one of them
VERBS: dict[str, Msg] = {
    "create": pmsg("audit", "create"),
    "update": pmsg("audit", "update"),
    "submit": pmsg("audit", "submit"),
    "formal_check": pmsg("audit", "formal check"),
    "recommendation": pmsg("audit", "recommendation"),
    "delete": pmsg("audit", "delete"),
    "upload": pmsg("audit", "upload"),
    "evaluated": pmsg("audit", "evaluated"),
    "figures": pmsg("audit", "figures"),
    "references": pmsg("audit", "record reference values"),
    "figures_correction": pmsg("audit", "correct figures after evaluation"),
    "rectification": pmsg("audit", "rectification"),
    "restore": pmsg("audit", "restore"),
    "revocation_propose": pmsg("audit", "revocation propose"),
    "revoke": pmsg("audit", "revoke"),
    "close": pmsg("audit", "close"),
    "assign": pmsg("audit", "assign"),
    "declare": pmsg("audit", "declare"),
    "save": pmsg("audit", "save"),
    "file": pmsg("audit", "file"),
    "draw": pmsg("audit", "draw"),
    "extend": pmsg("audit", "extend"),
    "approval": pmsg("audit", "approval"),
    "decide": pmsg("audit", "decide"),
    "propose_publication": pmsg("audit", "propose publication"),
    "publish": pmsg("audit", "publish"),
    "start_notice": pmsg("audit", "start notice"),
    "revision_approval": pmsg("audit", "approval of the changed list"),
    "propose_supplementary_notice": pmsg("audit", "propose supplementary notice"),
    "start_supplementary_notice": pmsg("audit", "start supplementary notice"),
    "import": pmsg("audit", "import"),
    "reopen": pmsg("audit", "reopen"),
    "lock": pmsg("audit", "lock"),
    "open_web": pmsg("audit", "open web"),
    "open_api": pmsg("audit", "open api"),
    "close_web": pmsg("audit", "close web"),
    "close_api": pmsg("audit", "close api"),
    "open": pmsg("audit", "open"),
    "close_applications": pmsg("audit", "close applications"),
    "start_review": pmsg("audit", "start review"),
    "start_deciding": pmsg("audit", "start deciding"),
    "uphold": pmsg("audit", "uphold"),
    "dismiss": pmsg("audit", "dismiss"),
    "accept": pmsg("audit", "accept"),
    "reject": pmsg("audit", "reject"),
    "return": pmsg("audit", "return"),
    "add_document": pmsg("audit", "add a document"),
    "withdraw": pmsg("audit", "withdraw"),
    "recommend": pmsg("audit", "recommend"),
    "decline": pmsg("audit", "decline"),
    "confirm": pmsg("audit", "confirm"),
    "designate": pmsg("audit", "designate"),
    "shortlist": pmsg("audit", "shortlist"),
    "call_up": pmsg("audit", "call up"),
    "replace": pmsg("audit", "replace"),
    "complete_scoring": pmsg("audit", "complete scoring"),
    "reopen_sheet": pmsg("audit", "reopen sheet"),
    "assign_panel": pmsg("audit", "assign panel"),
    "pass": pmsg("audit", "pass"),
    "fail": pmsg("audit", "fail"),
    "propose": pmsg("audit", "propose"),
    "order_rectification": pmsg("audit", "order rectification"),
    "repair": pmsg("audit", "repair"),
}
ENTITIES: dict[str, Msg] = {
    "application": pmsg("audit", "application"),
    "attachment": pmsg("audit", "attachment"),
    "base": pmsg("audit", "base"),
    "campaign": pmsg("audit", "campaign"),
    "evaluation": pmsg("audit", "evaluation"),
    "expert": pmsg("audit", "expert"),
    "objection": pmsg("audit", "objection"),
    "organisation": pmsg("audit", "organisation"),
    "panel": pmsg("audit", "panel"),
    "round": pmsg("audit", "round"),
    "rubric_version": pmsg("audit", "rubric version"),
    "sheet": pmsg("audit", "sheet"),
    "user": pmsg("audit", "user"),
    "session": pmsg("audit", "session"),
    "registration": pmsg("audit", "registration"),
    "document": pmsg("audit", "document"),
    "panel_aggregates": pmsg("audit", "panel score aggregates"),
}


def action_words(action: str, locale: str) -> str:
    """`sheet.save` → 「保存」; an action not listed stays as it is (it is still findable by filter)."""
    verb = action.rpartition(".")[2]
    word = VERBS.get(verb)
    return word.render(locale) if word is not None else action


def entity_words(entity: str, locale: str) -> str:
    word = ENTITIES.get(entity)
    return word.render(locale) if word is not None else entity
