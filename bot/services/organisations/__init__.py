"""Organisations set themselves up: the organisation, staff, locations, groups, programmes,
their settings, and the people they bring along (a roster file)."""
