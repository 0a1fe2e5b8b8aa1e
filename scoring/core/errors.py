"""One error base carrying a stable code, an HTTP status and translatable messages."""

from __future__ import annotations

from collections.abc import Mapping

from scoring.core.i18n import Msg, msg


class DomainError(Exception):
    """Raised by services and pure rules; the edge renders it as the API error shape."""

    status: int = 400
    code: str = "bad_request"
    default_message: Msg = msg("The request could not be processed.")

    def __init__(
        self,
        message: Msg | None = None,
        *,
        fields: Mapping[str, Msg] | None = None,
        code: str | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.fields: dict[str, Msg] = dict(fields or {})
        if code:
            self.code = code
        super().__init__(str(self.message))

    def to_dict(self, locale: str) -> dict[str, object]:
        return {
            "error": {
                "code": self.code,
                "message": self.message.render(locale),
                "fields": {path: rule.render(locale) for path, rule in self.fields.items()},
            }
        }


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"
    default_message = msg("Some fields are not valid.")


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"
    default_message = msg("Please log in.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_message = msg("Your role does not allow this action.")


class NotFound(DomainError):
    """Also used for objects the caller may not see: we never confirm they exist."""

    status = 404
    code = "not_found"
    default_message = msg("Not found.")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    default_message = msg("The request conflicts with the current state.")


class StaleVersion(Conflict):
    code = "stale_version"
    default_message = msg(
        "Someone else changed this record since you read it (version %(expected)s, now %(actual)s). "
        "Reload and apply your changes again.",
        expected="?",
        actual="?",
    )


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = msg("This action is not allowed in the current state.")


class DeadlinePassed(Conflict):
    code = "deadline_passed"
    default_message = msg("The deadline has passed.")


class TooLarge(DomainError):
    status = 413
    code = "too_large"
    default_message = msg("The upload is too large.")


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported_media_type"
    default_message = msg("This file type is not accepted.")


class TooManyRequests(DomainError):
    status = 429
    code = "too_many_requests"
    default_message = msg("Too many attempts. Try again later.")


def invalid(path: str, rule: Msg, message: Msg | None = None) -> ValidationFailed:
    """A one-field validation error: ``raise invalid("figures.rd_intensity", msg("must be …"))``."""
    return ValidationFailed(message, fields={path: rule})
