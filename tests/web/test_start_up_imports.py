"""Building the application imports only what every start needs: the libraries of a few requests or of one
configuration (Redis's client, iCalendar, QR codes and Pillow, SMTP, WeasyPrint) wait for their first use, which
saves every `xpo serve` and every test server about 0.1 s of CPU (docs/BENCHMARKS.md, appbuild)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DEFERRED = ("redis", "icalendar", "qrcode", "PIL", "aiosmtplib", "weasyprint")

PROGRAM = f"""
import json, sys
from tournament.config import load_settings
from web.app import create_app
create_app(load_settings(env={{"XPO_PATHS_DATA_DIR": sys.argv[1]}}))
print(json.dumps(sorted(name for name in {DEFERRED!r} if name in sys.modules)))
"""


def test_building_the_application_leaves_the_libraries_of_some_requests_unimported(tmp_path):
    env = {key: value for key, value in os.environ.items() if not key.startswith("XPO_")}
    done = subprocess.run([sys.executable, "-c", PROGRAM, str(tmp_path)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []
