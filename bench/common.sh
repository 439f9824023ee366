# Sourced by bench/mix.sh and bench/targets.sh (from the repository root): $wd, the CLI (built when missing), and
# machine, a line naming this machine and its load for the results' header.
wd=${WD_BIN:-src/WarpDrive.Cli/bin/Release/net10.0/wd} # WD_BIN: another build of wd, e.g. a ReadyToRun publish
[ -x "$wd" ] || dotnet build src/WarpDrive.Cli -c Release -nologo -v q
machine() { echo "$(date -u '+%F %T') UTC, $(nproc) vCPU, $(lscpu | sed -n 's/^Model name: *//p' | head -1), load $(cut -d' ' -f1 /proc/loadavg)"; }
