#!/bin/bash
# Starts one Hazelcast member from its environment:
#   HZ_PORT          this member's port on 127.0.0.1
#   HZ_MEMBER_PORTS  every member's port, comma-separated (this one included)
#   HZ_CLUSTER_NAME  the cluster's name (members of another lab never join)
#   HZ_HEAP_MB       maximum heap, default 256
# The settings are the process engine's (lab/services/hazelcast-config.ts):
# explicit TCP-IP membership on loopback, short failure detection for a lab
# on one machine, the session maps' layout. The health endpoint answers on
# the member's port: GET /hazelcast/health/ready.
set -euo pipefail
: "${HZ_PORT:?set HZ_PORT}" "${HZ_MEMBER_PORTS:?set HZ_MEMBER_PORTS}" "${HZ_CLUSTER_NAME:?set HZ_CLUSTER_NAME}"
[[ "$HZ_CLUSTER_NAME" =~ ^[A-Za-z0-9_.-]{1,64}$ ]] || { echo "HZ_CLUSTER_NAME must be 1-64 of [A-Za-z0-9_.-]" >&2; exit 2; }
[[ "$HZ_MEMBER_PORTS" =~ ^[0-9]{1,5}(,[0-9]{1,5})*$ ]] || { echo "HZ_MEMBER_PORTS must be ports, comma-separated" >&2; exit 2; }

config=/tmp/member.yaml
members=""
for port in ${HZ_MEMBER_PORTS//,/ }; do members+="          - 127.0.0.1:${port}"$'\n'; done
cat > "$config" <<YAML
hazelcast:
  cluster-name: ${HZ_CLUSTER_NAME}
  properties:
    hazelcast.phone.home.enabled: false
    hazelcast.logging.type: jdk
    hazelcast.socket.bind.any: false
    hazelcast.wait.seconds.before.join: 0
    hazelcast.max.wait.seconds.before.join: 0
    hazelcast.heartbeat.interval.seconds: 1
    hazelcast.max.no.heartbeat.seconds: 5
    hazelcast.merge.first.run.delay.seconds: 5
    hazelcast.merge.next.run.delay.seconds: 5
    hazelcast.shutdownhook.policy: GRACEFUL
    hazelcast.graceful.shutdown.max.wait: 10
  network:
    port:
      auto-increment: false
      port: ${HZ_PORT}
    interfaces:
      enabled: true
      interfaces:
        - 127.0.0.1
    rest-api:
      enabled: true
      endpoint-groups:
        HEALTH_CHECK:
          enabled: true
    join:
      auto-detection:
        enabled: false
      multicast:
        enabled: false
      tcp-ip:
        enabled: true
        connection-timeout-seconds: 1
        member-list:
${members}  replicatedmap:
    "sessions*":
      in-memory-format: BINARY
      async-fillup: false
  map:
    "sessions*":
      in-memory-format: BINARY
      backup-count: 1
      async-backup-count: 0
      read-backup-data: false
      time-to-live-seconds: 86400
YAML

exec java \
  -Xmx"${HZ_HEAP_MB:-256}"m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -Djava.net.preferIPv4Stack=true -Dhazelcast.phone.home.enabled=false \
  -Djava.util.logging.config.file=/opt/hazelcast/logging.properties \
  --add-modules java.se --add-exports java.base/jdk.internal.ref=ALL-UNNAMED \
  --add-opens java.base/java.lang=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED \
  --add-opens java.management/sun.management=ALL-UNNAMED \
  --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED \
  -Dhazelcast.config="$config" \
  -cp /opt/hazelcast/hazelcast.jar com.hazelcast.core.server.HazelcastMemberStarter
