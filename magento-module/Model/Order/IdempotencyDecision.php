<?php
/**
 * What to do with a channel order given the row of channel_manager_order_link for its
 * channel + external order id. The row is claimed (inserted) first thing in the transaction
 * that places the order and completed with the order id before the commit, so a committed row
 * always names an order; a concurrent duplicate waits on the UNIQUE key and then fails with a
 * duplicate-key error, after which the committed row is read again. Framework-free.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model\Order;

final class IdempotencyDecision
{
    /** No order yet: claim the key and place one. */
    public const PLACE = 'place';
    /** The order exists: return it with created=false, place nothing. */
    public const RETURN_EXISTING = 'return_existing';
    /** The key was taken and then released (the other request rolled back): try once more. */
    public const RETRY = 'retry';

    /** How many times the service may claim the key for one request. */
    public const MAX_ATTEMPTS = 2;

    /**
     * Before placing: the link row read for channel + external order id, or null.
     *
     * @param array<string, mixed>|null $link
     */
    public function beforePlacing(?array $link): string
    {
        // A row without an order is another request's claim, visible only before its commit:
        // claiming the key ourselves waits for that request and ends in afterDuplicateKey().
        return ($link !== null && $this->completed($link)) ? self::RETURN_EXISTING : self::PLACE;
    }

    /**
     * After our INSERT of the claim failed on the UNIQUE key: the row read again, or null.
     *
     * @param array<string, mixed>|null $link
     * @throws OrderBeingPlaced after the last attempt
     */
    public function afterDuplicateKey(?array $link, int $attempt): string
    {
        if ($link !== null && $this->completed($link)) {
            return self::RETURN_EXISTING;
        }
        if ($attempt >= self::MAX_ATTEMPTS) {
            throw new OrderBeingPlaced(
                'Another request is placing this channel order and has not finished; retry the call.'
            );
        }
        return self::RETRY;
    }

    /**
     * The response for a link row.
     *
     * @param array<string, mixed> $link
     * @return array{entity_id: int, increment_id: string, created: bool}
     */
    public function result(array $link, bool $created): array
    {
        if (!$this->completed($link)) {
            throw new \InvalidArgumentException('The link names no order yet.');
        }
        return [
            'entity_id' => (int) $link['order_id'],
            'increment_id' => (string) $link['increment_id'],
            'created' => $created,
        ];
    }

    /** @param array<string, mixed> $link */
    private function completed(array $link): bool
    {
        return isset($link['order_id']) && (int) $link['order_id'] > 0
            && isset($link['increment_id']) && (string) $link['increment_id'] !== '';
    }
}
