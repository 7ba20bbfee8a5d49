#!/bin/bash
# Start an action server and ONE Rasa server for the spikes, each in its own process group.
# Usage: start_spike_server.sh CREDENTIALS_FILE [RASA_PORT] [ACTIONS_PORT]
# Writes PIDs to /tmp/kundesenter-spike/{rasa,actions}.pid; stop with stop_spike_server.sh.
set -e
CRED=$(realpath "$1"); RPORT=${2:-5606}; APORT=${3:-5656}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PY=/work/main/.venv/bin/python
MODEL=$(ls -t /work/main/models/kundesenter-config-*.tar.gz | head -1)
D=/tmp/kundesenter-spike; mkdir -p $D
export ACTION_ENDPOINT_URL=http://localhost:$APORT/webhook TRACKER_DB=$D/tracker.db BACKEND_URL=http://127.0.0.1:8979
export TF_CPP_MIN_LOG_LEVEL=2 PYTHONPATH=$ROOT
cd "$ROOT"
setsid $PY -m rasa_sdk --actions actions --port $APORT > $D/actions.log 2>&1 & echo $! > $D/actions.pid
setsid $PY -m rasa run --model "$MODEL" --endpoints endpoints.yml --credentials "$CRED" \
  --port $RPORT --enable-api --auth-token spike-token --cors '*' --debug > $D/rasa.log 2>&1 & echo $! > $D/rasa.pid
echo "rasa pid $(cat $D/rasa.pid) port $RPORT, actions pid $(cat $D/actions.pid) port $APORT, model $MODEL"
