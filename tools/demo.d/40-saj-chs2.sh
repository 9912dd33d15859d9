# SPDX-License-Identifier: MIT
# demo part: a simulated SAJ CHS2-50K-T6-X with a CT (Setup A: 9 kW of PV, a 3.5 kW load, SOC
# moving 60 times faster than real) and dbus-saj-chs2 publishing it as the grid, battery and
# pvinverter services *.saj_127_0_0_1; try: vedbus set battery.saj /Control/Mode 2
demo_start saj-chs2-sim READY "$BUILD/tests/sim/saj-chs2-sim" --port 0 --pv 9000 --load 3500 \
	--soc 60 --soc-speed 60
printf '[link]\nhost = 127.0.0.1\nport = %s\n[control]\nstate_dir = %s\n' \
	"$(sed -n 's/^PORT //p' "$RUN/saj-chs2-sim.log")" "$RUN" >"$RUN/saj-chs2.ini"
demo_start dbus-saj-chs2 "com.victronenergy.grid.saj_127_0_0_1 registered" \
	"$BIN/dbus-saj-chs2" -c "$RUN/saj-chs2.ini"
