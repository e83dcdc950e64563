#!/usr/bin/env bash
# The one command that runs Clusterlotse: set up .venv, ingest corpus/ (incremental), start the UI.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# A failed file is reported by `lotse ingest` and must not stop the product from starting.
.venv/bin/lotse ingest "${LOTSE_CORPUS_DIR:-corpus}" || echo "Hinweis: nicht alle Dateien konnten eingelesen werden (siehe oben)." >&2
if [ -f ui/app.py ] && [ "${LOTSE_NO_UI:-0}" != "1" ]; then
  exec .venv/bin/streamlit run ui/app.py --server.address "${LOTSE_HOST:-127.0.0.1}" --server.port "${LOTSE_PORT:-8501}" \
    --server.headless true --browser.gatherUsageStats false
fi
echo "Fertig. Fragen stellen mit: .venv/bin/lotse ask \"Was bringt ein Cluster meinen Mitgliedsbetrieben?\"" >&2
