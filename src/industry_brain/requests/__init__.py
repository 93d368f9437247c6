"""涉企问题: the enterprise problem closed loop (受理 → 交办 → 办理 → 答复 → 评价 → 办结)."""
