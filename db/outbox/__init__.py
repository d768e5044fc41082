"""The outbox: notifications written in the transaction of the change they tell of (writes),
the worker's queue over them (queue), the rules of retries and quiet hours (rules), and each
account's preferences (preferences)."""
