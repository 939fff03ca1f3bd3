"""Inbound gateway webhooks: `views` verifies and stores, `events` dedups, `stripe_events` acts."""
