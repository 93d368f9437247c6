"""Enterprise tiers and cultivation pools (培育库)."""
