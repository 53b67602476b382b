package dev.sentiflow.deploy.local;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;

/** The end offset of every partition of a topic: what the launcher counts sent records and lags from. */
final class TopicEnds {

    private TopicEnds() {
    }

    static Map<TopicPartition, Long> of(Admin admin, String topic, Duration timeout) throws Exception {
        long ms = timeout.toMillis();
        Map<TopicPartition, OffsetSpec> latest = admin.describeTopics(java.util.List.of(topic)).allTopicNames()
                .get(ms, TimeUnit.MILLISECONDS).get(topic).partitions().stream()
                .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
        return admin.listOffsets(latest).all().get(ms, TimeUnit.MILLISECONDS).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }
}
