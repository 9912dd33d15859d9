# SPDX-License-Identifier: MIT
# demo part: a simulated Huawei SmartLogger plant (3 SUN2000 with LUNA2000, the meter on unit
# 11, 6 kW of PV, a 2.5 kW load, SOC moving 60 times faster than real) and
# dbus-smartlogger-hybrid publishing it as grid, battery and pvinverter services *.smartlogger
demo_start smartlogger-sim READY "$BUILD/tests/sim/smartlogger-sim" --port 0 --inverters 3 \
	--meter-unit 11 --pv 6000 --load 2500 --soc-speed 60
printf '[plant]\nservice_suffix = smartlogger\n' >"$RUN/smartlogger.ini"
demo_start dbus-smartlogger-hybrid "grid meter (unit 11): connected" \
	"$BIN/dbus-smartlogger-hybrid" -c "$RUN/smartlogger.ini" --host 127.0.0.1 \
	--port "$(sed -n 's/^PORT //p' "$RUN/smartlogger-sim.log")" --inverters 1,2,3 \
	--meter-unit 11
