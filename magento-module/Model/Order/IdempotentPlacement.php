<?php
/**
 * Places a channel order at most once per channel + external order id: reads the committed link,
 * returns its order if there is one, else places the order in one transaction that first claims
 * the UNIQUE key; when the claim loses to a concurrent call, reads the link again and returns the
 * winner's order (or claims once more if the winner rolled back). Framework-free: the service
 * passes the link read and the one-transaction placement in as callables.
 */
declare(strict_types=1);

namespace ChannelManager\Connector\Model\Order;

final class IdempotentPlacement
{
    /** @var IdempotencyDecision */
    private $decision;

    public function __construct(?IdempotencyDecision $decision = null)
    {
        $this->decision = $decision ?? new IdempotencyDecision();
    }

    /**
     * @param callable(): (array<string, mixed>|null) $findLink the committed link row, or null
     * @param callable(): (array<string, mixed>|null) $placeOnce places in one transaction and returns
     *        ['order_id' => int, 'increment_id' => string], or null when the key was already claimed
     * @return array{entity_id: int, increment_id: string, created: bool}
     * @throws OrderBeingPlaced when the key stays claimed by an unfinished call
     */
    public function run(callable $findLink, callable $placeOnce): array
    {
        for ($attempt = 1;; $attempt++) {
            $link = $findLink();
            if ($this->decision->beforePlacing($link) === IdempotencyDecision::RETURN_EXISTING) {
                return $this->decision->result($link, false);
            }
            $placed = $placeOnce();
            if ($placed !== null) {
                return $this->decision->result($placed, true);
            }
            $link = $findLink();
            if ($this->decision->afterDuplicateKey($link, $attempt) === IdempotencyDecision::RETURN_EXISTING) {
                return $this->decision->result($link, false);
            }
        }
    }
}
