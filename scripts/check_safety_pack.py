"""Check one language's safety patterns against its labelled phrases: python scripts/check_safety_pack.py XX"""
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from careline.safety import screen_language  # noqa: E402

code = sys.argv[1]
data = yaml.safe_load((Path(__file__).resolve().parents[1] / f"tests/data/safety/{code}.yml").read_text(encoding="utf-8"))
bad = 0
for row in data["phrases"]:
    got = screen_language(row["text"], code) or "none"
    if got != row["expect"]:
        bad += 1
        print(f"MISMATCH expect={row['expect']} got={got}: {row['text']}")
print(f"{code}: {len(data['phrases']) - bad}/{len(data['phrases'])} correct")
sys.exit(1 if bad else 0)
