"""The Litestar web layer: controllers, guards, templates, static files and live boards."""
