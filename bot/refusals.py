"""The kind sentence for each thing staff can ask that is refused, shared by chat and CLI."""

from __future__ import annotations

from bot.i18n import N_, _, language_name
from bot.services.errors import (
    AlreadyLinked,
    DomainError,
    InviteExpired,
    InviteUnknown,
    Refused,
    TooManyTries,
)

REFUSALS = {
    "empty": N_("The message is empty. Please write a text."),
    "too_long": N_(
        "The text in {language} has {length} characters. The most is {limit}. "
        "Please make it shorter."
    ),
    "no_group": N_("Choose at least one group."),
    "unknown_group": N_("This group does not exist in your organisation."),
    "in_the_past": N_("That time has already passed. Choose a time in the future."),
    "bad_date": N_("That day is not in the calendar. Choose a day, like 2026-11-24."),
    "bad_time": N_("Write the time on the 24-hour clock, like 09:30 or 14:00."),
    "unknown_kind": N_("Choose one of the kinds of appointment."),
    "already_booked": N_("{name} already has this kind of appointment at that time."),
    "language": N_("Wegwijzer does not speak that language."),
    "unknown_broadcast": N_("Your organisation has no message with that number."),
    "already_over": N_("This message was already sent completely, or stopped."),
    "not_staff": N_("Only staff of an organisation can do this."),
    "not_yours": N_("This participant is not one of yours."),
    "unknown_appointment": N_("This appointment does not exist, or it is already over."),
    "no_participants": N_("You have no participants yet."),
    "not_yet": N_("You can fill this in on the day itself, not before."),
    "unknown_alert": N_("This alert does not exist, or it is not about one of yours."),
    "alert_closed": N_("This alert is already resolved."),
    "unknown_location": N_("This location does not exist in your organisation."),
    "checkin_unknown": N_("I do not know this code. Please scan the code on the wall again."),
    "checkin_old": N_(
        "This code is from another day. Please scan today's code, or tell the staff you are here."
    ),
    "checkin_not_now": N_(
        "You can check in here from 30 minutes before your appointment until it ends. "
        "Are you here at another time? Please tell the staff."
    ),
    "checkin_not_linked": N_(
        "I cannot check you in yet. Please ask the staff for your personal code first."
    ),
    "not_a_question": N_("To answer a question, reply to the message with the question."),
    "answer_too_long": N_("Your answer is too long. Please make it shorter."),
    "already_asked": N_("Your coach already has this question. They will answer you here."),
    "already_picked": N_("You already chose. Ask me again, or ask your coach."),
    "no_answer_in_language": N_(
        "I have no answer about this topic in their language. Please reply in your own words."
    ),
    "unknown_topic": N_("This is not one of the topics."),
    "unknown_domain": N_("This is not one of the check-in topics."),
    "outflow_needed": N_("Choose why they leave: one of the categories."),
    "same_phase": N_("They are already in this phase."),
    "unknown_coach": N_("This coach does not work in your organisation."),
    "same_coach": N_("{coach} is already their coach."),
    "name_needed": N_("Write the name after the command, like this: /uitnodigen Amal Hassan"),
    "unknown_organisation": N_("There is no organisation called {slug}."),
    "bad_slug": N_("{slug} cannot be a short name. Use 2 to 60 small letters, digits and dashes."),
    "slug_taken": N_("The short name {slug} is already used. Choose another one."),
    "bad_timezone": N_("{timezone} is not a time zone. Write it like Europe/Amsterdam."),
    "name_missing": N_("Write a name."),
    "location_exists": N_("There is already a location called {name}."),
    "group_exists": N_("There is already a group called {name}."),
    "bad_group_kind": N_("A group is for a location, a phase, a language, or a list (custom)."),
    "bad_phase": N_("{phase} is not a phase. Use activering, vrijwilliger, opleiding or werk."),
    "programme_exists": N_("There is already a programme with this short name: {name}."),
    "unknown_setting": N_("There is no setting called {setting}."),
    "bad_setting": N_("{value} is not a good value for {key}. Nothing was changed."),
    "bad_opening": N_(
        "Write the opening hours like this: 2026-12-01 09:30 weekly:tu,th. Not: {value}"
    ),
    "cannot_reach": N_(
        "{name} cannot get messages from me now: they stopped them, blocked the bot, "
        "or have not started yet. Please contact them in another way."
    ),
    "unknown_staff": N_("Your organisation has no staff member called {name}."),
    "still_coaching": N_(
        "{name} still has participants (number: {n}). First hand them over to another coach."
    ),
    "bad_when": N_("Choose a day and a time, like 24-11-2026 and 09:30."),
    "login_link_used": N_(
        "This login link is used or too old. Send /web to the bot for a new link."
    ),
    "name_too_long": N_("This name is too long. Use at most {most} characters."),
    "no_such_staff": N_("This staff member is not in your organisation."),
    "last_admin": N_(
        "{name} is the only admin. Make someone else an admin first. "
        "Your organisation always needs an admin."
    ),
    "bad_offsets": N_(
        "Write when the reminders go, with commas between them. For example: -1d@18:00 is the "
        "day before at 18:00, -2h is 2 hours before, -30m is 30 minutes before. At most 5. "
        "Nothing was changed."
    ),
    "bad_rule": N_("Write a whole number from 0 to 365. 0 turns this off. Nothing was changed."),
    "bad_weekday": N_(
        "Choose a day of the week: mo, tu, we, th, fr, sa or su. Nothing was changed."
    ),
    "bad_clock": N_("Write a time like 10:00. Nothing was changed."),
    "bad_count": N_("Write a whole number from 1 to 336. Nothing was changed."),
    "bad_domains": N_("Choose at least one topic from the list. Nothing was changed."),
    "bad_yes_no": N_("Choose yes or no. Nothing was changed."),
}


def refusal(error: Refused) -> str:
    details = dict(error.details)
    if "language" in details:
        details["language"] = language_name(str(details["language"]))
    return _(REFUSALS[error.reason], **details)


def explain(error: DomainError) -> str:
    """The kind sentence for each thing a person can get wrong: one place for chat and CLI."""
    if isinstance(error, Refused):
        return refusal(error)
    if isinstance(error, InviteUnknown):
        return _("I do not know this code. Check the code, or ask your coach for a new one.")
    if isinstance(error, TooManyTries):
        return _("Too many wrong codes. Please wait 15 minutes, or ask your coach for your code.")
    if isinstance(error, InviteExpired):
        return _("This code is no longer valid. Ask your coach for a new one.")
    if isinstance(error, AlreadyLinked):
        return _(
            "You are already connected to {organisation}. Tap /help to see what I can do.",
            organisation=error.organisation,
        )
    return _("Sorry, that did not work. Please try again, or ask your coach.")
