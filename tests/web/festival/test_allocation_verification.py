"""A library checks a draw as docs/allocation.md tells it: list of runs, downloads, the verifier in its own process."""

import hashlib
import re
import subprocess
import sys

import pytest

from tests.conftest import csrf_headers, login, run
from tests.tournament.festival.allocation_factories import add_animation, add_provider
from tests.tournament.festival.festival_factories import BEFORE_DEADLINE, add_edition, add_registration
from tournament.accounts import Role

SEED = "réunion de lancement 2024 — l'équipe"


@pytest.fixture
def published(db, app, staff_client, make_library):
    """Two libraries want the one session of an animation; staff freeze a dropped seed, then run and publish another."""
    app.state.clock = lambda: BEFORE_DEADLINE
    edition = run(add_edition(db))
    provider = run(add_provider(db, edition, "Les Robots Joyeux", "2025-04-02"))
    robots = run(add_animation(db, edition, provider, "Atelier robotique Thymio", sessions=1))
    headers = csrf_headers(staff_client)
    libraries = []
    for name in ("Vernon", "Bernay"):
        library_id = make_library(f"Médiathèque de {name}", name)
        run(add_registration(db, edition, library_id))
        libraries.append(library_id)
        assert staff_client.post(
            f"/api/festival/editions/2025/libraries/{library_id}/animation-requests", headers=headers,
            json={"animation_id": robots, "rank": 1, "slots": [{"date": "2025-04-02", "start": "14:00", "end": "17:00"}]},
        ).status_code == 201
    dropped = staff_client.post("/api/festival/editions/2025/allocation/runs", headers=headers,
                                json={"seed": "essai abandonné", "max_animations_per_library": 1}).json()
    frozen = staff_client.post("/api/festival/editions/2025/allocation/runs", headers=headers,
                               json={"seed": SEED, "max_animations_per_library": 1}).json()
    staff_client.post(f"/api/festival/allocation/runs/{frozen['id']}/run", headers=headers)
    done = staff_client.post(f"/api/festival/allocation/runs/{frozen['id']}/publish", headers=headers).json()
    staff_client.post("/deconnexion", headers=headers)
    return {"run": done, "dropped": dropped, "libraries": libraries}


def test_a_library_downloads_a_published_run_and_its_verifier_prints_the_pages_hash(
        tmp_path, client, make_account, published):
    done = published["run"]
    make_account("lea@vernon.test", Role.LIBRARIAN, published["libraries"][0])
    assert login(client, "lea@vernon.test").status_code == 200
    page = client.get("/festival/2025/attribution")
    assert page.status_code == 200
    shown = re.search(rf'id="run-{done["id"]}".*?data-result-sha256>([0-9a-f]{{64}})<', page.text, re.S).group(1)
    assert shown == done["result_sha256"]
    assert "essai abandonné" in page.text  # a seed tried and dropped stays visible to the libraries

    files = {}
    for name in ("inputs.json", "result.json", "verify.py"):
        response = client.get(f"/api/festival/allocation/runs/{done['id']}/{name}")
        assert response.status_code == 200, name
        files[name] = response.content
    assert hashlib.sha256(files["result.json"]).hexdigest() == shown  # the fingerprint is of the published bytes

    command = re.search(r"<pre class=\"command\"><code>python3 (\S+) (\S+) --seed (.*?)</code></pre>",
                        page.text.split(f'id="run-{done["id"]}"')[1]).groups()
    verifier, inputs = tmp_path / command[0], tmp_path / command[1]
    assert inputs.name == f"xpo-allocation-{done['id']}-inputs.json"
    verifier.write_bytes(files["verify.py"])
    inputs.write_bytes(files["inputs.json"])
    seed_argument = __import__("html").unescape(command[2])
    assert __import__("shlex").split(seed_argument) == [SEED]
    # Isolated mode, from a folder without the project: only the standard library is there.
    printed = subprocess.run([sys.executable, "-I", verifier.name, inputs.name, "--seed", SEED],
                             capture_output=True, check=True, cwd=tmp_path, timeout=60)
    assert printed.stdout.decode() == shown + "\n"
    result = subprocess.run([sys.executable, "-I", verifier.name, inputs.name, "--seed", SEED, "--resultat"],
                            capture_output=True, check=True, cwd=tmp_path, timeout=60)
    assert result.stdout == files["result.json"]


def test_librarians_list_every_run_and_download_unpublished_ones_players_and_visitors_do_not(
        client, make_account, published):
    dropped = published["dropped"]
    assert client.get("/festival/2025/attribution", follow_redirects=False).status_code in (302, 303, 401)
    assert client.get(f"/api/festival/allocation/runs/{dropped['id']}/inputs.json").status_code == 401
    make_account("ref@mde.test", Role.REFEREE)
    login(client, "ref@mde.test")
    assert client.get("/api/festival/editions/2025/allocation/runs").status_code == 403
    client.post("/deconnexion", headers=csrf_headers(client))
    make_account("lea@bernay.test", Role.LIBRARIAN, published["libraries"][1])
    login(client, "lea@bernay.test")
    runs = client.get("/api/festival/editions/2025/allocation/runs").json()
    assert [(r["seed"], r["status"]) for r in runs] == [(SEED, "published"), ("essai abandonné", "frozen")]
    assert runs[0]["verifier_url"] == f"/api/festival/allocation/runs/{runs[0]['id']}/verify.py"
    assert client.get(f"/api/festival/allocation/runs/{dropped['id']}/inputs.json").status_code == 200
    assert client.get(f"/api/festival/allocation/runs/{dropped['id']}/result.json").status_code == 422  # not run yet
    # The decisions with staff notes and the actions stay with the MDE.
    assert client.get(f"/api/festival/allocation/runs/{dropped['id']}").status_code == 403
    assert client.post(f"/api/festival/allocation/runs/{dropped['id']}/run", headers=csrf_headers(client)).status_code == 403


def test_xpo_allocate_piped_to_sha256_gives_the_published_fingerprint(tmp_path, client, make_account, published):
    done = published["run"]
    make_account("lea@vernon.test", Role.LIBRARIAN, published["libraries"][0])
    login(client, "lea@vernon.test")
    inputs = tmp_path / "inputs.json"
    inputs.write_bytes(client.get(done["inputs_url"]).content)
    printed = subprocess.run([sys.executable, "-m", "web.cli", "allocate", str(inputs), "--seed", SEED],
                             capture_output=True, check=True, timeout=60).stdout
    assert hashlib.sha256(printed).hexdigest() == done["result_sha256"]
