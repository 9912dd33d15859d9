# SPDX-License-Identifier: MIT
# demo part: a virtual BMS battery (DVCC limits for the drivers to follow)
demo_start battery READY "$BIN/ve-virtual" --settings "$top/tools/specs/battery.spec"
