"""Check-ins: the participant's own answers per ZRM domain, and the invitations to give them."""
