"""Nakama: the shop-floor terminal for nakama-mawashi (仲間まわし)."""

__version__ = "0.1.0"
