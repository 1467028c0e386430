"""Group-chat robots that carry alerts: one module per robot (wire format + signing + its twin)."""
