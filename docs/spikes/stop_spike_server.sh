#!/bin/bash
# Stop the process groups started by start_spike_server.sh (by PID only); wait up to 30 s, then SIGKILL.
D=/tmp/kundesenter-spike
for n in rasa actions; do
  [ -f $D/$n.pid ] || continue
  pid=$(cat $D/$n.pid); kill -TERM -- -$pid 2>/dev/null
  i=0; while kill -0 $pid 2>/dev/null && [ $i -lt 30 ]; do sleep 1; i=$((i+1)); done
  kill -0 $pid 2>/dev/null && kill -KILL -- -$pid 2>/dev/null
  rm -f $D/$n.pid
done; true
