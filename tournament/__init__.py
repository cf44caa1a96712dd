"""Domain and persistence of X.PO Live: tables, services and board events. Never imports Litestar."""
