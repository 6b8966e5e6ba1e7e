"""Chatbot about the rotation of leading cadres (luân chuyển cán bộ) for Telegram, Zalo and the console."""

__version__ = "0.1.0"
