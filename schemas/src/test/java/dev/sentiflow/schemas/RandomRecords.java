package dev.sentiflow.schemas;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/** Random values for any Avro schema, to exercise readers with real encoded data. */
final class RandomRecords {

    private RandomRecords() {
    }

    static GenericRecord of(Schema schema, Random random) {
        return (GenericRecord) value(schema, random);
    }

    private static Object value(Schema schema, Random random) {
        switch (schema.getType()) {
            case RECORD: {
                GenericData.Record record = new GenericData.Record(schema);
                for (Schema.Field field : schema.getFields()) {
                    record.put(field.pos(), value(field.schema(), random));
                }
                return record;
            }
            case UNION:
                return value(schema.getTypes().get(random.nextInt(schema.getTypes().size())), random);
            case ENUM:
                return new GenericData.EnumSymbol(schema,
                        schema.getEnumSymbols().get(random.nextInt(schema.getEnumSymbols().size())));
            case ARRAY: {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    list.add(value(schema.getElementType(), random));
                }
                return list;
            }
            case MAP: {
                Map<String, Object> map = new HashMap<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    map.put("k" + random.nextInt(100), value(schema.getValueType(), random));
                }
                return map;
            }
            case STRING:
                return "s" + random.nextInt(1000);
            case BYTES:
                byte[] bytes = new byte[random.nextInt(8)];
                random.nextBytes(bytes);
                return ByteBuffer.wrap(bytes);
            case INT:
                return random.nextInt();
            case LONG:
                return random.nextLong();
            case FLOAT:
                return random.nextFloat();
            case DOUBLE:
                return random.nextDouble();
            case BOOLEAN:
                return random.nextBoolean();
            case NULL:
                return null;
            default:
                throw new IllegalArgumentException("no random value for " + schema.getType());
        }
    }
}
