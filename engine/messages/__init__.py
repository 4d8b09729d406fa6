"""Message subscriptions: which case waits for which message, for routing without a scan."""
