# SPDX-License-Identifier: MIT
# demo part: the UP5000 simulator on a pty (linked as ttyUP5000) and dbus-up5000-hybrid on it,
# publishing com.victronenergy.solarcharger.ttyUP5000 and com.victronenergy.vebus.ttyUP5000
demo_start up5000-sim READY "$BUILD/tests/sim/up5000-sim" --link "$RUN/ttyUP5000"
demo_start up5000 "registered com.victronenergy.vebus" \
	"$BIN/dbus-up5000-hybrid" "$RUN/ttyUP5000"
