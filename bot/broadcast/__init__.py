"""The monthly rotation update: its content, the delivery ledger, sending and scheduling."""
