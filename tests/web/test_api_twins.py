"""Every page action has a JSON twin under /api/, documented in the OpenAPI document with its status.

The page actions are read from the app itself (every POST, PUT, PATCH and DELETE page route of the packages
below), so a new page action without a twin fails here, and so does a twin that leaves the API.
"""

import re

from litestar.routes import HTTPRoute

PACKAGES = ("web.accounts", "web.network", "web.boards.screens", "web.festival", "web.notifications")
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

TWINS: dict[tuple[str, str], list[tuple[str, str, int]]] = {
    # accounts
    ("POST", "/connexion"): [("POST", "/api/auth/login", 200)],
    ("POST", "/deconnexion"): [("POST", "/api/auth/logout", 204)],
    ("POST", "/compte/mot-de-passe"): [("POST", "/api/auth/password", 204)],
    ("POST", "/compte/sessions/{handle}/fin"): [("DELETE", "/api/auth/sessions/{handle}", 204)],
    ("POST", "/compte/notifications"): [("PUT", "/api/me/notifications", 200)],
    ("POST", "/installation"): [("POST", "/api/setup", 201)],
    ("POST", "/admin/comptes"): [("POST", "/api/accounts", 201), ("POST", "/api/accounts/invite", 201)],
    ("POST", "/mot-de-passe-oublie"): [("POST", "/api/auth/password-reset", 202)],
    ("POST", "/mot-de-passe/{token}"): [("POST", "/api/auth/password/{token}", 200)],
    # outgoing mail
    ("POST", "/admin/courriels/{mail_id}/renvoyer"): [("POST", "/api/mails/{mail_id}/resend", 200)],
    ("POST", "/admin/comptes/{account_id}/desactiver"): [("POST", "/api/accounts/{account_id}/disable", 200)],
    ("POST", "/admin/comptes/{account_id}/activer"): [("POST", "/api/accounts/{account_id}/enable", 200)],
    # kiosk screens
    ("POST", "/admin/ecrans"): [("POST", "/api/screens", 201)],
    ("POST", "/admin/ecrans/{screen_id}/revoquer"): [("POST", "/api/screens/{screen_id}/revoke", 200)],
    ("POST", "/admin/ecrans/{screen_id}/nouvelle-adresse"): [("POST", "/api/screens/{screen_id}/renew", 200)],
    # the network
    ("POST", "/bibliotheques"): [("POST", "/api/libraries", 201)],
    ("POST", "/bibliotheques/{library_id}/contact"): [("PATCH", "/api/libraries/{library_id}", 200)],
    ("POST", "/bibliotheques/{library_id}/joueurs"): [("POST", "/api/libraries/{library_id}/players", 201)],
    ("POST", "/joueurs/{player_id}/lien"): [("POST", "/api/players/{player_id}/link", 200)],
    ("POST", "/joueurs/{player_id}/effacer"): [("POST", "/api/players/{player_id}/erase", 200)],
    ("POST", "/joueurs/{player_id}/consentement"): [("POST", "/api/players/{player_id}/consent", 200)],
    # festival: editions, registrations, imports
    ("POST", "/admin/festival/editions/nouvelle"): [("POST", "/api/festival/editions", 201)],
    ("POST", "/admin/festival/editions/{year}/modifier"): [("PUT", "/api/festival/editions/{year}", 200)],
    ("POST", "/festival/{year}/bibliotheques/{library_id}/inscription"): [
        ("PUT", "/api/festival/editions/{year}/libraries/{library_id}/registration", 200)],
    ("POST", "/admin/festival/import/{kind}"): [
        ("POST", "/api/festival/imports/libraries", 200), ("POST", "/api/festival/imports/participations", 200)],
    ("POST", "/admin/festival/import/{kind}/runs/{run_id}/appliquer"): [("POST", "/api/festival/import-runs/{run_id}/apply", 202)],
    ("POST", "/admin/festival/import/{kind}/runs/{run_id}/annuler"): [("POST", "/api/festival/import-runs/{run_id}/rollback", 202)],
    # festival: fiches-animation
    ("POST", "/festival/{year}/bibliotheques/{library_id}/fiches/nouvelle"): [
        ("POST", "/api/festival/editions/{year}/libraries/{library_id}/fiches", 201)],
    ("POST", "/festival/fiches/{fiche_id}/modifier"): [("PUT", "/api/festival/fiches/{fiche_id}", 200)],
    ("POST", "/festival/fiches/{fiche_id}/transitions"): [("POST", "/api/festival/fiches/{fiche_id}/transitions", 200)],
    ("POST", "/festival/fiches/{fiche_id}/annuler"): [("POST", "/api/festival/fiches/{fiche_id}/cancel", 200)],
    ("POST", "/festival/fiches/{fiche_id}/image"): [("PUT", "/api/festival/fiches/{fiche_id}/picture", 200)],
    # festival: professional day
    ("POST", "/journee-pro/seances/{session_id}/inscription"): [
        ("POST", "/api/festival/pro-sessions/{session_id}/registrations", 201)],
    ("POST", "/journee-pro/confirmation/{token}"): [("POST", "/api/festival/pro-registrations/{token}/confirm", 200)],
    ("POST", "/journee-pro/annulation/{token}"): [("POST", "/api/festival/pro-registrations/{token}/cancel", 200)],
    ("POST", "/admin/festival/journee-pro"): [("POST", "/api/festival/editions/{year}/pro-sessions", 201)],
    ("POST", "/admin/festival/journee-pro/inscriptions/{registration_id}/annuler"): [
        ("POST", "/api/festival/pro-sessions/{session_id}/registrations/{registration_id}/cancel", 200)],
    ("POST", "/admin/festival/journee-pro/{session_id}/annuler"): [("POST", "/api/festival/pro-sessions/{session_id}/cancel", 200)],
    # festival: equipment
    ("POST", "/admin/materiel/objets"): [("POST", "/api/festival/equipment/items", 201)],
    ("POST", "/admin/materiel/objets/{item_id}"): [("PUT", "/api/festival/equipment/items/{item_id}", 200)],
    ("POST", "/admin/materiel/malles"): [("POST", "/api/festival/equipment/kits", 201)],
    ("POST", "/materiel/reservations"): [("POST", "/api/festival/equipment/loans", 201)],
    ("POST", "/materiel/prets/{loan_id}/annuler"): [("POST", "/api/festival/equipment/loans/{loan_id}/cancel", 200)],
    ("POST", "/materiel/prets/{loan_id}/decision"): [("POST", "/api/festival/equipment/loans/{loan_id}/decision", 200)],
    ("POST", "/materiel/prets/{loan_id}/sortie"): [("POST", "/api/festival/equipment/loans/{loan_id}/check-out", 200)],
    ("POST", "/materiel/prets/{loan_id}/retour"): [("POST", "/api/festival/equipment/loans/{loan_id}/return", 200)],
    # festival: ready-made animations, funding, allocation runs
    ("POST", "/admin/festival/{year}/animations"): [("POST", "/api/festival/editions/{year}/animations", 201)],
    ("POST", "/admin/festival/{year}/animations/{animation_id}"): [
        ("PUT", "/api/festival/editions/{year}/animations/{animation_id}", 200)],
    ("POST", "/admin/festival/{year}/animations/prestataires"): [("POST", "/api/festival/providers", 201)],
    ("POST", "/admin/festival/{year}/animations/prestataires/{provider_id}/disponibilites"): [
        ("POST", "/api/festival/editions/{year}/providers/{provider_id}/availability", 201)],
    ("POST", "/admin/festival/{year}/animations/disponibilites/{availability_id}/supprimer"): [
        ("DELETE", "/api/festival/availability/{availability_id}", 204)],
    ("POST", "/festival/{year}/bibliotheques/{library_id}/animations"): [
        ("POST", "/api/festival/editions/{year}/libraries/{library_id}/animation-requests", 201)],
    ("POST", "/festival/{year}/bibliotheques/{library_id}/animations/{request_id}/retirer"): [
        ("DELETE", "/api/festival/editions/{year}/libraries/{library_id}/animation-requests/{request_id}", 204)],
    ("POST", "/festival/{year}/bibliotheques/{library_id}/financements"): [
        ("POST", "/api/festival/editions/{year}/libraries/{library_id}/funding-requests", 201),
        ("PUT", "/api/festival/editions/{year}/libraries/{library_id}/funding-requests/{request_id}/quote", 200)],
    ("POST", "/festival/{year}/bibliotheques/{library_id}/financements/{request_id}/retirer"): [
        ("DELETE", "/api/festival/editions/{year}/libraries/{library_id}/funding-requests/{request_id}", 204)],
    ("POST", "/admin/festival/{year}/financement"): [("PUT", "/api/festival/editions/{year}/funding", 200)],
    ("POST", "/admin/festival/{year}/attribution"): [("POST", "/api/festival/editions/{year}/allocation/runs", 201)],
    ("POST", "/admin/festival/attribution/{run_id}/lancer"): [
        ("POST", "/api/festival/allocation/runs/{run_id}/run", 200)],
    ("POST", "/admin/festival/attribution/{run_id}/publier"): [
        ("POST", "/api/festival/allocation/runs/{run_id}/publish", 200)],
    ("POST", "/admin/festival/attribution/decisions/{decision_id}"): [
        ("PUT", "/api/festival/allocation/decisions/{decision_id}", 200)],
}


def _in_packages(module: str) -> bool:
    return any(module == package or module.startswith(package + ".") for package in PACKAGES)


def page_actions(app) -> set[tuple[str, str]]:
    """(method, path as OpenAPI writes it) of every page route of the packages that changes something."""
    actions = set()
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if _in_packages(handler.fn.__module__) and handler.resolve_include_in_schema() is False:
                path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
                actions |= {(method, path) for method in handler.http_methods & UNSAFE}
    return actions


def test_every_page_action_of_the_packages_is_listed_with_its_twin(app):
    actions = page_actions(app)
    assert len(actions) > 40, "the page actions were not found in the app"
    assert sorted(actions - TWINS.keys()) == [], "page actions without a declared JSON twin"
    assert sorted(TWINS.keys() - actions) == [], "twins declared for page actions that no longer exist"


def test_every_twin_is_in_the_openapi_document_with_its_status(client):
    paths = client.get("/schema/openapi.json").json()["paths"]
    missing = []
    for page, twins in sorted(TWINS.items()):
        for method, path, status in twins:
            responses = paths.get(path, {}).get(method.lower(), {}).get("responses", {})
            if str(status) not in responses:
                missing.append((page, method, path, status, sorted(responses)))
    assert missing == []
