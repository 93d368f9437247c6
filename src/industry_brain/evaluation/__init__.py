"""亩均论英雄: the per-mu comprehensive evaluation of industrial enterprises."""
