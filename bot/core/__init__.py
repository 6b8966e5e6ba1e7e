"""Platform-independent core: text folding, knowledge store, search and answering."""
