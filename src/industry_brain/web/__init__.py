"""The web platform: app factory, JSON API routers, NiceGUI pages."""
