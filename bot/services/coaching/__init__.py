"""What reaches the coach: alerts, the inbox, questions, disengagement, progress, crises."""
