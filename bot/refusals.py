"""The kind sentence for each thing staff can ask that is refused, shared by chat and CLI."""

from __future__ import annotations

from bot.i18n import N_, _, language_name
from bot.services.errors import Refused

REFUSALS = {
    "empty": N_("The message is empty. Please write a text."),
    "too_long": N_(
        "The text in {language} has {length} characters. The most is {limit}. "
        "Please make it shorter."
    ),
    "no_group": N_("Choose at least one group."),
    "unknown_group": N_("This group does not exist in your organisation."),
    "in_the_past": N_("That time has already passed. Choose a time in the future."),
    "language": N_("Wegwijzer does not speak that language."),
    "unknown_broadcast": N_("Your organisation has no message with that number."),
    "already_over": N_("This message was already sent completely, or stopped."),
    "not_staff": N_("Only staff of an organisation can do this."),
    "not_yours": N_("This participant is not one of yours."),
    "unknown_appointment": N_("This appointment does not exist, or it is already over."),
    "no_participants": N_("You have no participants yet."),
    "not_yet": N_("You can fill this in on the day itself, not before."),
    "unknown_alert": N_("This alert does not exist, or it is not about one of yours."),
}


def refusal(error: Refused) -> str:
    details = dict(error.details)
    if "language" in details:
        details["language"] = language_name(str(details["language"]))
    return _(REFUSALS[error.reason], **details)
