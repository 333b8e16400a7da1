"""Broadcast texts for staff, shared by the Telegram flow and the command line."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.i18n import N_, _, format_when, language_name
from bot.services.messaging.broadcasts import Report
from storage.models import BroadcastState

HEADERS = {
    BroadcastState.SCHEDULED: N_("Message {id} will be sent on {when}."),
    BroadcastState.SENDING: N_("Message {id} is being sent."),
    BroadcastState.CANCELLED: N_("Message {id} was cancelled before it started."),
    BroadcastState.STOPPED: N_("Message {id} was stopped."),
}


def report_text(report: Report, zone: ZoneInfo) -> str:
    """The delivery report: totals, who was skipped, and per language the 👍 presses."""
    state = report.by_state
    lines = [
        _(
            HEADERS[report.state],
            id=report.broadcast_id,
            when=format_when(report.scheduled_for, zone),
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
