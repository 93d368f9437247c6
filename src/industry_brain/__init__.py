"""industry-brain: an open-source 产业大脑 for district and city governments."""

__version__ = "0.1.0"
