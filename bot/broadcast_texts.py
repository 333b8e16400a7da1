"""Broadcast texts for staff, shared by the Telegram flow and the command line."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.i18n import N_, _, format_when, language_name
from bot.services.broadcasts import BroadcastRefused, Report
from storage.models import BroadcastState

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
}

HEADERS = {
    BroadcastState.SCHEDULED: N_("Message {id} will be sent on {when}."),
    BroadcastState.SENDING: N_("Message {id} is being sent."),
    BroadcastState.CANCELLED: N_("Message {id} was cancelled before it started."),
    BroadcastState.STOPPED: N_("Message {id} was stopped."),
}


def refusal(error: BroadcastRefused) -> str:
    details = dict(error.details)
    if "language" in details:
        details["language"] = language_name(str(details["language"]))
    return _(REFUSALS[error.reason], **details)


def report_text(report: Report, zone: ZoneInfo) -> str:
    """The delivery report: totals, who was skipped, and per language the 👍 presses."""
    broadcast = report.broadcast
    state = report.by_state
    lines = [
        _(
            HEADERS[broadcast.state],
            id=broadcast.id,
            when=format_when(broadcast.scheduled_for, zone),
        ),
        _(
            "Sent: {sent}. Waiting: {waiting}. Failed: {failed}. Blocked the bot: {blocked}. "
            "Cancelled: {cancelled}.",
            sent=state["sent"],
            waiting=state["queued"] + state["sending"],
            failed=state["failed"],
            blocked=state["blocked"],
            cancelled=state["cancelled"],
        ),
        _(
            "Skipped: {stopped} people who used /stop, {unreachable} who blocked the bot.",
            stopped=report.skipped.get("stopped", 0),
            unreachable=report.skipped.get("unreachable", 0),
        ),
    ]
    for language, counts in sorted(report.by_language.items()):
        lines.append(
            _(
                "{language}: {sent} of {total} sent, {understood} pressed 👍.",
                language=language_name(language) if language != "?" else "?",
                sent=counts["sent"],
                total=sum(v for k, v in counts.items() if k != "understood"),
                understood=counts["understood"],
            )
        )
    return "\n".join(lines)
