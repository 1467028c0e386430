"""Pure domain rules: standard library only (enforced by tests/domain/test_purity.py)."""
