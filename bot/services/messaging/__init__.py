"""Messages that leave: the outbox, and organisations' broadcasts."""
