<?php
/**
 * Builds the JSON body of an event sent to the connector:
 * {"event_id", "event", "occurred_at", "store_id", "data"}.
 * Framework-free: no Magento class is used here, so PHPUnit tests it without Magento.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model\Event;

final class EventBodyBuilder
{
    public const SHIPMENT_SAVED = 'shipment_saved';
    public const TRACK_SAVED = 'track_saved';
    public const CREDITMEMO_SAVED = 'creditmemo_saved';
    public const ORDER_CANCELLED = 'order_cancelled';
    public const STOCK_CHANGED = 'stock_changed';

    /** The ids each order event carries besides order_id, increment_id and ext_order_id. */
    private const ORDER_EVENT_IDS = [
        self::SHIPMENT_SAVED => ['shipment_id'],
        self::TRACK_SAVED => ['shipment_id', 'track_id'],
        self::CREDITMEMO_SAVED => ['creditmemo_id'],
        self::ORDER_CANCELLED => [],
    ];

    /**
     * The "data" of an order event; $ids holds exactly the ids the event carries
     * (shipment_saved: shipment_id; track_saved: shipment_id, track_id; creditmemo_saved:
     * creditmemo_id; order_cancelled: none).
     *
     * @param array<string, int|string> $ids
     * @return array<string, int|string>
     */
    public function orderData(string $event, int $orderId, string $incrementId, string $extOrderId, array $ids = []): array
    {
        if (!isset(self::ORDER_EVENT_IDS[$event])) {
            throw new \InvalidArgumentException(sprintf('"%s" is not an order event.', $event));
        }
        $expected = self::ORDER_EVENT_IDS[$event];
        $given = array_keys($ids);
        sort($expected);
        sort($given);
        if ($expected !== $given) {
            throw new \InvalidArgumentException(sprintf(
                'Event "%s" carries the ids [%s], not [%s].',
                $event,
                implode(', ', $expected),
                implode(', ', $given)
            ));
        }
        $data = ['order_id' => $orderId, 'increment_id' => $incrementId, 'ext_order_id' => $extOrderId];
        foreach (self::ORDER_EVENT_IDS[$event] as $key) {
            $data[$key] = (int) $ids[$key];
        }
        return $data;
    }

    /**
     * The "data" of a stock_changed event.
     *
     * @return array<string, string>
     */
    public function stockData(string $sku): array
    {
        if (trim($sku) === '') {
            throw new \InvalidArgumentException('A stock event needs the SKU.');
        }
        return ['sku' => $sku];
    }

    /**
     * The raw JSON body; these exact bytes are signed and sent.
     *
     * @param array<string, int|string> $data
     */
    public function build(string $eventId, string $event, int $occurredAt, int $storeId, array $data): string
    {
        if (!isset(self::ORDER_EVENT_IDS[$event]) && $event !== self::STOCK_CHANGED) {
            throw new \InvalidArgumentException(sprintf('"%s" is not an event the module sends.', $event));
        }
        return json_encode(
            [
                'event_id' => $eventId,
                'event' => $event,
                'occurred_at' => gmdate('Y-m-d\TH:i:s\Z', $occurredAt),
                'store_id' => $storeId,
                'data' => $data,
            ],
            JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR
        );
    }

    /** A random (version 4) UUID for event_id. */
    public function newEventId(): string
    {
        $bytes = random_bytes(16);
        $bytes[6] = chr((ord($bytes[6]) & 0x0f) | 0x40);
        $bytes[8] = chr((ord($bytes[8]) & 0x3f) | 0x80);
        return vsprintf('%s%s-%s-%s-%s-%s%s%s', str_split(bin2hex($bytes), 4));
    }
}
