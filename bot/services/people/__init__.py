"""People: who writes, invite codes, onboarding and consent, caseloads, scope, privacy."""
