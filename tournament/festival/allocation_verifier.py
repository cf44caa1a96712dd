"""The standalone verifier libraries download: one Python file, standard library only, built from the rule's own code.

``verifier_source()`` joins ``tournament/festival/matching.py`` and ``tournament/festival/allocation.py`` as they are
(only the import between them is dropped) and adds a small command line. So the file a library runs *is* the code
that allocated, and it prints the SHA-256 of exactly the bytes the service published as the result.
"""

import hashlib
import inspect
from functools import cache

from tournament.festival import allocation, matching

FILENAME = "xpo-verification-attribution.py"
_INTERNAL_IMPORT = "from tournament.festival.matching import saturates_left\n"

_HEADER = '''#!/usr/bin/env python3
"""X.PO: vérificateur autonome du tirage d'attribution ({algorithm}).

Usage : python3 {filename} ENTREES.json --seed "la graine publiée"
Affiche l'empreinte SHA-256 du résultat, identique à celle publiée sur la page du tirage.
Avec --resultat, écrit le résultat lui-même (les mêmes octets que le fichier publié).

Python 3.11 ou plus, bibliothèque standard seule. Ce fichier est généré à partir du code même
de l'attribution (tournament/festival/matching.py puis tournament/festival/allocation.py).
"""
'''

_MAIN = '''

# ---------------------------------------------------------------------------------------------------
# Ligne de commande du vérificateur.


def _verify_main(argv=None):
    import argparse
    import sys

    parser = argparse.ArgumentParser(description="Rejoue un tirage X.PO et affiche l'empreinte de son résultat.")
    parser.add_argument("inputs", help="les entrées publiées du tirage (fichier JSON)")
    parser.add_argument("--seed", required=True, help="la graine publiée avec le tirage")
    parser.add_argument("--resultat", action="store_true", help="écrire le résultat au lieu de son empreinte")
    args = parser.parse_args(argv)
    with open(args.inputs, "rb") as handle:
        data = json.loads(handle.read().decode("utf-8"))
    try:
        output = run_published(data, args.seed)
    except InputsError as exc:
        print(f"entrées refusées : {exc.code} ({exc.path})", file=sys.stderr)
        return 2
    except SearchLimitError:
        print("calcul abandonné : entrées trop grandes pour la recherche de créneaux", file=sys.stderr)
        return 2
    if args.resultat:
        sys.stdout.buffer.write(output)
    else:
        print(hashlib.sha256(output).hexdigest())
    return 0


if __name__ == "__main__":
    raise SystemExit(_verify_main())
'''


@cache
def verifier_source() -> str:
    """The verifier's Python source (the same text for every run of an algorithm version)."""
    rule = inspect.getsource(allocation)
    if _INTERNAL_IMPORT not in rule:
        raise RuntimeError("the allocation no longer imports the matching as expected: update the verifier")
    return "\n".join((
        _HEADER.format(algorithm=allocation.ALGORITHM, filename=FILENAME),
        "# --- tournament/festival/matching.py ---",
        inspect.getsource(matching),
        "# --- tournament/festival/allocation.py ---",
        rule.replace(_INTERNAL_IMPORT, ""),
        _MAIN,
    ))


def verifier_bytes() -> bytes:
    return verifier_source().encode("utf-8")


def verifier_sha256() -> str:
    return hashlib.sha256(verifier_bytes()).hexdigest()
