"""Four eyes: what one staff member proposes, a second one confirms; never the proposer."""

from __future__ import annotations

from scoring.core.actors import Actor
from scoring.core.errors import Conflict
from scoring.core.i18n import Msg, msg

# The publication list and its supplementary revisions say the same.
LIST_PROPOSER = msg("A second staff member must confirm: the person who proposed the list cannot confirm it.")


def require_second_person(actor: Actor, proposed_by_id: int | None, refusal: Msg = LIST_PROPOSER) -> None:
    """Refuse (409 four_eyes) a confirmation by the proposer, or by an actor that is nobody."""
    if actor.user_id is None or actor.user_id == proposed_by_id:
        raise Conflict(refusal, code="four_eyes")
