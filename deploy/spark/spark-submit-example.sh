#!/usr/bin/env bash
# Attach Streamwatch to an existing Spark Streaming job: the jar on the driver's classpath and two
# --conf lines (plus where the token is). No code change.
set -euo pipefail
spark-submit \
  --class com.example.OrdersEnricher \
  --master yarn --deploy-mode cluster \
  --jars /opt/streamwatch/streamwatch-listener.jar \
  --files /etc/streamwatch/ingest-token \
  --conf spark.extraListeners=io.streamwatch.listener.StreamwatchListener \
  --conf spark.streamwatch.url=http://streamwatch.example.internal:9470 \
  --conf spark.streamwatch.tokenFile=ingest-token \
  --conf spark.streamwatch.app=orders-enricher \
  orders-enricher.jar
