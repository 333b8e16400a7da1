#!/usr/bin/env bash
# Creates Rasa's own virtual environment (Rasa 3.6.21 cannot share the bot's venv) and installs
# requirements.txt pinned by constraints.txt. Idempotent: a stamp file in the venv holds the hash
# of the Python used, requirements.txt and constraints.txt; when it matches, nothing is done.
#
#   bash nlu/rasa-server/setup.sh                 # venv at <repo>/.rasa-venv
#   RASA_VENV=/some/dir bash nlu/rasa-server/setup.sh
#   RASA_PYTHON=/path/to/python bash nlu/rasa-server/setup.sh   # force an interpreter
#
# Python: /root/.pyenv/versions/3.10.13 (preferred), else another pyenv 3.10, else python3.11 with
# pip's --ignore-requires-python (Rasa declares Python < 3.11). That fallback builds matplotlib 3.5
# from source against Debian's freetype and qhull, installed with apt-get when running as root.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
VENV=${RASA_VENV:-$REPO/.rasa-venv}
REQUIREMENTS=$HERE/requirements.txt
CONSTRAINTS=$HERE/constraints.txt
STAMP=$VENV/.wegwijzer-rasa-stamp
export RASA_TELEMETRY_ENABLED=false
export PIP_DISABLE_PIP_VERSION_CHECK=1
started=$SECONDS

say() { echo "rasa setup: $*"; }

pick_python() {
  if [[ -n ${RASA_PYTHON:-} ]]; then
    command -v "$RASA_PYTHON" && return
    say "RASA_PYTHON=$RASA_PYTHON is not an executable" >&2
    return 1
  fi
  local candidate
  for candidate in /root/.pyenv/versions/3.10.13/bin/python \
    $(ls -d "${PYENV_ROOT:-/root/.pyenv}"/versions/3.10.*/bin/python 2>/dev/null | sort -V -r); do
    if [[ -x $candidate ]]; then
      echo "$candidate"
      return
    fi
  done
  for candidate in python3.10 python3.11; do
    # A pyenv shim exists for every installed version but fails unless that version is selected.
    if command -v "$candidate" >/dev/null && "$candidate" -c "" 2>/dev/null; then
      "$candidate" -c "import sys; print(sys.executable)"
      return
    fi
  done
  say "no Python 3.10 or 3.11 found" >&2
  return 1
}

PYTHON=$(pick_python)
PYVERSION=$("$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
case $PYVERSION in
  3.8.* | 3.9.* | 3.10.*) FALLBACK=0 ;;
  3.11.*) FALLBACK=1 ;;
  *)
    say "Python $PYVERSION ($PYTHON) cannot run Rasa 3.6" >&2
    exit 1
    ;;
esac

WANT=$({
  echo "python $PYVERSION fallback $FALLBACK"
  cat "$REQUIREMENTS" "$CONSTRAINTS"
} | sha256sum | cut -d' ' -f1)

if [[ -f $STAMP && -x $VENV/bin/rasa && $(cat "$STAMP") == "$WANT" ]]; then
  say "up to date in $VENV (Python $PYVERSION; stamp matches), nothing to do ($((SECONDS - started)) s)"
  exit 0
fi

say "installing Rasa into $VENV with Python $PYVERSION ($PYTHON)$([[ $FALLBACK == 1 ]] && echo ', fallback: --ignore-requires-python')"

# Reuse a venv of the same Python (pip then only changes what differs); otherwise start anew.
if [[ -e $VENV ]]; then
  HAVE=$("$VENV/bin/python" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])' 2>/dev/null || true)
  if [[ $HAVE != "$PYVERSION" ]]; then
    if [[ ! -f $VENV/pyvenv.cfg ]]; then
      say "$VENV exists and is not a virtual environment: not touching it" >&2
      exit 1
    fi
    say "removing $VENV (Python ${HAVE:-unknown}, want $PYVERSION)"
    rm -rf "$VENV"
  fi
fi
rm -f "$STAMP"
[[ -x $VENV/bin/python ]] || "$PYTHON" -m venv "$VENV"

PIP_ARGS=(--progress-bar off -c "$CONSTRAINTS")
if [[ $FALLBACK == 1 ]]; then
  PIP_ARGS+=(--ignore-requires-python)
  # matplotlib 3.5 has no wheel for Python 3.11: it is built against the system's libraries.
  missing=()
  for package in libfreetype-dev libqhull-dev pkg-config g++; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
  if ((${#missing[@]})); then
    if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
      say "apt-get install ${missing[*]}"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -qq
      apt-get install -y -qq "${missing[@]}" >/dev/null
    else
      say "warning: missing ${missing[*]} and not root: matplotlib's build may fail" >&2
    fi
  fi
  cat >"$VENV/mplsetup.cfg" <<'EOF'
[libs]
system_freetype = true
system_qhull = true
EOF
  export MPLSETUPCFG=$VENV/mplsetup.cfg
fi

# pip warns once per package about find-links folders of this machine that do not exist: noise.
quiet() { "$@" 2>&1 | { grep -v "^WARNING: Location '.*' is ignored" || true; }; }
quiet "$VENV/bin/python" -m pip install -q "${PIP_ARGS[@]}" pip setuptools wheel
quiet "$VENV/bin/python" -m pip install -q "${PIP_ARGS[@]}" -r "$REQUIREMENTS"
"$VENV/bin/rasa" --version 2>/dev/null | sed -n '1p;5p' | sed 's/^/rasa setup: /'
echo "$WANT" >"$STAMP"
say "done in $((SECONDS - started)) s; $(du -sh "$VENV" | cut -f1) in $VENV"
