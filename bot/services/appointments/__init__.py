"""Appointments: making, moving and cancelling them, reminders, answers to reminders, attendance."""
