#!/usr/bin/env bash
# The window as a physician uses it, in a real X server: type a draft, rewrite, stop, rewrite
# again, edit a post, copy it, start a new draft, and check what is left on screen. Each step
# leaves a screenshot in OUT; the script fails on the first step that does not do what it
# should. Needs Xvfb, xdotool, xclip and ImageMagick's `import` (Debian: xvfb xdotool xclip
# imagemagick). Uses fresh, temporary settings and history; the model cache is the user's.
#
#   packaging/walkthrough.sh [OUT]        (default: walkthrough-out)
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-walkthrough-out}")
mkdir -p "$out"
home=$(mktemp -d)
display=":$((90 + RANDOM % 9))"
draftrx=${DRAFTRX:-.venv/bin/draftrx}
pass="walkthrough-pass"

Xvfb "$display" -screen 0 1400x900x24 >/dev/null 2>&1 &
xvfb=$!
trap 'kill "$app" "$xvfb" 2>/dev/null || true; rm -rf "$home"' EXIT
export DISPLAY=$display
sleep 1

step=0
shot() { step=$((step + 1)); import -window root "$out/$(printf %02d "$step")-$1.png"; }
fail() { shot failed; echo "walkthrough: $1 (screenshots in $out)" >&2; exit 1; }
clipboard() { xclip -o -selection clipboard 2>/dev/null || true; }
keys() { xdotool key --clearmodifiers "$@"; sleep 0.3; }
start() {
    DRAFTRX_CONFIG_DIR="$home/config" DRAFTRX_DATA_DIR="$home/data" \
        PYTHON_KEYRING_BACKEND=keyring.backends.null.Keyring "$draftrx" >>"$out/app.log" 2>&1 &
    app=$!
    for _ in $(seq 120); do
        win=$(xdotool search --name "^DraftRx$" 2>/dev/null | head -n 1) && [ -n "$win" ] && break
        sleep 0.5
    done
    [ -n "${win:-}" ] || fail "the window did not open"
    sleep 2
    if xdotool search --name "passphrase|Unlock" >/dev/null 2>&1; then  # no keyring here
        xdotool type --delay 20 "$pass"; keys Tab
        xdotool type --delay 20 "$pass"; keys Return
    fi
    xdotool windowfocus "$win" 2>/dev/null || true  # no window manager to activate it
    sleep 1
}

start
shot opened
draft="Last night a 67M came to our ER at St. Mary's with chest pain. Jenna Alvarez, his daughter, called 911. Lesson: chest pain that spreads to the jaw or arm means call 911."
xdotool mousemove --window "$win" 250 300 click 1  # into the draft editor
xdotool type --delay 15 "$draft"
sleep 2
shot typed
keys ctrl+Return
sleep 2
shot writing
keys alt+w; keys Escape; keys Escape  # a menu opened and closed, then Esc: it stops
sleep 1
shot stopped
keys ctrl+Return
for _ in $(seq 120); do  # Copy works once a variant is done and not blocked
    before=$(clipboard); keys ctrl+shift+c
    [ "$(clipboard)" != "$before" ] && break
    sleep 1
done
shot rewritten
copied=$(clipboard)
[ -n "$copied" ] || fail "nothing could be copied after the rewrite"
for original in Jenna Alvarez "St. Mary" 67M; do
    if grep -qF "$original" <<<"$copied"; then fail "the copied post holds '$original'"; fi
done
echo "$copied" >"$out/copied.txt"
xdotool mousemove --window "$win" 850 300 click 1  # into the post, as a physician would
keys ctrl+End
xdotool type --delay 15 " Ask your own doctor."
sleep 3  # the edit is checked again before Copy takes it
shot edited
keys ctrl+shift+c
grep -qF "Ask your own doctor." <<<"$(clipboard)" || fail "Copy did not take the edited post"
keys ctrl+n
sleep 2
shot new-draft
xdotool mousemove --window "$win" 250 300 click 1
xdotool type --delay 15 "Flu shots cannot give you the flu."
sleep 2
shot second-draft
keys ctrl+q
wait "$app" || true
start
shot restarted
echo "walkthrough: done; screenshots and the copied post in $out"
