#!/usr/bin/env bash
# Prints, every 5 s, the machine's count of SYNs dropped on a full listen backlog and of SYN
# retransmissions (TcpExt ListenOverflows and TCPSynRetrans, /proc/net/netstat), with the time; run
# it beside a benchmark and match the times to the phases in bench.json (docs/performance-gap.md,
# section 5). BenchRun records ListenOverflows at every mark since 2026-11-27.
while true; do
	echo "$(date -u +%H:%M:%S) $(awk 'NR%2==1 && $1=="TcpExt:" {for (i=2;i<=NF;i++) h[i]=$i; getline;
		for (i=2;i<=NF;i++) if (h[i]=="ListenOverflows" || h[i]=="TCPSynRetrans") printf "%s=%s ", h[i], $i}' /proc/net/netstat)"
	sleep 5
done
