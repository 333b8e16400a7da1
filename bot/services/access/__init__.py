"""Staff on the web app: one-time login links and the sessions they open."""
