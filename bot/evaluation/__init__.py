"""Measuring answer quality on labelled question sets, beside two baselines."""
