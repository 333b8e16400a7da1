#!/usr/bin/env bash
# Trains and serves the Rasa NLU model of nlu/ with the venv made by nlu/rasa-server/setup.sh.
#
#   bash nlu/rasa-server/serve.sh train    # rasa train nlu → var/rasa/models/nlu-<hash>.tar.gz, skipped
#                                   # when the model for this data + config + domain + pins exists
#   bash nlu/rasa-server/serve.sh start    # rasa run --enable-api on 127.0.0.1:$RASA_PORT (5005) in the
#                                   # background; waits until GET /status shows the model loaded
#   bash nlu/rasa-server/serve.sh stop     # stops the server of var/rasa/rasa.pid
#   bash nlu/rasa-server/serve.sh status   # prints GET /status, or fails when the server is not up
#   bash nlu/rasa-server/serve.sh model    # prints the path of the model for the current data
#
# Environment: RASA_VENV (<repo>/.rasa-venv), RASA_PORT (5005), RASA_START_TIMEOUT (120 s).
# The bot talks to it with NLU_ENGINE=rasa RASA_URL=http://127.0.0.1:$RASA_PORT.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NLU=$(cd "$HERE/.." && pwd)
REPO=$(cd "$NLU/.." && pwd)
VENV=${RASA_VENV:-$REPO/.rasa-venv}
RASA=$VENV/bin/rasa
VAR=$REPO/var/rasa
MODELS=$VAR/models
PIDFILE=$VAR/rasa.pid
LOG=$VAR/rasa.log
HOST=127.0.0.1
PORT=${RASA_PORT:-5005}
TIMEOUT=${RASA_START_TIMEOUT:-120}

export RASA_TELEMETRY_ENABLED=false
export SQLALCHEMY_SILENCE_UBER_WARNING=1
export RASA_CACHE_DIRECTORY=$VAR/cache # not nlu/.rasa/cache, Rasa's default under the cwd
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}

say() { echo "rasa: $*"; }
die() {
  echo "rasa: $*" >&2
  exit 1
}

need_venv() {
  [[ -x $RASA ]] || die "no Rasa in $VENV: run bash nlu/rasa-server/setup.sh first"
}

# The model's name: a hash of everything training reads (nlu/data/**/*.yml only, never tests/ or
# crisis/), the config, the domain and the pinned packages.
model_hash() {
  (
    cd "$NLU"
    {
      find data -type f \( -name '*.yml' -o -name '*.yaml' \) | LC_ALL=C sort | while read -r file; do
        printf '%s\n' "$file"
        cat "$file"
      done
      for file in config.yml domain.yml rasa-server/constraints.txt; do
        printf '%s\n' "$file"
        cat "$file"
      done
    } | sha256sum | cut -c1-16
  )
}

model_path() { echo "$MODELS/nlu-$(model_hash).tar.gz"; }

running_pid() {
  # The PID of the file, when that process is alive and is a Rasa server; nothing otherwise.
  [[ -f $PIDFILE ]] || return 0
  local pid
  pid=$(cat "$PIDFILE")
  if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null \
    && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "rasa run"; then
    echo "$pid"
  fi
}

get_status() {
  # Prints GET /status and succeeds only when a model is loaded (Rasa answers 409 before that).
  "$VENV/bin/python" - "$HOST" "$PORT" <<'EOF'
import json, sys, urllib.request
try:
    with urllib.request.urlopen(f"http://{sys.argv[1]}:{sys.argv[2]}/status", timeout=2) as r:
        status = json.load(r)
except Exception:
    sys.exit(1)
print(json.dumps(status))
sys.exit(0 if status.get("model_file") else 1)
EOF
}

train() {
  need_venv
  local model started=$SECONDS
  model=$(model_path)
  if [[ -f $model ]]; then
    say "model up to date: $model (training skipped)"
    return
  fi
  mkdir -p "$MODELS"
  local name
  name=training-$$
  say "training $model"
  (
    cd "$NLU"
    "$RASA" train nlu --nlu data --config config.yml --domain domain.yml \
      --out "$MODELS" --fixed-model-name "$name"
  ) || {
    rm -f "$MODELS/$name.tar.gz"
    die "training failed"
  }
  mv "$MODELS/$name.tar.gz" "$model"
  # Keep the three newest models.
  ls -t "$MODELS"/nlu-*.tar.gz 2>/dev/null | tail -n +4 | xargs -r rm -f
  say "trained in $((SECONDS - started)) s: $model"
}

start() {
  need_venv
  local pid model started=$SECONDS
  pid=$(running_pid)
  if [[ -n $pid ]]; then
    get_status >/dev/null && {
      say "already running (pid $pid) on $HOST:$PORT"
      return
    }
    die "pid $pid runs but $HOST:$PORT/status has no model; see $LOG, or stop it first"
  fi
  model=$(model_path)
  [[ -f $model ]] || die "no model for the current data ($model): run bash nlu/rasa-server/serve.sh train"
  mkdir -p "$VAR"
  (
    cd "$NLU"
    exec nohup "$RASA" run --enable-api -i "$HOST" -p "$PORT" -m "$model" </dev/null >"$LOG" 2>&1
  ) &
  pid=$!
  echo "$pid" >"$PIDFILE"
  while ((SECONDS - started < TIMEOUT)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PIDFILE"
      tail -n 30 "$LOG" >&2
      die "the server exited during start (log above: $LOG)"
    fi
    if get_status >/dev/null; then
      say "ready in $((SECONDS - started)) s (pid $pid) on http://$HOST:$PORT with $(basename "$model")"
      return
    fi
    sleep 0.5
  done
  tail -n 30 "$LOG" >&2
  kill "$pid" 2>/dev/null || true
  rm -f "$PIDFILE"
  die "not ready after $TIMEOUT s (log above: $LOG)"
}

stop() {
  local pid
  pid=$(running_pid)
  if [[ -z $pid ]]; then
    rm -f "$PIDFILE"
    say "not running"
    return
  fi
  kill "$pid"
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "pid $pid did not stop within 20 s: killing it"
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PIDFILE"
  say "stopped (pid $pid)"
}

case ${1:-} in
  train) train ;;
  start) start ;;
  stop) stop ;;
  status) need_venv && get_status || die "no server with a model on $HOST:$PORT" ;;
  model) model_path ;;
  *)
    echo "usage: $0 train|start|stop|status|model" >&2
    exit 2
    ;;
esac
