"""Domain errors; adapters map each to a kind message in the user's language."""


class DomainError(Exception):
    """Base of every error a person can cause by what they send."""

    buttons_go = False  # an adapter may mark a refused tap whose buttons stand for what is gone


class InviteUnknown(DomainError):
    """No invite has this code."""


class InviteExpired(DomainError):
    """The invite existed but is past its date or its number of uses."""


class TooManyTries(DomainError):
    """This chat sent too many wrong codes in a short time; it has to wait."""


class AlreadyLinked(DomainError):
    """The chat is already connected to an organisation."""

    def __init__(self, organisation: str) -> None:
        super().__init__(organisation)
        self.organisation = organisation


class NotAParticipant(DomainError):
    """The chat has not finished onboarding, so there is nothing of theirs to act on."""


class Refused(DomainError):
    """A staff action that is not allowed or not possible; `reason` names the kind message."""

    def __init__(self, reason: str, **details: object) -> None:
        super().__init__(reason)
        self.reason, self.details = reason, details
